package dev.tidemark.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SigV4HeaderTest {
  private static final String SIGNATURE =
      "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
  private static final String VALID =
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261121/eu-west-2/dynamodb/aws4_request, "
          + "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature="
          + SIGNATURE;

  private static DynamoException refusal(String header) {
    DynamoException e =
        catchThrowableOfType(DynamoException.class, () -> SigV4Header.parse(header));
    assertThat(e).as(header).isNotNull();
    assertThat(e.error()).isEqualTo(WireError.INCOMPLETE_SIGNATURE);
    return e;
  }

  // What the AWS SDKs send parses into its parts, and the caller comes from the scope.
  @Test
  void parsesTheHeaderTheSdksSend() {
    SigV4Header h = SigV4Header.parse(VALID);
    assertThat(h.accessKeyId()).isEqualTo("AKIDEXAMPLE");
    assertThat(h.date()).isEqualTo("20261121");
    assertThat(h.region()).isEqualTo("eu-west-2");
    assertThat(h.service()).isEqualTo("dynamodb");
    assertThat(h.signedHeaders())
        .containsExactly("content-type", "host", "x-amz-date", "x-amz-target");
    assertThat(h.signature()).isEqualTo(SIGNATURE);
    assertThat(h.caller())
        .isEqualTo(new CallerIdentity("AKIDEXAMPLE", "eu-west-2", "dynamodb", true));
  }

  // Whitespace and component order vary between signers; none of it changes the meaning.
  @Test
  void toleratesOrderAndWhitespace() {
    SigV4Header h =
        SigV4Header.parse(
            "  AWS4-HMAC-SHA256   Signature="
                + SIGNATURE
                + " ,SignedHeaders=host,Credential=AK/20260101/us-east-1/dynamodb/aws4_request ");
    assertThat(h.accessKeyId()).isEqualTo("AK");
    assertThat(h.signedHeaders()).containsExactly("host");
  }

  // Each missing component is named, all at once, so the client fixes everything in one go.
  @Test
  void namesEveryMissingComponent() {
    assertThat(
            refusal("AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/dynamodb/aws4_request")
                .getMessage())
        .contains("'SignedHeaders'", "'Signature'")
        .doesNotContain("'Credential'");
    assertThat(refusal("AWS4-HMAC-SHA256 ").getMessage())
        .contains("'Credential'", "'SignedHeaders'", "'Signature'");
  }

  // Malformed credential scopes, signed-header lists and signatures are refused with a reason.
  @Test
  void refusesMalformedParts() {
    Map<String, String> cases =
        Map.of(
            "AK/20260101/us-east-1/dynamodb", "slash-separated",
            "AK/2026-01-01/us-east-1/dynamodb/aws4_request", "yyyyMMdd",
            "AK/20260101/us-east-1/dynamodb/aws5_request", "aws4_request",
            "/20260101/us-east-1/dynamodb/aws4_request", "empty part");
    cases.forEach(
        (credential, reason) ->
            assertThat(
                    refusal(
                            "AWS4-HMAC-SHA256 Credential="
                                + credential
                                + ", SignedHeaders=host, Signature="
                                + SIGNATURE)
                        .getMessage())
                .as(credential)
                .contains(reason));
    String scope = "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/dynamodb/aws4_request, ";
    assertThat(refusal(scope + "SignedHeaders=host;;x, Signature=" + SIGNATURE).getMessage())
        .contains("SignedHeaders");
    assertThat(refusal(scope + "SignedHeaders=host, Signature=not-hex!").getMessage())
        .contains("hexadecimal");
    assertThat(refusal(scope + "SignedHeaders=host, Signature=ab, Signature=cd").getMessage())
        .contains("repeats");
  }

  // Garbage, other schemes and empty values never parse and never echo huge input back.
  @Test
  void refusesGarbage() {
    assertThat(refusal("").getMessage()).contains("empty");
    assertThat(refusal("Basic dXNlcjpwYXNz").getMessage()).contains("AWS4-HMAC-SHA256", "Basic");
    assertThat(refusal("AWS4-HMAC-SHA256").getMessage()).contains("'Credential'");
    assertThat(refusal("AWS4-HMAC-SHA256X Credential=a").getMessage()).contains("scheme");
    assertThat(refusal("AWS4-HMAC-SHA256 " + "z".repeat(10_000)).getMessage()).hasSizeLessThan(400);
    refusal("\u0000\u0001 junk ,,, ==");
  }

  /**
   * Protects the parse memo: after a header is parsed, the next one that starts the same way is
   * read only up to its signature. Whatever follows, the answer (parts or refusal) must be exactly
   * what a full parse gives, so nothing that a full parse refuses slips through as a signature.
   */
  @Test
  void aHeaderLikeTheLastParsesAsInFull() {
    String prefix = VALID.substring(0, VALID.length() - SIGNATURE.length());
    String[] tails = {
      SIGNATURE,
      "ab".repeat(32),
      SIGNATURE.toUpperCase(java.util.Locale.ROOT),
      "a",
      "",
      SIGNATURE + " ",
      SIGNATURE + ",",
      SIGNATURE + ", Signature=" + SIGNATURE,
      SIGNATURE + ", Foo=bar",
      SIGNATURE + "g",
      SIGNATURE + "/" + SIGNATURE,
      " " + SIGNATURE,
    };
    for (String tail : tails) {
      SigV4Header.parse(VALID); // primes this thread's memo
      String header = prefix + tail;
      Object full = outcome(() -> SigV4Header.parseAll(header));
      assertThat(outcome(() -> SigV4Header.parse(header))).as(header).isEqualTo(full);
    }
    // A header whose signature is not its last component is never taken as a prefix.
    String reordered =
        "AWS4-HMAC-SHA256 Signature="
            + SIGNATURE
            + ", Credential=AK/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host";
    SigV4Header.parse(reordered);
    assertThat(SigV4Header.parse(reordered + "ab").signedHeaders()).containsExactly("hostab");
  }

  /** The parsed header, or the refusal's type and message. */
  private static Object outcome(java.util.function.Supplier<SigV4Header> parse) {
    try {
      return parse.get();
    } catch (DynamoException e) {
      return e.error() + ": " + e.getMessage();
    }
  }

  // Development mode: no header is anonymous, any well-formed header is believed, bad ones refused.
  @Test
  void developmentAuthenticatorAcceptsAnyCredentials() {
    Authenticator dev = Authenticator.acceptAnyCredentials("us-east-1");
    assertThat(dev.authenticate(request(null))).isEqualTo(CallerIdentity.anonymous("us-east-1"));
    assertThat(dev.authenticate(request(VALID)).accessKeyId()).isEqualTo("AKIDEXAMPLE");
    DynamoException e =
        catchThrowableOfType(DynamoException.class, () -> dev.authenticate(request("Bearer x")));
    assertThat(e.error()).isEqualTo(WireError.INCOMPLETE_SIGNATURE);
  }

  private static SignedRequest request(String authorization) {
    return new SignedRequest(
        "POST",
        "/",
        null,
        name -> name.equalsIgnoreCase("Authorization") ? authorization : null,
        new byte[0]);
  }
}
