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
 * request), and a thread keeps the SDK's canonical request of its last few distinct requests
 * without their payload hash, for the next request with the very same method, path, query and
 * signed header values (see {@link Scratch}); the body's hash, the string to sign and the signature
 * are computed for every request. Payloads must be signed: the DynamoDB, IAM and STS SDKs never
 * send {@code UNSIGNED-PAYLOAD} or streaming (chunked) signatures for these JSON and query APIs, so
 * such a request is refused rather than trusted.
 */
public final class SigV4Verifier {
  /** AWS refuses a request whose X-Amz-Date is more than 15 minutes from its clock. */
  public static final Duration MAX_SKEW = Duration.ofMinutes(15);

  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final V4CanonicalRequest.Options OPTIONS =
      new V4CanonicalRequest.Options(true, true);
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
  private record Derived(
      String secret, String date, String region, String service, byte[] key, byte[] scopeLine) {
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

    Scratch scratch = SCRATCH.get();
    byte[] payloadHash = scratch.payloadHashHex(request.body());
    String declared = request.header().apply("X-Amz-Content-Sha256");
    if (declared != null && !declared.strip().equalsIgnoreCase(ascii(payloadHash))) {
      // UNSIGNED-PAYLOAD, STREAMING-... or a wrong hash: none is what these SDKs send.
      throw invalid("The provided 'x-amz-content-sha256' header does not match what was computed.");
    }

    List<String> names = header.signedHeaders();
    String[] values = new String[names.size()];
    for (int i = 0; i < values.length; i++) {
      String value = request.header().apply(names.get(i));
      if (value == null) {
        throw invalid(SIGNATURE_MISMATCH);
      }
      values[i] = value;
    }
    CanonicalPrefix prefix = scratch.canonicalPrefix(request, names, values);
    if (prefix == null) {
      prefix = canonicalPrefix(request, header, values, ascii(payloadHash));
      scratch.remember(prefix);
    }
    Derived signingKey = signingKey(header, key.secretAccessKey());
    byte[] expected = scratch.signature(signingKey, amzDate.strip(), prefix.bytes(), payloadHash);
    if (!MessageDigest.isEqual(expected, unhex(header.signature()))) {
      throw invalid(SIGNATURE_MISMATCH);
    }
    return key.principal();
  }

  /**
   * The canonical request of a received request up to, not including, its payload hash: the SDK's
   * {@link V4CanonicalRequest} output for these method, path, query and signed header values, which
   * SigV4 ends with the hex payload hash (checked when it is taken). What it was built from is
   * kept, so that it stands for nothing else.
   */
  private record CanonicalPrefix(
      String method,
      String path,
      String rawQuery,
      List<String> names,
      String[] values,
      byte[] bytes) {
    boolean isFor(SignedRequest r, List<String> names, String[] values) {
      return method.equals(r.method())
          && path.equals(r.path())
          && java.util.Objects.equals(rawQuery, r.rawQuery())
          && (this.names == names || this.names.equals(names))
          && java.util.Arrays.equals(this.values, values);
    }
  }

  /** The canonical request as the SDK builds it, without the payload hash it ends with. */
  private static CanonicalPrefix canonicalPrefix(
      SignedRequest request, SigV4Header header, String[] values, String payloadHash) {
    List<String> names = header.signedHeaders();
    Map<String, List<String>> signed = new LinkedHashMap<>(names.size() * 2);
    for (int i = 0; i < values.length; i++) {
      signed.put(names.get(i), List.of(values[i]));
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
    if (!canonicalRequest.endsWith("\n" + payloadHash)) {
      // Never so in SigV4 as the SDK builds it; refusing is the safe answer should it change.
      throw new IllegalStateException("canonical request does not end with the payload hash");
    }
    byte[] bytes =
        canonicalRequest
            .substring(0, canonicalRequest.length() - payloadHash.length())
            .getBytes(StandardCharsets.UTF_8);
    return new CanonicalPrefix(
        request.method(), request.path(), request.rawQuery(), names, values.clone(), bytes);
  }

  /**
   * A thread's hashing state: one SHA-256 digest and one HMAC-SHA256 (the provider look-ups of a
   * new instance per call cost more than hashing a 1 KB body), and the canonical-request prefixes
   * of its last few requests. A client sends request after request whose signed headers (host,
   * content type, target, and X-Amz-Date, which moves on each second) are the same; for those the
   * SDK's canonical request is built once and only the payload hash, which SigV4 puts at its end,
   * differs. The signature is computed in full every time.
   */
  private static final class Scratch {
    private static final int PREFIXES = 4;
    private static final byte[] ALGORITHM_LINE =
        (SigV4Header.ALGORITHM + "\n").getBytes(StandardCharsets.US_ASCII);

    private final MessageDigest sha256 = newDigest();
    private final javax.crypto.Mac hmac = newHmac();
    private final CanonicalPrefix[] prefixes = new CanonicalPrefix[PREFIXES];
    private int nextPrefix;
    // The key the Mac is initialized with: a Mac stays keyed after doFinal, and most requests on a
    // thread are signed with the key of the one before (the same cached array).
    private byte[] macKey;

    /** The lower-case hex SHA-256 of the body, in a new array (it may outlive the next request). */
    byte[] payloadHashHex(byte[] body) {
      sha256.reset();
      return hex(sha256.digest(body));
    }

    CanonicalPrefix canonicalPrefix(SignedRequest r, List<String> names, String[] values) {
      for (CanonicalPrefix p : prefixes) {
        if (p != null && p.isFor(r, names, values)) {
          return p;
        }
      }
      return null;
    }

    void remember(CanonicalPrefix p) {
      prefixes[nextPrefix] = p;
      nextPrefix = (nextPrefix + 1) % PREFIXES;
    }

    /**
     * HMAC-SHA256 of SigV4's string to sign (algorithm, request date, credential scope, hex SHA-256
     * of the canonical request, one per line), fed to the Mac piece by piece.
     */
    byte[] signature(Derived key, String amzDate, byte[] canonicalPrefix, byte[] payloadHash) {
      sha256.reset();
      sha256.update(canonicalPrefix);
      sha256.update(payloadHash);
      byte[] canonicalHash = hex(sha256.digest());
      if (macKey != key.key()) {
        try {
          hmac.init(new javax.crypto.spec.SecretKeySpec(key.key(), "HmacSHA256"));
        } catch (java.security.InvalidKeyException e) {
          throw new IllegalStateException(e);
        }
        macKey = key.key();
      }
      hmac.update(ALGORITHM_LINE);
      hmac.update(amzDate.getBytes(StandardCharsets.UTF_8));
      hmac.update((byte) '\n');
      hmac.update(key.scopeLine());
      hmac.update(canonicalHash);
      return hmac.doFinal();
    }
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static javax.crypto.Mac newHmac() {
    try {
      return javax.crypto.Mac.getInstance("HmacSHA256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private static byte[] hex(byte[] bytes) {
    byte[] out = new byte[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = HEX_DIGITS[(bytes[i] >> 4) & 0xf];
      out[2 * i + 1] = HEX_DIGITS[bytes[i] & 0xf];
    }
    return out;
  }

  /**
   * The bytes a hex signature stands for, either case (as the lower-cased comparison of hex text
   * took it); an array no HMAC-SHA256 equals when it is not 64 hex digits.
   */
  private static byte[] unhex(String hex) {
    if (hex.length() != 64) {
      return new byte[0];
    }
    byte[] out = new byte[32];
    for (int i = 0; i < 32; i++) {
      int hi = Character.digit(hex.charAt(2 * i), 16);
      int lo = Character.digit(hex.charAt(2 * i + 1), 16);
      if (hi < 0 || lo < 0) {
        return new byte[0];
      }
      out[i] = (byte) (hi << 4 | lo);
    }
    return out;
  }

  private static String ascii(byte[] b) {
    return new String(b, StandardCharsets.US_ASCII);
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

  private Derived signingKey(SigV4Header h, String secret) {
    Derived cached = signingKeys.get(h.accessKeyId());
    if (cached != null && cached.isFor(secret, h)) {
      return cached;
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
    String scopeLine = h.date() + "/" + h.region() + "/" + h.service() + "/aws4_request\n";
    Derived d =
        new Derived(
            secret,
            h.date(),
            h.region(),
            h.service(),
            derived,
            scopeLine.getBytes(StandardCharsets.UTF_8));
    signingKeys.put(h.accessKeyId(), d);
    return d;
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
