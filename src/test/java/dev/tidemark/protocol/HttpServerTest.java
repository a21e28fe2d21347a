package dev.tidemark.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tidemark.api.Operations;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HttpServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String AUTH =
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261121/us-east-1/dynamodb/aws4_request,"
          + " SignedHeaders=host;x-amz-date;x-amz-target, Signature="
          + "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";

  private static HttpServer server;
  private static int port;
  private static HttpClient client;

  @BeforeAll
  static void start() throws Exception {
    server = new HttpServer(TestActions.operations(), "us-east-1", RequestIds::next);
    port = server.start("127.0.0.1", 0);
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterAll
  static void stop() {
    server.stop();
  }

  private static HttpResponse<byte[]> post(String target, String body, String... headers)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/x-amz-json-1.0")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (target != null) {
      request.header("X-Amz-Target", target);
    }
    if (headers.length > 0) {
      request.headers(headers);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static JsonNode json(HttpResponse<byte[]> response) throws IOException {
    return JSON.readTree(response.body());
  }

  private static long crc32(byte[] body) {
    CRC32 crc = new CRC32();
    crc.update(body);
    return crc.getValue();
  }

  // Load balancers and orchestrators probe GET /; DynamoDB answers "healthy: <Host header>".
  @Test
  void getOfTheRootAnswersHealthWithTheHost() throws Exception {
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("healthy: 127.0.0.1:" + port);
    assertThat(response.headers().firstValue("x-amzn-RequestId")).isPresent();
    assertThat(response.headers().firstValue("Server")).hasValue("Server");
  }

  // DynamoDB answers the health check on / only; any other path is a client error (400-404).
  @Test
  void getOfAnyOtherPathIsRefused() throws Exception {
    for (String path : List.of("/abc", "/-", "/index.htm", "/health")) {
      HttpResponse<byte[]> response =
          client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(response.statusCode()).as(path).isBetween(400, 404);
      assertThat(json(response).get("__type").asText()).endsWith("#UnknownOperationException");
    }
  }

  // The request body reaches the action unchanged and the response carries its result.
  @Test
  void dispatchesToTheNamedAction() throws Exception {
    HttpResponse<byte[]> response =
        post("DynamoDB_20120810.Echo", "{\"TableName\":\"t\",\"Limit\":5}", "Authorization", AUTH);
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = json(response);
    assertThat(body.get("Request").get("TableName").asText()).isEqualTo("t");
    assertThat(body.get("Request").get("Limit").asInt()).isEqualTo(5);
    assertThat(body.get("AccessKeyId").asText()).isEqualTo("AKIDEXAMPLE");
    assertThat(body.get("Signed").asBoolean()).isTrue();
    assertThat(body.get("RequestId").asText())
        .isEqualTo(response.headers().firstValue("x-amzn-RequestId").orElseThrow());
  }

  // Development mode lets unsigned requests (curl, quick scripts) through as anonymous.
  @Test
  void missingAuthorizationIsAnonymous() throws Exception {
    JsonNode body = json(post("DynamoDB_20120810.Echo", "{}"));
    assertThat(body.get("AccessKeyId").asText()).isEqualTo("anonymous");
    assertThat(body.get("Signed").asBoolean()).isFalse();
  }

  // A mangled Authorization header is refused the way DynamoDB refuses it.
  @Test
  void malformedAuthorizationIsIncompleteSignature() throws Exception {
    HttpResponse<byte[]> response =
        post("DynamoDB_20120810.Echo", "{}", "Authorization", "AWS4-HMAC-SHA256 garbage");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).get("__type").asText())
        .isEqualTo("com.amazonaws.dynamodb.v20120810#IncompleteSignatureException");
    assertThat(json(response).get("message").asText()).contains("Credential");
  }

  // Unimplemented operations must say so, not pretend to work.
  @Test
  void unknownTargetIsUnknownOperation() throws Exception {
    HttpResponse<byte[]> response = post("DynamoDB_20120810.NoSuchThing", "{}");
    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode body = json(response);
    assertThat(body.get("__type").asText())
        .isEqualTo("com.amazonaws.dynamodb.v20120810#UnknownOperationException");
    assertThat(body.get("message").asText()).contains("NoSuchThing");
  }

  // Requests without a target, or with another service's target, never reach an action.
  @Test
  void missingOrForeignTargetIsUnknownOperation() throws Exception {
    assertThat(json(post(null, "{}")).get("__type").asText())
        .endsWith("#UnknownOperationException");
    assertThat(json(post("Kinesis_20131202.Echo", "{}")).get("__type").asText())
        .endsWith("#UnknownOperationException");
  }

  // Streams targets route by their full name, and the main prefix cannot be used to reach them.
  @Test
  void streamsTargetsUseTheirFullName() throws Exception {
    HttpResponse<byte[]> streams = post("DynamoDBStreams_20120810.ListStreams", "{}");
    assertThat(streams.statusCode()).isEqualTo(200);
    assertThat(json(streams).has("Streams")).isTrue();
    HttpResponse<byte[]> smuggled =
        post("DynamoDB_20120810.DynamoDBStreams_20120810.ListStreams", "{}");
    assertThat(smuggled.statusCode()).isEqualTo(400);
  }

  // Clients that omit Content-Type still work; ones that send a non-JSON type are told why.
  @Test
  void contentTypeIsLenientOnlyWhenAbsent() throws Exception {
    try (RawHttp raw = new RawHttp(port)) {
      raw.send(
          "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.Echo\r\n"
              + "Content-Length: 2\r\n\r\n",
          "{}".getBytes(StandardCharsets.UTF_8));
      assertThat(raw.read().status()).isEqualTo(200);
    }
    HttpResponse<byte[]> wrong =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .header("Content-Type", "text/plain")
                .header("X-Amz-Target", "DynamoDB_20120810.Echo")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(wrong.statusCode()).isEqualTo(400);
    assertThat(json(wrong).get("message").asText()).contains("text/plain");
  }

  // Malformed JSON is the client's fault: a short SerializationException, no parser internals.
  @Test
  void malformedJsonIsSerializationException() throws Exception {
    HttpResponse<byte[]> response = post("DynamoDB_20120810.Echo", "{\"TableName\": ");
    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode body = json(response);
    assertThat(body.get("__type").asText())
        .isEqualTo("com.amazonaws.dynamodb.v20120810#SerializationException");
    assertThat(body.get("message").asText())
        .startsWith("Request body is not valid JSON")
        .hasSizeLessThan(300);
    assertThat(body.get("message").asText()).doesNotContain("Source:", "jackson");
  }

  // A lone surrogate escape anywhere (a value, a field name, in an array) is no Unicode text and
  // is refused before any action sees it; the message spells it as an escape, so that the answer
  // itself is sound JSON. A proper pair is ordinary text.
  @Test
  void aLoneSurrogateEscapeIsSerializationException() throws Exception {
    for (String bad :
        new String[] {
          "{\"A\":\"x\\uD83D\"}", "{\"\\uDE00\":1}", "{\"A\":[1,{\"B\":\"\\uDE00\\uD83D\"}]}"
        }) {
      HttpResponse<byte[]> response = post("DynamoDB_20120810.Echo", bad);
      assertThat(response.statusCode()).as(bad).isEqualTo(400);
      JsonNode body = json(response);
      assertThat(body.get("__type").asText()).as(bad).endsWith("#SerializationException");
      assertThat(body.get("message").asText())
          .as(bad)
          .startsWith("Request body is not valid JSON: a string holds an unpaired UTF-16 surrogate")
          .containsPattern("\\\\u(D83D|DE00)");
    }
    assertThat(post("DynamoDB_20120810.Echo", "{\"A\":\"\\uD83D\\uDE00\"}").statusCode())
        .isEqualTo(200);
  }

  // Only an object is an operation's input; arrays, scalars and trailing garbage are refused.
  @Test
  void nonObjectOrTrailingJsonIsSerializationException() throws Exception {
    for (String bad : new String[] {"[]", "42", "{} {}", "{}x"}) {
      assertThat(json(post("DynamoDB_20120810.Echo", bad)).get("__type").asText())
          .as(bad)
          .endsWith("#SerializationException");
    }
  }

  // A DynamoException's extra fields reach the client, but cannot overwrite type or message.
  @Test
  void dynamoExceptionRendersTypeMessageAndExtraFields() throws Exception {
    HttpResponse<byte[]> response = post("DynamoDB_20120810.FailCondition", "{}");
    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode body = json(response);
    assertThat(body.get("__type").asText())
        .isEqualTo("com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException");
    assertThat(body.get("message").asText()).isEqualTo("The conditional request failed");
    assertThat(body.at("/Item/pk/S").asText()).isEqualTo("a");
  }

  // A bug in an action becomes a generic 500; internals never reach the client.
  @Test
  void unexpectedExceptionIsGenericInternalServerError() throws Exception {
    HttpResponse<byte[]> response = post("DynamoDB_20120810.Explode", "{}");
    assertThat(response.statusCode()).isEqualTo(500);
    String text = new String(response.body(), StandardCharsets.UTF_8);
    assertThat(json(response).get("__type").asText())
        .isEqualTo("com.amazonaws.dynamodb.v20120810#InternalServerError");
    assertThat(text).doesNotContain("secret", "IllegalStateException", "at dev.tidemark");
  }

  // The SDKs reject responses whose x-amz-crc32 does not match the body bytes.
  @Test
  void crc32HeaderMatchesBodyOnSuccessAndError() throws Exception {
    for (String target :
        new String[] {
          "DynamoDB_20120810.Echo", "DynamoDB_20120810.Nope", "DynamoDB_20120810.Explode"
        }) {
      HttpResponse<byte[]> response = post(target, "{\"k\":\"\u00e9\u6f22\"}");
      assertThat(response.headers().firstValue("x-amz-crc32"))
          .as(target)
          .hasValue(Long.toString(crc32(response.body())));
      assertThat(response.headers().firstValue("Content-Length"))
          .hasValue(Integer.toString(response.body().length));
    }
  }

  // Every response carries a fresh DynamoDB-style request id for support and logs.
  @Test
  void everyResponseHasAFreshRequestId() throws Exception {
    String a =
        post("DynamoDB_20120810.Echo", "{}").headers().firstValue("x-amzn-RequestId").orElseThrow();
    String b =
        post("DynamoDB_20120810.Nope", "{}").headers().firstValue("x-amzn-RequestId").orElseThrow();
    assertThat(a).matches("[A-Z0-9]{52}");
    assertThat(b).matches("[A-Z0-9]{52}").isNotEqualTo(a);
  }

  // SDK connection pools rely on keep-alive; two requests must share one connection.
  @Test
  void keepAliveServesSeveralRequestsOnOneConnection() throws Exception {
    try (RawHttp raw = new RawHttp(port)) {
      for (int i = 0; i < 3; i++) {
        byte[] body = ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
        raw.send(
            "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.Echo\r\n"
                + "Content-Type: application/x-amz-json-1.0\r\nContent-Length: "
                + body.length
                + "\r\n\r\n",
            body);
        RawHttp.Reply reply = raw.read();
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.text()).contains("\"n\":" + i);
      }
      // Errors must not cost the connection either, even when the body trails the headers.
      raw.send(
          "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.Nope\r\n"
              + "Content-Length: 2\r\n\r\n",
          null);
      Thread.sleep(100);
      raw.send("", "{}".getBytes(StandardCharsets.UTF_8));
      RawHttp.Reply refused = raw.read();
      assertThat(refused.status()).isEqualTo(400);
      assertThat(refused.header("Connection")).isNull();
      raw.send(
          "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.Echo\r\n"
              + "Content-Length: 2\r\n\r\n",
          "{}".getBytes(StandardCharsets.UTF_8));
      assertThat(raw.read().status()).isEqualTo(200);
    }
  }

  // An oversized declared body is refused before any of it is read, and the connection closed.
  @Test
  void oversizedContentLengthIs413WithoutReadingTheBody() throws Exception {
    try (RawHttp raw = new RawHttp(port)) {
      raw.send(
          "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.Echo\r\n"
              + "Content-Length: "
              + (HttpServer.Limits.DEFAULT_MAX_BODY_BYTES + 1)
              + "\r\n\r\n",
          null);
      RawHttp.Reply reply = raw.read();
      assertThat(reply.status()).isEqualTo(413);
      assertThat(reply.text()).contains("#RequestEntityTooLarge");
      assertThat(reply.header("x-amz-crc32")).isEqualTo(Long.toString(crc32(reply.body())));
      assertThat(raw.closedByServer()).isTrue();
    }
  }

  // A chunked body without a declared length is cut off as soon as it passes the limit.
  @Test
  void oversizedChunkedBodyIs413() throws Exception {
    try (HttpServer small =
        new HttpServer(
            TestActions.operations(),
            RequestIds::next,
            dev.tidemark.auth.Authenticator.acceptAnyCredentials("us-east-1"),
            HttpServer.Limits.defaults().withMaxBodyBytes(1024))) {
      int smallPort = small.start("127.0.0.1", 0);
      try (RawHttp raw = new RawHttp(smallPort)) {
        String chunk = "{\"pad\":\"" + "x".repeat(2000) + "\"}";
        raw.send(
            "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.Echo\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(chunk.length())
                + "\r\n"
                + chunk
                + "\r\n0\r\n\r\n",
            null);
        assertThat(raw.read().status()).isEqualTo(413);
      }
      // Just under the limit still works, chunked too.
      try (RawHttp raw = new RawHttp(smallPort)) {
        String chunk = "{\"pad\":\"" + "x".repeat(900) + "\"}";
        raw.send(
            "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.Echo\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(chunk.length())
                + "\r\n"
                + chunk
                + "\r\n0\r\n\r\n",
            null);
        assertThat(raw.read().status()).isEqualTo(200);
      }
    }
  }

  // Other methods are not DynamoDB requests; they get a DynamoDB-shaped refusal.
  @Test
  void otherMethodsAreRefused() throws Exception {
    HttpResponse<byte[]> response =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .PUT(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).get("__type").asText()).endsWith("#UnknownOperationException");
  }

  // Errors Jetty raises itself (here: headers too large, 400 as on DynamoDB) still come back as
  // DynamoDB JSON.
  @Test
  void jettyLevelErrorsAreRenderedAsWireErrors() throws Exception {
    try (RawHttp raw = new RawHttp(port)) {
      raw.send(
          "POST / HTTP/1.1\r\nHost: x\r\nX-Big: "
              + "y".repeat(20_000)
              + "\r\n"
              + "Content-Length: 2\r\n\r\n{}",
          null);
      RawHttp.Reply reply = raw.read();
      assertThat(reply.status()).isEqualTo(400);
      assertThat(reply.header("Content-Type")).isEqualTo("application/x-amz-json-1.0");
      assertThat(reply.text()).contains("\"__type\"");
      assertThat(reply.header("x-amz-crc32")).isEqualTo(Long.toString(crc32(reply.body())));
    }
  }

  // Regression (found by the hostile-input fuzzer): after a request Jetty refuses itself (bad
  // percent-encoding, dot segments above the root, CONNECT), the response says Connection: close,
  // so a keep-alive client does not send its next request into a socket the server closed.
  @Test
  void jettyLevelRefusalsAnnounceTheClose() throws Exception {
    for (String requestLine :
        List.of("POST /%zz HTTP/1.1", "POST /../../etc HTTP/1.1", "CONNECT / HTTP/1.1")) {
      try (RawHttp raw = new RawHttp(port)) {
        raw.send(
            requestLine
                + "\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.Echo\r\n"
                + "Content-Length: 2\r\n\r\n{}",
            null);
        RawHttp.Reply reply = raw.read();
        assertThat(reply.status()).as(requestLine).isEqualTo(400);
        assertThat(reply.text()).contains("\"__type\"");
        assertThat(reply.header("Connection")).as(requestLine).isEqualToIgnoringCase("close");
        assertThat(raw.closedByServer()).isTrue();
      }
    }
  }

  // Stopping lets an in-flight request finish instead of cutting its connection.
  @Test
  void stopDrainsInFlightRequests() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Operations ops =
        new Operations()
            .register(
                TestActions.action(
                    "Slow",
                    (ctx, req) -> {
                      entered.countDown();
                      try {
                        release.await(10, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                      return JsonNodeFactory.instance.objectNode().put("done", true);
                    }));
    HttpServer draining = new HttpServer(ops, "us-east-1", RequestIds::next);
    int drainingPort = draining.start("127.0.0.1", 0);
    CompletableFuture<HttpResponse<byte[]>> inFlight =
        client.sendAsync(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + drainingPort + "/"))
                .header("X-Amz-Target", "DynamoDB_20120810.Slow")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Void> stopping = CompletableFuture.runAsync(draining::stop);
    Thread.sleep(200);
    assertThat(stopping).isNotDone();
    release.countDown();
    HttpResponse<byte[]> response = inFlight.get(10, TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(json(response).get("done").asBoolean()).isTrue();
    stopping.get(10, TimeUnit.SECONDS);
  }
}
