package dev.tidemark.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Protects SigV4 verification: AWS's published test vectors verify, requests signed by the SDK's
 * own signer verify, and no mutation of a signed request (any header, the body, the date, the path,
 * the query, the signature, the scope) is accepted; each refusal carries AWS's error type.
 */
class SigV4VerifierTest {
  private static final String AKID = "AKIDEXAMPLE";
  private static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  private static final Instant VECTOR_TIME = Instant.parse("2015-08-30T12:36:00Z");
  private static final Principal ALICE = new Principal("123456789012", "alice", "AIDAALICE", AKID);

  private static SigV4Verifier verifier(Instant now, boolean active) {
    return new SigV4Verifier(
        id -> id.equals(AKID) ? new SigV4Verifier.KeyRecord(SECRET, ALICE, active) : null,
        now::toEpochMilli);
  }

  private static SignedRequest request(
      String method, String path, String query, Map<String, String> headers, String body) {
    Map<String, String> ci = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    ci.putAll(headers);
    return new SignedRequest(
        method, path, query, ci::get, body.getBytes(StandardCharsets.UTF_8), "127.0.0.1");
  }

  // AWS's SigV4 test suite, "get-vanilla": the canonical request and signature AWS publishes.
  @Test
  void awsTestVectorGetVanillaVerifies() {
    SignedRequest r =
        request(
            "GET",
            "/",
            null,
            Map.of(
                "Host", "example.amazonaws.com",
                "X-Amz-Date", "20150830T123600Z",
                "Authorization",
                    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,"
                        + " SignedHeaders=host;x-amz-date,"
                        + " Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
            "");
    assertThat(verifier(VECTOR_TIME, true).verify(r, Set.of("us-east-1"), "service"))
        .isEqualTo(ALICE);
  }

  // "post-vanilla" from the same suite.
  @Test
  void awsTestVectorPostVanillaVerifies() {
    SignedRequest r =
        request(
            "POST",
            "/",
            null,
            Map.of(
                "Host", "example.amazonaws.com",
                "X-Amz-Date", "20150830T123600Z",
                "Authorization",
                    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,"
                        + " SignedHeaders=host;x-amz-date,"
                        + " Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
            "");
    assertThat(verifier(VECTOR_TIME, true).verify(r, Set.of("us-east-1"), "service"))
        .isEqualTo(ALICE);
  }

  static Map<String, String> sdkSigned(String target, String body, Instant at, String secret) {
    return SdkSigning.signed(AKID, secret, target, body, at);
  }

  @Test
  void sdkSignedRequestVerifiesAndAWrongSecretIsRefusedWithAwsText() {
    Instant now = Instant.parse("2026-12-06T04:00:00Z");
    String body = "{\"TableName\":\"WebSeries\"}";
    SignedRequest good =
        request(
            "POST",
            "/",
            null,
            sdkSigned("DynamoDB_20120810.DescribeTable", body, now, SECRET),
            body);
    assertThat(verifier(now, true).verify(good, Set.of("us-east-1"), "dynamodb")).isEqualTo(ALICE);

    SignedRequest wrong =
        request(
            "POST",
            "/",
            null,
            sdkSigned("DynamoDB_20120810.DescribeTable", body, now, "x" + SECRET),
            body);
    DynamoException e = refusal(verifier(now, true), wrong);
    assertThat(e.error()).isEqualTo(WireError.INVALID_SIGNATURE);
    assertThat(e.getMessage())
        .isEqualTo(
            "The request signature we calculated does not match the signature you provided."
                + " Check your AWS Secret Access Key and signing method. Consult the service"
                + " documentation for details.");
  }

  /**
   * Protects the per-thread memo of canonical requests: requests with the same signed headers but
   * other bodies each verify with their own signature, and a signature never carries over to
   * another body, another target, another second or another path once the first was verified.
   */
  @Test
  void aRememberedCanonicalRequestStandsOnlyForIdenticalHeaders() {
    Instant now = Instant.parse("2026-12-06T04:00:00Z");
    SigV4Verifier v = verifier(now, true);
    String target = "DynamoDB_20120810.GetItem";
    String a = "{\"TableName\":\"T\",\"Key\":{\"pk\":{\"S\":\"a\"}}}";
    String b = "{\"TableName\":\"T\",\"Key\":{\"pk\":{\"S\":\"b\"}}}";
    Map<String, String> signedA = sdkSigned(target, a, now, SECRET);
    Map<String, String> signedB = sdkSigned(target, b, now, SECRET);
    for (int i = 0; i < 3; i++) {
      assertThat(v.verify(request("POST", "/", null, signedA, a), Set.of("us-east-1"), "dynamodb"))
          .isEqualTo(ALICE);
      assertThat(v.verify(request("POST", "/", null, signedB, b), Set.of("us-east-1"), "dynamodb"))
          .isEqualTo(ALICE);
    }
    // A's headers and signature over B's body; B's signature on A's body.
    assertThat(refusal(v, request("POST", "/", null, signedA, b)).error())
        .isEqualTo(WireError.INVALID_SIGNATURE);
    assertThat(refusal(v, request("POST", "/", null, signedB, a)).error())
        .isEqualTo(WireError.INVALID_SIGNATURE);
    // The same body and signature, one header value other than the remembered request's.
    Map<String, String> otherTarget = new TreeMap<>(signedA);
    otherTarget.put("X-Amz-Target", "DynamoDB_20120810.DeleteItem");
    assertThat(refusal(v, request("POST", "/", null, otherTarget, a)).error())
        .isEqualTo(WireError.INVALID_SIGNATURE);
    Map<String, String> nextSecond = new TreeMap<>(signedA);
    nextSecond.put("X-Amz-Date", "20261206T040001Z");
    assertThat(refusal(v, request("POST", "/", null, nextSecond, a)).error())
        .isEqualTo(WireError.INVALID_SIGNATURE);
    assertThat(refusal(v, request("POST", "/x", null, signedA, a)).error())
        .isEqualTo(WireError.INVALID_SIGNATURE);
    assertThat(refusal(v, request("POST", "/", "a=b", signedA, a)).error())
        .isEqualTo(WireError.INVALID_SIGNATURE);
    // And the remembered request still verifies after all those refusals.
    assertThat(v.verify(request("POST", "/", null, signedA, a), Set.of("us-east-1"), "dynamodb"))
        .isEqualTo(ALICE);
  }

  // The clock-skew window is AWS's 15 minutes, on both sides, with its message shapes.
  @Test
  void expiredAndFutureSignaturesAreRefused() {
    Instant signedAt = Instant.parse("2026-12-06T04:00:00Z");
    String body = "{}";
    SignedRequest r =
        request(
            "POST",
            "/",
            null,
            sdkSigned("DynamoDB_20120810.ListTables", body, signedAt, SECRET),
            body);
    assertThat(
            verifier(signedAt.plusSeconds(14 * 60), true)
                .verify(r, Set.of("us-east-1"), "dynamodb"))
        .isEqualTo(ALICE);
    DynamoException late = refusal(verifier(signedAt.plusSeconds(16 * 60), true), r);
    assertThat(late.error()).isEqualTo(WireError.INVALID_SIGNATURE);
    assertThat(late.getMessage())
        .isEqualTo(
            "Signature expired: 20261206T040000Z is now earlier than 20261206T040100Z"
                + " (20261206T041600Z - 15 min.)");
    DynamoException early = refusal(verifier(signedAt.minusSeconds(16 * 60), true), r);
    assertThat(early.getMessage())
        .isEqualTo(
            "Signature not yet current: 20261206T040000Z is still later than 20261206T035900Z"
                + " (20261206T034400Z + 15 min.)");
  }

  @Test
  void unknownAndInactiveKeysAndMissingHeadersAreRefused() {
    Instant now = Instant.parse("2026-12-06T04:00:00Z");
    SignedRequest r =
        request(
            "POST", "/", null, sdkSigned("DynamoDB_20120810.ListTables", "{}", now, SECRET), "{}");
    DynamoException inactive = refusal(verifier(now, false), r);
    assertThat(inactive.error()).isEqualTo(WireError.UNRECOGNIZED_CLIENT);
    assertThat(inactive.getMessage())
        .isEqualTo("The security token included in the request is invalid.");
    SigV4Verifier nobody = new SigV4Verifier(id -> null, now::toEpochMilli);
    assertThat(refusal(nobody, r).error()).isEqualTo(WireError.UNRECOGNIZED_CLIENT);

    DynamoException missing =
        refusal(verifier(now, true), request("POST", "/", null, Map.of("Host", "h"), "{}"));
    assertThat(missing.error()).isEqualTo(WireError.MISSING_AUTHENTICATION_TOKEN);
    assertThat(missing.getMessage()).isEqualTo("Request is missing Authentication Token");
  }

  // A seeded fuzzer: every mutation of a signed request is refused, never accepted.
  @Test
  void noMutationOfASignedRequestIsAccepted() {
    Random random = new Random(20261206L);
    Instant now = Instant.parse("2026-12-06T04:00:00Z");
    SigV4Verifier v = verifier(now, true);
    int refused = 0;
    for (int round = 0; round < 400; round++) {
      String body = "{\"TableName\":\"T" + random.nextInt(1000) + "\",\"Limit\":" + round + "}";
      Map<String, String> headers = sdkSigned("DynamoDB_20120810.Scan", body, now, SECRET);
      assertThat(
              v.verify(request("POST", "/", null, headers, body), Set.of("us-east-1"), "dynamodb"))
          .isEqualTo(ALICE);
      Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      h.putAll(headers);
      String b = body;
      String path = "/";
      String query = null;
      int kind = random.nextInt(6);
      switch (kind) {
        case 0 -> { // any signed header's value
          String auth = h.get("Authorization");
          String signedList =
              auth.substring(auth.indexOf("SignedHeaders=") + 14, auth.indexOf(", Signature"));
          List<String> names = new ArrayList<>(List.of(signedList.split(";")));
          String name = names.get(random.nextInt(names.size()));
          h.put(name, mutate(h.get(name), random));
        }
        case 1 -> b = mutate(body, random);
        case 2 -> { // the date, by a second either way (inside the skew window)
          Instant d =
              Instant.from(
                  java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                      .withZone(ZoneOffset.UTC)
                      .parse(h.get("X-Amz-Date")));
          h.put(
              "X-Amz-Date",
              java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                  .withZone(ZoneOffset.UTC)
                  .format(d.plusSeconds(random.nextBoolean() ? 1 : -1)));
        }
        case 3 -> { // the Authorization header: signature, key id, scope
          h.put("Authorization", mutate(h.get("Authorization"), random));
        }
        case 4 -> path = "/" + (char) ('a' + random.nextInt(26));
        default -> query = "x=" + random.nextInt(10);
      }
      SignedRequest mutated = request("POST", path, query, h, b);
      if (mutated.authorization().equals(headers.get("Authorization"))
          && b.equals(body)
          && h.equals(headers)
          && path.equals("/")
          && query == null) {
        continue;
      }
      DynamoException e = refusal(v, mutated);
      assertThat(e.error())
          .isIn(
              WireError.INVALID_SIGNATURE,
              WireError.INCOMPLETE_SIGNATURE,
              WireError.UNRECOGNIZED_CLIENT,
              WireError.MISSING_AUTHENTICATION_TOKEN);
      refused++;
    }
    assertThat(refused).isGreaterThan(300);
  }

  /**
   * Protects the hand-written X-Amz-Date parser: it must read exactly what the strict pattern
   * reads, over a century of random instants, and refuse every malformed shape.
   */
  @Test
  void amzDateParsesAsThePatternDoesAndRefusesMalformedDates() {
    java.time.format.DateTimeFormatter pattern =
        java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    Random random = new Random(20261206);
    for (int i = 0; i < 10_000; i++) {
      Instant t = Instant.ofEpochSecond(random.nextLong(4_102_444_800L)); // 1970 .. 2100
      assertThat(SigV4Verifier.parseAmzDate(pattern.format(t))).isEqualTo(t);
    }
    for (String bad :
        List.of(
            "",
            "20150830T123600",
            "20150830 123600Z",
            "2015-08-30T12:36:00Z",
            "20151330T123600Z",
            "20150230T123600Z",
            "20150830T246000Z",
            "2015083OT123600Z",
            "+0150830T123600Z",
            "20150830T123600Zx")) {
      assertThat(SigV4Verifier.parseAmzDate(bad)).as(bad).isNull();
    }
  }

  /** Changes one character to a different, non-space one (whitespace runs are canonicalised). */
  private static String mutate(String s, Random random) {
    char[] chars = s.toCharArray();
    for (int attempt = 0; attempt < 100; attempt++) {
      int i = random.nextInt(chars.length);
      char replacement = "abcdefXYZ0123456789=/".charAt(random.nextInt(21));
      if (chars[i] != replacement
          && !Character.isWhitespace(chars[i])
          && Character.toLowerCase(chars[i]) != replacement) {
        chars[i] = replacement;
        return new String(chars);
      }
    }
    return s + "z";
  }

  private static DynamoException refusal(SigV4Verifier v, SignedRequest r) {
    DynamoException e =
        catchThrowableOfType(
            DynamoException.class, () -> v.verify(r, Set.of("us-east-1"), "dynamodb"));
    assertThat(e).as("refused: " + r.authorization()).isNotNull();
    return e;
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
