package dev.tidemark.testkit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ReplicationGroupUpdate;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/** What the multi-region tests share: replica creation, waiting for ACTIVE, sorted scans. */
public final class GlobalTableKit {
  private GlobalTableKit() {}

  /** A PAY_PER_REQUEST table keyed by {@code pk} (S), with index {@code byG} on (g, pk), all. */
  public static void createTable(DynamoDbClient c, String name) {
    c.createTable(
        r ->
            r.tableName(name)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(List.of(attr("pk"), attr("g")))
                .keySchema(List.of(key("pk", KeyType.HASH)))
                .globalSecondaryIndexes(
                    List.of(
                        GlobalSecondaryIndex.builder()
                            .indexName("byG")
                            .keySchema(List.of(key("g", KeyType.HASH), key("pk", KeyType.RANGE)))
                            .projection(
                                Projection.builder().projectionType(ProjectionType.ALL).build())
                            .build())));
  }

  private static AttributeDefinition attr(String name) {
    return AttributeDefinition.builder()
        .attributeName(name)
        .attributeType(ScalarAttributeType.S)
        .build();
  }

  private static KeySchemaElement key(String name, KeyType type) {
    return KeySchemaElement.builder().attributeName(name).keyType(type).build();
  }

  /** The Replication part of {@code GET /tidemark/status} of the server on {@code port}. */
  public static com.fasterxml.jackson.databind.JsonNode replicationStatus(int port)
      throws java.io.IOException, InterruptedException {
    String body =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + port + "/tidemark/status"))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString())
            .body();
    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).path("Replication");
  }

  /**
   * Creates a replica of {@code table} in each of {@code regions} from {@code source}, one after
   * the other as AWS requires, each waited for until ACTIVE there.
   */
  public static void createReplicas(DynamoDbClient source, String table, List<String> regions)
      throws InterruptedException {
    for (int n = 0; n < regions.size(); n++) {
      String region = regions.get(n);
      source.updateTable(
          r ->
              r.tableName(table)
                  .replicaUpdates(
                      ReplicationGroupUpdate.builder().create(c -> c.regionName(region)).build()));
      awaitActive(source, table, n + 2);
    }
  }

  /** Waits (bounded) until the table and every other member the region lists are ACTIVE. */
  public static void awaitActive(DynamoDbClient c, String table, int members)
      throws InterruptedException {
    TableDescription d = null;
    for (int n = 0; n < 600; n++) {
      d = c.describeTable(r -> r.tableName(table)).table();
      if (d.tableStatusAsString().equals("ACTIVE")
          && d.replicas().size() == members - 1
          && d.replicas().stream().allMatch(x -> x.replicaStatusAsString().equals("ACTIVE"))) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("not ACTIVE with " + members + " members: " + d);
  }

  /** Every item (consistent read) or index entry ({@code index} not null), sorted by pk. */
  public static List<Map<String, AttributeValue>> scan(
      DynamoDbClient c, String table, String index) {
    List<Map<String, AttributeValue>> items =
        new ArrayList<>(
            c
                .scanPaginator(
                    r -> {
                      r.tableName(table);
                      if (index == null) {
                        r.consistentRead(true);
                      } else {
                        r.indexName(index);
                      }
                    })
                .items()
                .stream()
                .toList());
    items.sort(Comparator.comparing(m -> m.get("pk").s()));
    return items;
  }
}
