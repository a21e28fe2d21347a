package dev.tidemark.auth;

import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.internal.signer.V4CanonicalRequest;
import software.amazon.awssdk.http.auth.aws.internal.signer.util.SignerUtils;

/**
 * Verifies AWS Signature Version 4 on a request as received. The canonical request is built by the
 * AWS SDK's own {@link V4CanonicalRequest} (the class its signer uses), from exactly the headers
 * the client listed in {@code SignedHeaders}, the path, the query and the SHA-256 of the body as
 * received; the string to sign and the signature follow SigV4's definition (signing keys derived
 * with the SDK's {@link SignerUtils}). So the server and the SDKs cannot disagree on what was
 * signed.
 *
 * <p>Derived signing keys are cached per access key, date, region and service (four HMACs saved per
 * request). Payloads must be signed: the DynamoDB, IAM and STS SDKs never send {@code
 * UNSIGNED-PAYLOAD} or streaming (chunked) signatures for these JSON and query APIs, so such a
 * request is refused rather than trusted.
 */
public final class SigV4Verifier {
  /** AWS refuses a request whose X-Amz-Date is more than 15 minutes from its clock. */
  public static final Duration MAX_SKEW = Duration.ofMinutes(15);

  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final V4CanonicalRequest.Options OPTIONS =
      new V4CanonicalRequest.Options(true, true);
  private static final HexFormat HEX = HexFormat.of();
  private static final int MAX_CACHED_KEYS = 10_000;

  /**
   * The secret of an access key and who it belongs to.
   *
   * @param expiresMillis when temporary credentials stop working; {@link Long#MAX_VALUE} for keys
   */
  public record KeyRecord(
      String secretAccessKey, Principal principal, boolean active, long expiresMillis) {
    public KeyRecord(String secretAccessKey, Principal principal, boolean active) {
      this(secretAccessKey, principal, active, Long.MAX_VALUE);
    }
  }

  /** Finds an access key; null when it does not exist. */
  @FunctionalInterface
  public interface KeyLookup {
    KeyRecord find(String accessKeyId);

    /**
     * Temporary credentials: the key a session token stands for, or null when the token is not one
     * this server issued for that access key id.
     */
    default KeyRecord findSession(String accessKeyId, String sessionToken) {
      return null;
    }
  }

  /**
   * The signing key an access key last signed with, and the scope it was derived for. One per
   * access key id: looking it up hashes only the key id, where a key of all five strings hashed
   * four fresh substrings of the Authorization header on every request.
   */
  private record Derived(String secret, String date, String region, String service, byte[] key) {
    boolean isFor(String secret, SigV4Header h) {
      return (this.secret == secret || this.secret.equals(secret))
          && date.equals(h.date())
          && region.equals(h.region())
          && service.equals(h.service());
    }
  }

  private final KeyLookup keys;
  private final LongSupplier clock;
  private final Map<String, Derived> signingKeys = new ConcurrentHashMap<>();

  public SigV4Verifier(KeyLookup keys, LongSupplier clockMillis) {
    this.keys = keys;
    this.clock = clockMillis;
  }

  /**
   * Verifies the request.
   *
   * @param regions the regions a credential scope may name
   * @param service the service the scope must name
   * @return the verified principal
   * @throws DynamoException with AWS's error type and message when anything does not check out
   */
  public Principal verify(SignedRequest request, Set<String> regions, String service) {
    String authorization = request.authorization();
    if (authorization == null) {
      throw new DynamoException(
          WireError.MISSING_AUTHENTICATION_TOKEN, "Request is missing Authentication Token");
    }
    SigV4Header header = SigV4Header.parse(authorization);
    String amzDate = request.header().apply("X-Amz-Date");
    if (amzDate == null) {
      throw incomplete(
          "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    }
    if (!header.signedHeaders().contains("host")) {
      throw incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    }
    if (!header.signedHeaders().contains("x-amz-date")) {
      throw incomplete("'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.");
    }
    Instant signedAt = parseAmzDate(amzDate.strip());
    if (signedAt == null) {
      throw incomplete(
          "X-Amz-Date '" + abbreviate(amzDate) + "' is not of the form yyyyMMdd'T'HHmmss'Z'.");
    }
    if (!amzDate.strip().startsWith(header.date())) {
      throw invalid(
          "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from"
              + " HTTP: '"
              + header.date()
              + "' != '"
              + amzDate.strip().substring(0, 8)
              + "', from '"
              + amzDate.strip()
              + "'.");
    }
    if (!regions.contains(header.region())) {
      throw invalid(
          "Credential should be scoped to a valid region, not '" + header.region() + "'. ");
    }
    if (!service.equals(header.service())) {
      throw invalid("Credential should be scoped to correct service: '" + service + "'. ");
    }
    // Temporary credentials come with their session token; a long-term key comes without one, and
    // either one with the other's shape is not recognized (AWS answers both alike).
    String token = request.header().apply("X-Amz-Security-Token");
    KeyRecord key =
        token == null
            ? keys.find(header.accessKeyId())
            : keys.findSession(header.accessKeyId(), token.strip());
    if (key == null || !key.active()) {
      throw new DynamoException(
          WireError.UNRECOGNIZED_CLIENT, "The security token included in the request is invalid.");
    }
    // Before the clock window: credentials that expired are refused as expired, however the
    // request was signed.
    if (clock.getAsLong() >= key.expiresMillis()) {
      throw new DynamoException(
          WireError.EXPIRED_TOKEN, "The security token included in the request is expired");
    }
    checkClock(signedAt);

    String payloadHash = HEX.formatHex(sha256(request.body()));
    String declared = request.header().apply("X-Amz-Content-Sha256");
    if (declared != null && !declared.strip().equalsIgnoreCase(payloadHash)) {
      // UNSIGNED-PAYLOAD, STREAMING-... or a wrong hash: none is what these SDKs send.
      throw invalid("The provided 'x-amz-content-sha256' header does not match what was computed.");
    }

    Map<String, List<String>> signed = new LinkedHashMap<>(header.signedHeaders().size() * 2);
    for (String name : header.signedHeaders()) {
      String value = request.header().apply(name);
      if (value == null) {
        throw invalid(SIGNATURE_MISMATCH);
      }
      signed.put(name, List.of(value));
    }
    String canonicalRequest;
    try {
      V4CanonicalRequest canonical =
          new V4CanonicalRequest(
              new ReceivedRequest(
                  method(request.method()),
                  standardPath(request.path()),
                  queryParameters(request.rawQuery()),
                  signed),
              payloadHash,
              OPTIONS);
      // The SDK leaves out a few headers (user-agent, expect, ...) it never signs; a client that
      // listed one signed something else than what we can rebuild.
      if (!canonical.getSignedHeadersString().equals(signedHeadersString(header))) {
        throw invalid(SIGNATURE_MISMATCH);
      }
      canonicalRequest = canonical.getCanonicalRequestString();
    } catch (IllegalArgumentException e) {
      throw invalid(SIGNATURE_MISMATCH);
    }
    String scope = header.date() + "/" + header.region() + "/" + header.service() + "/aws4_request";
    String stringToSign =
        SigV4Header.ALGORITHM
            + "\n"
            + amzDate.strip()
            + "\n"
            + scope
            + "\n"
            + HEX.formatHex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
    byte[] signingKey = signingKey(header, key.secretAccessKey());
    byte[] expected =
        HEX.formatHex(hmacSha256(signingKey, stringToSign)).getBytes(StandardCharsets.US_ASCII);
    byte[] given =
        header.signature().toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, given)) {
      throw invalid(SIGNATURE_MISMATCH);
    }
    return key.principal();
  }

  /*
   * The hashes and the HMAC are SigV4's own (SHA-256, HMAC-SHA256), computed with one digest and
   * one Mac per thread instead of the SDK helpers' new instance per call: on the request path the
   * provider look-ups cost more than hashing a 1 KB body.
   */
  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (java.security.NoSuchAlgorithmException e) {
              throw new IllegalStateException(e);
            }
          });

  static byte[] sha256(byte[] data) {
    MessageDigest d = SHA256.get();
    d.reset();
    return d.digest(data);
  }

  /**
   * A thread's Mac and the signing key it was last initialized with: a Mac stays keyed after
   * doFinal, and most requests on a thread are signed with the key of the one before (the same
   * cached key array), so the key schedule is not redone for each.
   */
  private static final class KeyedMac {
    final javax.crypto.Mac mac;
    byte[] key;

    KeyedMac(javax.crypto.Mac mac) {
      this.mac = mac;
    }
  }

  private static final ThreadLocal<KeyedMac> KEYED_HMAC =
      ThreadLocal.withInitial(() -> new KeyedMac(newHmac()));

  private static javax.crypto.Mac newHmac() {
    try {
      return javax.crypto.Mac.getInstance("HmacSHA256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** HMAC-SHA256 under a derived signing key (always one of {@link #signingKeys}' arrays). */
  private static byte[] hmacSha256(byte[] key, String data) {
    KeyedMac k = KEYED_HMAC.get();
    if (k.key != key) {
      try {
        k.mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
      } catch (java.security.InvalidKeyException e) {
        throw new IllegalStateException(e);
      }
      k.key = key;
    }
    return k.mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
  }

  /** As the SDK's request builder stores a path: a leading slash added when it lacks one. */
  private static String standardPath(String path) {
    return path.isEmpty() || path.startsWith("/") ? path : "/" + path;
  }

  /** The SignedHeaders list as the client sent it, for comparison with the SDK's. */
  private static String signedHeadersString(SigV4Header header) {
    List<String> names = header.signedHeaders();
    return names.size() == 1 ? names.get(0) : String.join(";", names);
  }

  private static SdkHttpMethod method(String m) {
    // Every request these APIs take is a POST (a GET at most); the SDK's lookup streams its enum.
    return switch (m) {
      case "POST" -> SdkHttpMethod.POST;
      case "GET" -> SdkHttpMethod.GET;
      default -> SdkHttpMethod.fromValue(m);
    };
  }

  /**
   * X-Amz-Date ({@code yyyyMMdd'T'HHmmss'Z'}) as an instant, or null when it is not one. Parsed by
   * hand: the formatter's general machinery was the costliest step of verifying a request.
   */
  static Instant parseAmzDate(String s) {
    if (s.length() != 16 || s.charAt(8) != 'T' || s.charAt(15) != 'Z') {
      return null;
    }
    for (int i = 0; i < 15; i++) {
      if (i != 8 && (s.charAt(i) < '0' || s.charAt(i) > '9')) {
        return null;
      }
    }
    try {
      return java.time.LocalDateTime.of(
              Integer.parseInt(s, 0, 4, 10),
              Integer.parseInt(s, 4, 6, 10),
              Integer.parseInt(s, 6, 8, 10),
              Integer.parseInt(s, 9, 11, 10),
              Integer.parseInt(s, 11, 13, 10),
              Integer.parseInt(s, 13, 15, 10))
          .toInstant(ZoneOffset.UTC);
    } catch (java.time.DateTimeException e) {
      return null;
    }
  }

  static final String SIGNATURE_MISMATCH =
      "The request signature we calculated does not match the signature you provided. Check your"
          + " AWS Secret Access Key and signing method. Consult the service documentation for"
          + " details.";

  private void checkClock(Instant signedAt) {
    Instant now = Instant.ofEpochMilli(clock.getAsLong());
    if (signedAt.isBefore(now.minus(MAX_SKEW))) {
      throw invalid(
          "Signature expired: "
              + AMZ_DATE.format(signedAt)
              + " is now earlier than "
              + AMZ_DATE.format(now.minus(MAX_SKEW))
              + " ("
              + AMZ_DATE.format(now)
              + " - 15 min.)");
    }
    if (signedAt.isAfter(now.plus(MAX_SKEW))) {
      throw invalid(
          "Signature not yet current: "
              + AMZ_DATE.format(signedAt)
              + " is still later than "
              + AMZ_DATE.format(now.plus(MAX_SKEW))
              + " ("
              + AMZ_DATE.format(now)
              + " + 15 min.)");
    }
  }

  private byte[] signingKey(SigV4Header h, String secret) {
    Derived cached = signingKeys.get(h.accessKeyId());
    if (cached != null && cached.isFor(secret, h)) {
      return cached.key();
    }
    byte[] derived =
        SignerUtils.sign(
            "aws4_request",
            SignerUtils.sign(
                h.service(),
                SignerUtils.sign(
                    h.region(),
                    SignerUtils.sign(
                        h.date(), ("AWS4" + secret).getBytes(StandardCharsets.UTF_8)))));
    if (signingKeys.size() >= MAX_CACHED_KEYS) {
      // Keys live a day; dropping all at once is simpler than an LRU and rare.
      signingKeys.clear();
    }
    signingKeys.put(
        h.accessKeyId(), new Derived(secret, h.date(), h.region(), h.service(), derived));
    return derived;
  }

  private static Map<String, List<String>> queryParameters(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return Map.of();
    }
    Map<String, List<String>> params = new LinkedHashMap<>();
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      params.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
    }
    return params;
  }

  private static String decode(String s) {
    // SigV4 encodes '+' as %20 and a literal plus as %2B, so '+' in a raw query means a space only
    // to form decoding; keep it literal by escaping it first.
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  private static DynamoException incomplete(String message) {
    return new DynamoException(WireError.INCOMPLETE_SIGNATURE, message);
  }

  private static DynamoException invalid(String message) {
    return new DynamoException(WireError.INVALID_SIGNATURE, message);
  }
}
