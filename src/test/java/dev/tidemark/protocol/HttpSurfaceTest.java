package dev.tidemark.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP surface DynamoDB presents beyond its operations, over raw HTTP so that every header is
 * what the test wrote: compressed request bodies, compressed responses, CORS, the Server header and
 * the header size limit.
 */
class HttpSurfaceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ECHO = "DynamoDB_20120810.Echo";
  private static HttpServer server;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    server = new HttpServer(TestActions.operations(), "us-east-1", RequestIds::next);
    port = server.start("127.0.0.1", 0);
  }

  @AfterAll
  static void stop() {
    server.stop();
  }

  private static RawHttp.Reply exchange(String method, String path, byte[] body, String... headers)
      throws IOException {
    StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: t\r\n");
    for (int i = 0; i < headers.length; i += 2) {
      head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    }
    if (body != null) {
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    head.append("\r\n");
    try (RawHttp raw = new RawHttp(port)) {
      raw.send(head.toString(), body);
      return raw.read();
    }
  }

  private static RawHttp.Reply post(byte[] body, String... headers) throws IOException {
    String[] all = new String[headers.length + 4];
    all[0] = "X-Amz-Target";
    all[1] = ECHO;
    all[2] = "Content-Type";
    all[3] = "application/x-amz-json-1.0";
    System.arraycopy(headers, 0, all, 4, headers.length);
    return exchange("POST", "/", body, all);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String crc32(byte[] body) {
    CRC32 crc = new CRC32();
    crc.update(body);
    return Long.toString(crc.getValue());
  }

  private static JsonNode echoed(RawHttp.Reply reply) throws IOException {
    assertThat(reply.status()).as(reply.text()).isEqualTo(200);
    return JSON.readTree(reply.body()).get("Request");
  }

  // A gzip body (what an SDK with request compression sends) is parsed after decoding.
  @Test
  void gzipRequestBodyIsDecoded() throws IOException {
    RawHttp.Reply reply =
        post(ContentCodingsTest.gzip("{\"TableName\":\"zipped\"}"), "Content-Encoding", "gzip");
    assertThat(echoed(reply).get("TableName").asText()).isEqualTo("zipped");
  }

  // deflate means the zlib format; concatenated gzip members are one body.
  @Test
  void deflateAndConcatenatedGzipBodiesAreDecoded() throws IOException {
    assertThat(
            echoed(post(ContentCodingsTest.zlib("{\"Limit\":3}"), "Content-Encoding", "deflate"))
                .get("Limit")
                .asInt())
        .isEqualTo(3);
    byte[] twoMembers =
        ContentCodingsTest.concat(
            ContentCodingsTest.gzip("{\"Lim"), ContentCodingsTest.gzip("it\":4}"));
    assertThat(echoed(post(twoMembers, "Content-Encoding", "gzip")).get("Limit").asInt())
        .isEqualTo(4);
  }

  // DynamoDB answers an unknown coding, a body that is not what its coding says, a truncated
  // stream and an empty body with HTTP 500 (an internal failure), not a JSON parse error.
  @Test
  void brokenOrUnknownEncodingsAre500() throws IOException {
    byte[] plain = utf8("{\"TableName\":\"t\"}");
    byte[] gz = ContentCodingsTest.gzip("{\"TableName\":\"t\"}");
    List<Object[]> cases =
        List.of(
            new Object[] {"garbage", gz},
            new Object[] {"gzip", plain},
            new Object[] {"gzip", java.util.Arrays.copyOf(gz, gz.length - 1)},
            new Object[] {"gzip", new byte[0]},
            new Object[] {"deflate", plain});
    for (Object[] c : cases) {
      RawHttp.Reply reply = post((byte[]) c[1], "Content-Encoding", (String) c[0]);
      assertThat(reply.status()).as("%s", c[0]).isEqualTo(500);
      assertThat(JSON.readTree(reply.body()).get("__type").asText())
          .endsWith("#InternalServerError");
    }
  }

  // 20 MiB of spaces gzip to a few KB; decoded, the request is over the 16 MiB limit: 413.
  @Test
  void bodyOverTheLimitOnceDecodedIs413() throws IOException {
    byte[] bomb = ContentCodingsTest.gzip("{\"TableName\":\"t\"" + " ".repeat(20 << 20) + "}");
    assertThat(bomb.length).isLessThan(64 * 1024);
    RawHttp.Reply reply = post(bomb, "Content-Encoding", "gzip");
    assertThat(reply.status()).isEqualTo(413);
  }

  // A large response is compressed when the client accepts it; the CRC32 covers the bytes sent
  // (what the SDKs check) and decoding gives the plain answer back.
  @Test
  void largeResponsesAreCompressedWhenAccepted() throws IOException {
    byte[] request = utf8("{\"TableName\":\"" + "x".repeat(6000) + "\"}");
    RawHttp.Reply plain = post(request);
    assertThat(plain.header("Content-Encoding")).isNull();
    for (String coding : List.of("gzip", "deflate")) {
      RawHttp.Reply reply = post(request, "Accept-Encoding", coding);
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.header("Content-Encoding")).isEqualTo(coding);
      assertThat(reply.body().length).isLessThan(plain.body().length / 10);
      assertThat(reply.header("x-amz-crc32")).isEqualTo(crc32(reply.body()));
      byte[] decoded =
          coding.equals("gzip")
              ? new GZIPInputStream(new ByteArrayInputStream(reply.body())).readAllBytes()
              : new InflaterInputStream(new ByteArrayInputStream(reply.body())).readAllBytes();
      assertThat(JSON.readTree(decoded).get("Request")).isEqualTo(JSON.readTree(request));
    }
  }

  // Bodies of 4 KiB or less stay plain whatever the client accepts; identity-only means plain.
  @Test
  void smallResponsesAndIdentityStayPlain() throws IOException {
    RawHttp.Reply small =
        post(utf8("{\"TableName\":\"" + "x".repeat(3000) + "\"}"), "Accept-Encoding", "gzip");
    assertThat(small.header("Content-Encoding")).isNull();
    RawHttp.Reply identity =
        post(utf8("{\"TableName\":\"" + "x".repeat(6000) + "\"}"), "Accept-Encoding", "identity");
    assertThat(identity.header("Content-Encoding")).isNull();
    assertThat(identity.header("x-amz-crc32")).isEqualTo(crc32(identity.body()));
  }

  // As on AWS, only the first Accept-Encoding line counts.
  @Test
  void onlyTheFirstAcceptEncodingLineCounts() throws IOException {
    byte[] request = utf8("{\"TableName\":\"" + "x".repeat(6000) + "\"}");
    assertThat(
            post(request, "Accept-Encoding", "identity", "Accept-Encoding", "gzip")
                .header("Content-Encoding"))
        .isNull();
    assertThat(
            post(request, "Accept-Encoding", "deflate", "Accept-Encoding", "gzip")
                .header("Content-Encoding"))
        .isEqualTo("deflate");
  }

  // DynamoDB names itself "Server" on every answer, success or error.
  @Test
  void everyAnswerCarriesTheServerHeader() throws IOException {
    assertThat(post(utf8("{}")).header("Server")).isEqualTo("Server");
    RawHttp.Reply error =
        exchange("POST", "/", utf8("{}"), "X-Amz-Target", "DynamoDB_20120810.Nope");
    assertThat(error.status()).isEqualTo(400);
    assertThat(error.header("Server")).isEqualTo("Server");
  }

  // With an Origin, every answer (GET, POST, an error, a preflight) allows any origin and exposes
  // the AWS response headers; only the preflight caches and echoes what it was asked.
  @Test
  void corsHeadersAnswerEveryCrossOriginRequest() throws IOException {
    String[] asked = {
      "Origin", "http://example.com/",
      "Access-Control-Request-Method", "dog",
      "Access-Control-Request-Headers", "cat, meerkat, mouse"
    };
    String expose = "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date";
    RawHttp.Reply preflight = exchange("OPTIONS", "/", null, asked);
    assertThat(preflight.status()).isEqualTo(200);
    assertThat(preflight.header("Access-Control-Allow-Origin")).isEqualTo("*");
    assertThat(preflight.header("Access-Control-Expose-Headers")).isEqualTo(expose);
    assertThat(preflight.header("Access-Control-Max-Age")).isEqualTo("172800");
    assertThat(preflight.header("Access-Control-Allow-Methods")).isEqualTo("dog");
    assertThat(preflight.header("Access-Control-Allow-Headers")).isEqualTo("cat, meerkat, mouse");

    List<RawHttp.Reply> others =
        List.of(
            exchange("GET", "/", null, asked),
            post(utf8("{}"), asked),
            exchange("POST", "/", utf8("{}"), concatArrays(asked, "X-Amz-Target", "Bad")));
    for (RawHttp.Reply reply : others) {
      assertThat(reply.header("Access-Control-Allow-Origin")).isEqualTo("*");
      assertThat(reply.header("Access-Control-Expose-Headers")).isEqualTo(expose);
      assertThat(reply.header("Access-Control-Max-Age")).isNull();
      assertThat(reply.header("Access-Control-Allow-Methods")).isNull();
      assertThat(reply.header("Access-Control-Allow-Headers")).isNull();
    }
  }

  // Without an Origin no CORS header is sent, whatever the method.
  @Test
  void noOriginNoCorsHeaders() throws IOException {
    for (RawHttp.Reply reply :
        List.of(exchange("OPTIONS", "/", null), exchange("GET", "/", null), post(utf8("{}")))) {
      assertThat(reply.headers().keySet()).noneMatch(h -> h.startsWith("access-control-"));
    }
  }

  // Headers up to DynamoDB's 16 KiB are served; over it, 400 (not 431) before any auth check.
  @Test
  void headersAreLimitedTo16KiBWithA400() throws IOException {
    RawHttp.Reply fits = post(utf8("{}"), "X-Padding", "y".repeat(12_000));
    assertThat(fits.status()).isEqualTo(200);
    RawHttp.Reply over = post(utf8("{}"), "X-Padding", "y".repeat(17_000));
    assertThat(over.status()).isEqualTo(400);
    assertThat(over.text()).doesNotContain("InvalidSignatureException");
  }

  // A request line over 16 KiB (a 17,000-character path) is a 400 before authentication.
  @Test
  void overlongRequestLineIs400() throws IOException {
    RawHttp.Reply reply =
        exchange(
            "POST",
            "/" + "a".repeat(17_000),
            utf8("{}"),
            "X-Amz-Target",
            ECHO,
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=AK/20261121/us-east-1/dynamodb/aws4_request,"
                + " SignedHeaders=host, Signature=00");
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.text()).doesNotContain("InvalidSignatureException");
  }

  private static String[] concatArrays(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
