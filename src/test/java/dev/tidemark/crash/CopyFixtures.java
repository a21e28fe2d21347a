package dev.tidemark.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.auth.SignedHttp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/** What the copy tests between server processes share: AWS Backup calls and the table they copy. */
final class CopyFixtures {
  private static final ObjectMapper JSON = new ObjectMapper();

  private CopyFixtures() {}

  /** An AWS Backup REST call to the server on {@code port}, SigV4-signed as clients sign it. */
  static SignedHttp.RestAnswer call(int port, String method, String path, String body)
      throws Exception {
    return SignedHttp.rest("http://127.0.0.1:" + port, "AKIDEXAMPLE", "secret", method, path, body);
  }

  /** As {@link #call}, which must answer 200; its JSON body. */
  static JsonNode ok(int port, String server, String method, String path, String body)
      throws Exception {
    SignedHttp.RestAnswer a = call(port, method, path, body);
    assertThat(a.status()).as(server + " " + method + " " + path + ": " + a.body()).isEqualTo(200);
    return a.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(a.body());
  }

  /** The table's items by key ({@code pk}). */
  static Map<String, Map<String, AttributeValue>> scan(DynamoDbClient c, String table) {
    Map<String, Map<String, AttributeValue>> out = new HashMap<>();
    c.scanPaginator(r -> r.tableName(table)).items().forEach(i -> out.put(i.get("pk").s(), i));
    return out;
  }

  /**
   * Fills {@code table} with {@code count} items of some 2 KB of random bytes each (seeded by their
   * number), so that a backup of it has several objects; returns its items as read back.
   */
  static Map<String, Map<String, AttributeValue>> fill(DynamoDbClient c, String table, int count) {
    List<WriteRequest> batch = new ArrayList<>();
    for (int n = 0; n < count; n++) {
      byte[] blob = new byte[2000];
      new Random(n).nextBytes(blob);
      batch.add(
          WriteRequest.builder()
              .putRequest(
                  PutRequest.builder()
                      .item(
                          Map.of(
                              "pk", AttributeValue.fromS("order-" + n),
                              "n", AttributeValue.fromN(Integer.toString(n)),
                              "blob", AttributeValue.fromB(SdkBytes.fromByteArray(blob))))
                      .build())
              .build());
      if (batch.size() == 25 || n == count - 1) {
        List<WriteRequest> send = List.copyOf(batch);
        c.batchWriteItem(r -> r.requestItems(Map.of(table, send)));
        batch.clear();
      }
    }
    Map<String, Map<String, AttributeValue>> items = scan(c, table);
    assertThat(items).hasSize(count);
    return items;
  }
}
