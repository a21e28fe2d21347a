package dev.tidemark.auth;

import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The parts of an {@code Authorization: AWS4-HMAC-SHA256 ...} header. Parsing checks only the
 * header's shape; whether the signature is right is an {@link Authenticator}'s business.
 *
 * @param accessKeyId the access key id of the credential scope
 * @param date the scope date, {@code yyyyMMdd}
 * @param region the scope region
 * @param service the scope service (the SDKs send "dynamodb", also for Streams)
 * @param signedHeaders the lower-case names of the signed headers, in the order sent
 * @param signature the hex signature
 */
public record SigV4Header(
    String accessKeyId,
    String date,
    String region,
    String service,
    List<String> signedHeaders,
    String signature) {

  public static final String ALGORITHM = "AWS4-HMAC-SHA256";
  private static final String TERMINATOR = "aws4_request";

  public SigV4Header {
    Objects.requireNonNull(accessKeyId);
    Objects.requireNonNull(date);
    Objects.requireNonNull(region);
    Objects.requireNonNull(service);
    signedHeaders = List.copyOf(signedHeaders);
    Objects.requireNonNull(signature);
  }

  /** The identity the header claims; it is proven only once an authenticator checks it. */
  public CallerIdentity caller() {
    return new CallerIdentity(accessKeyId, region, service, true);
  }

  /**
   * Parses an Authorization header value.
   *
   * @throws DynamoException {@code IncompleteSignatureException} naming what is wrong, since that
   *     is what DynamoDB answers for a header it cannot take apart
   */
  public static SigV4Header parse(String header) {
    LastParsed last = LAST_PARSED.get();
    if (last != null && header != null) {
      SigV4Header same = last.withSignatureOf(header);
      if (same != null) {
        return same;
      }
    }
    SigV4Header parsed = parseAll(header);
    LastParsed next = LastParsed.of(header, parsed);
    if (next != null) {
      LAST_PARSED.set(next);
    }
    return parsed;
  }

  /**
   * A client signs request after request with the same credential scope and signed headers, so its
   * Authorization headers differ only in the signature at their end. A thread remembers the last
   * header it parsed up to and including {@code Signature=}; a header that starts with those very
   * characters and ends in nothing but hex digits parses, by {@link #parseAll}'s own rules, to the
   * same parts with that signature (its components are the same but the last, and the checks on
   * them passed already), so only the signature is read. Anything else is parsed in full.
   */
  private record LastParsed(String prefix, SigV4Header parts) {
    private static final String KEY = "Signature=";

    static LastParsed of(String header, SigV4Header parsed) {
      int at = header.lastIndexOf(KEY);
      if (at <= 0 || !isSeparator(header.charAt(at - 1))) {
        return null;
      }
      // Only a header whose last component is the signature, with nothing after its value.
      if (header.length() - at - KEY.length() != parsed.signature().length()
          || !header.endsWith(parsed.signature())) {
        return null;
      }
      return new LastParsed(header.substring(0, at + KEY.length()), parsed);
    }

    SigV4Header withSignatureOf(String header) {
      int n = prefix.length();
      if (header.length() <= n || !header.startsWith(prefix)) {
        return null;
      }
      for (int i = n; i < header.length(); i++) {
        if (!isHexDigit(header.charAt(i))) {
          return null;
        }
      }
      return new SigV4Header(
          parts.accessKeyId(),
          parts.date(),
          parts.region(),
          parts.service(),
          parts.signedHeaders(),
          header.substring(n));
    }

    private static boolean isSeparator(char c) {
      return c == ',' || Character.isWhitespace(c);
    }
  }

  private static final ThreadLocal<LastParsed> LAST_PARSED = new ThreadLocal<>();

  static SigV4Header parseAll(String header) {
    if (header == null || header.isBlank()) {
      throw incomplete("Authorization header is empty.");
    }
    String value = header.strip();
    if (!value.startsWith(ALGORITHM)
        || (value.length() > ALGORITHM.length()
            && !Character.isWhitespace(value.charAt(ALGORITHM.length())))) {
      String scheme = value.split("\\s", 2)[0];
      throw incomplete(
          "Authorization header must use the "
              + ALGORITHM
              + " scheme, not '"
              + abbreviate(scheme)
              + "'.");
    }

    String credential = null;
    String signedHeaders = null;
    String signature = null;
    StringBuilder problems = new StringBuilder();
    for (String part : value.substring(ALGORITHM.length()).split(",")) {
      String component = part.strip();
      if (component.isEmpty()) {
        continue;
      }
      int eq = component.indexOf('=');
      if (eq <= 0) {
        problems.append("Authorization component '").append(abbreviate(component));
        problems.append("' is not of the form key=value. ");
        continue;
      }
      String key = component.substring(0, eq).strip();
      String val = component.substring(eq + 1).strip();
      switch (key) {
        case "Credential" -> credential = firstOnly(credential, val, key, problems);
        case "SignedHeaders" -> signedHeaders = firstOnly(signedHeaders, val, key, problems);
        case "Signature" -> signature = firstOnly(signature, val, key, problems);
        default ->
            problems
                .append("Authorization header has an unknown parameter '")
                .append(abbreviate(key))
                .append("'. ");
      }
    }
    if (credential == null) {
      problems.append("Authorization header requires a 'Credential' parameter. ");
    }
    if (signedHeaders == null) {
      problems.append("Authorization header requires a 'SignedHeaders' parameter. ");
    }
    if (signature == null) {
      problems.append("Authorization header requires a 'Signature' parameter. ");
    }
    if (problems.length() > 0) {
      throw incomplete(problems.toString().strip());
    }

    String[] scope = credential.split("/", -1);
    if (scope.length != 5) {
      throw incomplete(
          "Credential must have the form"
              + " <access key id>/<yyyyMMdd>/<region>/<service>/aws4_request, got "
              + scope.length
              + " slash-separated parts.");
    }
    for (String s : scope) {
      if (s.isEmpty()) {
        throw incomplete(
            "Credential has an empty part; expected"
                + " <access key id>/<yyyyMMdd>/<region>/<service>/aws4_request.");
      }
    }
    if (!isDate(scope[1])) {
      throw incomplete(
          "Credential date '" + abbreviate(scope[1]) + "' is not of the form yyyyMMdd.");
    }
    if (!TERMINATOR.equals(scope[4])) {
      throw incomplete(
          "Credential should be terminated with 'aws4_request', not '"
              + abbreviate(scope[4])
              + "'.");
    }
    List<String> headers = signedHeaderList(signedHeaders);
    if (!isHex(signature)) {
      throw incomplete("Signature must be a hexadecimal string.");
    }
    return new SigV4Header(scope[0], scope[1], scope[2], scope[3], headers, signature);
  }

  private static String firstOnly(String previous, String val, String key, StringBuilder problems) {
    if (previous != null) {
      problems.append("Authorization header repeats the '").append(key).append("' parameter. ");
      return previous;
    }
    return val;
  }

  private static List<String> signedHeaderList(String value) {
    List<String> names = new ArrayList<>();
    for (String name : value.split(";", -1)) {
      if (name.isEmpty() || !all(name, SigV4Header::isHeaderNameChar)) {
        throw incomplete(
            "SignedHeaders must be a semicolon-separated list of header names, got '"
                + abbreviate(value)
                + "'.");
      }
      names.add(name);
    }
    return names;
  }

  private static boolean isHeaderNameChar(int c) {
    return (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '_'
        || c == '.'
        || (c >= 'A' && c <= 'Z');
  }

  private static boolean isDate(String s) {
    return s.length() == 8 && all(s, c -> c >= '0' && c <= '9');
  }

  private static boolean isHex(String s) {
    return !s.isEmpty() && all(s, SigV4Header::isHexDigit);
  }

  private static boolean isHexDigit(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  // A plain loop: these run on every signed request, where a stream pipeline per check showed.
  private static boolean all(String s, java.util.function.IntPredicate p) {
    for (int i = 0; i < s.length(); i++) {
      if (!p.test(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  // Echoing a whole hostile header back would let a client fill our responses and logs.
  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  private static DynamoException incomplete(String message) {
    return new DynamoException(WireError.INCOMPLETE_SIGNATURE, message);
  }
}
