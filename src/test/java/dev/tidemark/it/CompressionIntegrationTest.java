package dev.tidemark.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.CompressionConfiguration;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkInternalExecutionAttribute;
import software.amazon.awssdk.core.internal.interceptor.trait.RequestCompression;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Compressed requests and responses as the AWS SDK for Java v2 produces and consumes them.
 *
 * <p>The SDK compresses requests of operations whose service model declares the {@code
 * requestCompression} trait, gzip for bodies of 10 KiB or more by default. DynamoDB's model (in the
 * pinned SDK, and in botocore's) does not declare it, so {@link #GZIP_EVERY_OPERATION} marks every
 * operation as the generated code of such an operation would; the compressing itself is the SDK's
 * own stage with its default threshold. Responses: the SDK gunzips a gzip answer and checks its
 * {@code x-amz-crc32} against the compressed bytes, so a wrong CRC would fail the call.
 */
class CompressionIntegrationTest {
  private static final ExecutionInterceptor GZIP_EVERY_OPERATION =
      new ExecutionInterceptor() {
        @Override
        public void beforeExecution(
            Context.BeforeExecution context, ExecutionAttributes attributes) {
          attributes.putAttribute(
              SdkInternalExecutionAttribute.REQUEST_COMPRESSION,
              RequestCompression.builder().encodings("gzip").isStreaming(false).build());
        }
      };

  private static LiveServer server;
  private static Recording wire;
  private static DynamoDbClient compressing;

  @BeforeAll
  static void start() throws Exception {
    server = LiveServer.inMemory();
    server.client.createTable(ControlPlaneIntegrationTest.table("zipped").build());
    wire = new Recording(UrlConnectionHttpClient.create());
    compressing =
        DynamoDbClient.builder()
            .endpointOverride(URI.create(server.running.endpoint()))
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
            .httpClient(wire)
            .overrideConfiguration(
                o ->
                    o.addExecutionInterceptor(GZIP_EVERY_OPERATION)
                        .compressionConfiguration(
                            CompressionConfiguration.builder()
                                .requestCompressionEnabled(true)
                                .build()))
            .build();
  }

  @AfterAll
  static void stop() {
    compressing.close();
    server.close();
  }

  private static Map<String, AttributeValue> item(String pk, int sk, int bytes) {
    return Map.of(
        "pk", AttributeValue.fromS(pk),
        "sk", AttributeValue.fromN(Integer.toString(sk)),
        "payload", AttributeValue.fromS("p".repeat(bytes)));
  }

  private static Map<String, AttributeValue> key(String pk, int sk) {
    return Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromN(Integer.toString(sk)));
  }

  // Protects issue 17's complaint: a large PutItem from an SDK that gzips bodies of 10 KiB or
  // more used to fail with a JSON parse error. A small one goes plain, as the SDK decides.
  @Test
  void sdkGzippedPutItemIsStored() {
    wire.requests.clear();
    compressing.putItem(r -> r.tableName("zipped").item(item("big", 1, 20_000)));
    compressing.putItem(r -> r.tableName("zipped").item(item("small", 1, 10)));
    assertThat(wire.requests).containsExactly("gzip", "none");
    assertThat(server.client.getItem(r -> r.tableName("zipped").key(key("big", 1))).item())
        .isEqualTo(item("big", 1, 20_000));
    assertThat(server.client.getItem(r -> r.tableName("zipped").key(key("small", 1))).item())
        .isEqualTo(item("small", 1, 10));
  }

  // BatchWriteItem and TransactWriteItems are the other large bodies an SDK compresses.
  @Test
  void sdkGzippedBatchAndTransactionAreApplied() {
    wire.requests.clear();
    List<WriteRequest> puts =
        java.util.stream.IntStream.range(0, 5)
            .mapToObj(
                i ->
                    WriteRequest.builder()
                        .putRequest(PutRequest.builder().item(item("batch", i, 4_000)).build())
                        .build())
            .toList();
    compressing.batchWriteItem(r -> r.requestItems(Map.of("zipped", puts)));
    compressing.transactWriteItems(
        r ->
            r.transactItems(
                TransactWriteItem.builder()
                    .put(Put.builder().tableName("zipped").item(item("tx", 1, 8_000)).build())
                    .build(),
                TransactWriteItem.builder()
                    .put(Put.builder().tableName("zipped").item(item("tx", 2, 8_000)).build())
                    .build()));
    assertThat(wire.requests).containsExactly("gzip", "gzip");
    assertThat(
            server
                .client
                .query(
                    r ->
                        r.tableName("zipped")
                            .keyConditionExpression("pk = :p")
                            .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("batch"))))
                .count())
        .isEqualTo(5);
    assertThat(server.client.getItem(r -> r.tableName("zipped").key(key("tx", 2))).item())
        .isEqualTo(item("tx", 2, 8_000));
  }

  // An SDK asking for gzip answers gets them for bodies over 4 KiB, and accepts them only if the
  // CRC32 is of the compressed bytes; small answers stay plain.
  @Test
  void sdkReadsGzippedResponsesAndChecksTheirCrc() {
    server.client.putItem(r -> r.tableName("zipped").item(item("read", 1, 30_000)));
    server.client.putItem(r -> r.tableName("zipped").item(item("read", 2, 100)));
    wire.responses.clear();
    var big =
        compressing.getItem(
            r ->
                r.tableName("zipped")
                    .key(key("read", 1))
                    .overrideConfiguration(o -> o.putHeader("Accept-Encoding", "gzip")));
    var small =
        compressing.getItem(
            r ->
                r.tableName("zipped")
                    .key(key("read", 2))
                    .overrideConfiguration(o -> o.putHeader("Accept-Encoding", "gzip")));
    assertThat(big.item()).isEqualTo(item("read", 1, 30_000));
    assertThat(small.item()).isEqualTo(item("read", 2, 100));
    assertThat(wire.responses).containsExactly("gzip", "none");
  }

  // A broken or unknown body encoding is answered 500 and the write is not applied. Sent raw:
  // the SDK cannot be made to send a wrong body.
  @Test
  void undecodableBodiesWriteNothing() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String body =
        "{\"TableName\":\"zipped\",\"Item\":{\"pk\":{\"S\":\"broken\"},\"sk\":{\"N\":\"%d\"}}}";
    byte[][] bodies = {
      String.format(body, 1).getBytes(StandardCharsets.UTF_8), gzip(String.format(body, 2))
    };
    String[] codings = {"gzip", "garbage"};
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(server.running.endpoint()))
                  .header("X-Amz-Target", "DynamoDB_20120810.PutItem")
                  .header("Content-Type", "application/x-amz-json-1.0")
                  .header("Content-Encoding", codings[i])
                  .POST(HttpRequest.BodyPublishers.ofByteArray(bodies[i]))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(codings[i]).isEqualTo(500);
      int sk = i + 1;
      assertThat(server.client.getItem(r -> r.tableName("zipped").key(key("broken", sk))).hasItem())
          .isFalse();
    }
  }

  static byte[] gzip(String text) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  /** Records the Content-Encoding of every request sent and every response received. */
  private static final class Recording implements SdkHttpClient {
    final List<String> requests = new CopyOnWriteArrayList<>();
    final List<String> responses = new CopyOnWriteArrayList<>();
    private final SdkHttpClient delegate;

    Recording(SdkHttpClient delegate) {
      this.delegate = delegate;
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
      requests.add(request.httpRequest().firstMatchingHeader("Content-Encoding").orElse("none"));
      ExecutableHttpRequest call = delegate.prepareRequest(request);
      return new ExecutableHttpRequest() {
        @Override
        public HttpExecuteResponse call() throws IOException {
          HttpExecuteResponse response = call.call();
          responses.add(
              response.httpResponse().firstMatchingHeader("Content-Encoding").orElse("none"));
          return response;
        }

        @Override
        public void abort() {
          call.abort();
        }
      };
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
