package dev.tidemark.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.InflaterInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Content negotiation and request decoding as DynamoDB does them. The Accept-Encoding table is
 * DynamoDB's observed behaviour (collected by the ScyllaDB Alternator project's tests run against
 * AWS), including its handling of malformed values.
 */
class ContentCodingsTest {
  private static final long LIMIT = 1 << 20;

  static byte[] gzip(String text) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  static byte[] zlib(String text) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DeflaterOutputStream z = new DeflaterOutputStream(out)) {
      z.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static String decode(String coding, byte[] body) {
    return new String(ContentCodings.decode(coding, body, LIMIT), StandardCharsets.UTF_8);
  }

  private static void assertUndecodable(String coding, byte[] body) {
    assertThatThrownBy(() -> ContentCodings.decode(coding, body, LIMIT))
        .isInstanceOfSatisfying(
            DynamoException.class,
            e -> {
              assertThat(e.error()).isEqualTo(WireError.INTERNAL_SERVER_ERROR);
              assertThat(e.error().httpStatus()).isEqualTo(500);
            });
  }

  // Protects the Accept-Encoding table: which coding DynamoDB picks for each header value (null:
  // none, the body goes plain).
  @ParameterizedTest(name = "[{index}] ''{0}'' -> {1}")
  @CsvSource(
      delimiter = '|',
      nullValues = "none",
      value = {
        "gzip | gzip",
        "deflate | deflate",
        "identity | none",
        "br | none",
        "zstd | none",
        "compress | none",
        "x-gzip | none",
        "gzip, deflate | gzip",
        "br, identity, deflate, gzip | deflate",
        "'GZIP, identity' | gzip",
        "'dog, gzip ,, cat' | gzip",
        "'gzip;q=0.8, deflate;q=0.5' | gzip",
        "'br, gzip;q=0, deflate; q = 0.5 , identity;q=0' | deflate",
        "* | gzip",
        "'*, deflate;q=0.5' | gzip",
        "'*, deflate' | deflate",
        "'*, identity' | gzip",
        "'*, gzip;q=0.5' | deflate",
        "gzip ;q=0 | none",
        "identity;q=0 | none",
        "*;q=0 | none",
        "'*;q=0.5,identity' | gzip",
        "'gzip;q=0.5,identity;q=0.8' | gzip",
        "'br;q=0.8,identity;q=0.5,*;q=0' | none",
        "'\"gzip\"' | none",
        "gzip br | none",
        "gzip:q=1 | none",
        "'deflate;q=0.5, gzip;q=31' | gzip",
        "'gzip;q=31,deflate;q=51' | gzip",
        "'deflate;q=0.5, gzip;q=0.2' | deflate",
        "'deflate;q=0.5, gzip;q=1;q=0.2' | gzip",
        "'deflate;q=0.5,gzip;q=0.' | deflate",
        "'deflate;q=0.5,gzip;q=0.x' | gzip",
        "'deflate;q=-0.5,gzip;q=0.2' | gzip",
        "'gzip;nq=1;q=0 ' | none",
        "'gzip;q=0, gzip;q=1, gzip;q=0' | gzip",
        "'br,identity;q=0.5,gzip;q=0.0001' | gzip",
      })
  void acceptEncodingIsNegotiatedAsDynamoDbDoes(String header, String expected) {
    ContentCodings.Coding chosen = ContentCodings.negotiate(header);
    assertThat(chosen == null ? null : chosen.token).isEqualTo(expected);
  }

  // An absent or empty header means a plain answer.
  @Test
  void noAcceptEncodingMeansPlain() {
    assertThat(ContentCodings.negotiate(null)).isNull();
    assertThat(ContentCodings.negotiate("")).isNull();
  }

  // Protects that what we send decodes with the standard readers (gzip; zlib for deflate).
  @Test
  void encodedBodiesDecodeWithStandardReaders() throws IOException {
    byte[] body = "{\"Item\":{}}".repeat(1000).getBytes(StandardCharsets.UTF_8);
    byte[] gz = ContentCodings.encode(ContentCodings.Coding.GZIP, body);
    byte[] zl = ContentCodings.encode(ContentCodings.Coding.DEFLATE, body);
    assertThat(gz.length).isLessThan(body.length / 10);
    assertThat(new GZIPInputStream(new java.io.ByteArrayInputStream(gz)).readAllBytes())
        .isEqualTo(body);
    assertThat(new InflaterInputStream(new java.io.ByteArrayInputStream(zl)).readAllBytes())
        .isEqualTo(body);
  }

  // gzip members may be concatenated (RFC 1952); junk after a member is tolerated as on AWS.
  @Test
  void gzipMembersConcatenateAndTrailingJunkIsIgnored() throws IOException {
    assertThat(decode("gzip", concat(gzip("{\"a\":"), gzip("1}")))).isEqualTo("{\"a\":1}");
    assertThat(decode("GZIP", concat(gzip("{}"), "junk".getBytes(StandardCharsets.UTF_8))))
        .isEqualTo("{}");
  }

  // deflate is one zlib stream (RFC 1950); DynamoDB refuses a second stream after it.
  @Test
  void deflateIsOneZlibStream() throws IOException {
    assertThat(decode("deflate", zlib("{\"a\":1}"))).isEqualTo("{\"a\":1}");
    assertUndecodable("deflate", concat(zlib("{\"a\":"), zlib("1}")));
  }

  // Broken bodies and unknown codings are DynamoDB's 500 internal failure, never a parse error.
  @Test
  void brokenOrUnknownCodingsAreInternalFailures() throws IOException {
    byte[] gz = gzip("{\"TableName\":\"t\"}");
    assertUndecodable("gzip", "{\"TableName\":\"t\"}".getBytes(StandardCharsets.UTF_8));
    assertUndecodable("gzip", java.util.Arrays.copyOf(gz, gz.length - 1));
    assertUndecodable("gzip", new byte[0]);
    assertUndecodable("deflate", new byte[0]);
    assertUndecodable("deflate", gz);
    byte[] zl = zlib("{\"TableName\":\"t\"}");
    assertUndecodable("deflate", java.util.Arrays.copyOf(zl, zl.length - 1));
    assertUndecodable("garbage", gz);
    assertUndecodable("br", gz);
  }

  // A small body that inflates past the request limit is refused as too large, without
  // inflating it all (the limit caps the buffer).
  @Test
  void decodedSizeIsLimited() throws IOException {
    String big = "{" + " ".repeat((int) LIMIT) + "}";
    for (byte[] body : new byte[][] {gzip(big), zlib(big)}) {
      String coding = body[0] == 0x1f ? "gzip" : "deflate";
      assertThatThrownBy(() -> ContentCodings.decode(coding, body, LIMIT))
          .isInstanceOfSatisfying(
              DynamoException.class,
              e -> assertThat(e.error()).isEqualTo(WireError.REQUEST_TOO_LARGE));
      assertThat(ContentCodings.decode(coding, body, LIMIT + 2)).hasSize(big.length());
    }
  }
}
