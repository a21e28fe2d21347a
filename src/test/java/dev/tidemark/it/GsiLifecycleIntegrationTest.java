package dev.tidemark.it;

import static dev.tidemark.it.Indexed.attr;
import static dev.tidemark.it.Indexed.awaitActive;
import static dev.tidemark.it.Indexed.gsiOf;
import static dev.tidemark.it.Indexed.hash;
import static dev.tidemark.it.Indexed.lsi;
import static dev.tidemark.it.Indexed.n;
import static dev.tidemark.it.Indexed.projection;
import static dev.tidemark.it.Indexed.queryAll;
import static dev.tidemark.it.Indexed.range;
import static dev.tidemark.it.Indexed.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateGlobalSecondaryIndexAction;
import software.amazon.awssdk.services.dynamodb.model.DeleteGlobalSecondaryIndexAction;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexUpdate;
import software.amazon.awssdk.services.dynamodb.model.IndexStatus;
import software.amazon.awssdk.services.dynamodb.model.LimitExceededException;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.UpdateTableRequest;

/** Online GSI creation (backfill), deletion and UpdateTable's index refusals, through the SDK. */
class GsiLifecycleIntegrationTest {
  private static LiveServer server;
  private static DynamoDbClient ddb;

  @BeforeAll
  static void start() throws Exception {
    server = LiveServer.inMemory();
    ddb = server.client;
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static void createTable(String name) {
    ddb.createTable(
        r ->
            r.tableName(name)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                    attr("pk", ScalarAttributeType.S), attr("sk", ScalarAttributeType.N))
                .keySchema(hash("pk"), range("sk")));
  }

  /**
   * 700 items over 7 partitions: 600 with a string {@code cat} (c0..c4), 80 without, 20 with a
   * number there, which a string-keyed index leaves out.
   */
  static void fill(String table) {
    for (int i = 0; i < 700; i++) {
      Map<String, AttributeValue> item = new HashMap<>();
      item.put("pk", s("p" + (i % 7)));
      item.put("sk", n(i));
      item.put("v", s("value-" + i));
      if (i < 600) {
        item.put("cat", s("c" + (i % 5)));
      } else if (i < 620) {
        item.put("cat", n(i));
      }
      ddb.putItem(r -> r.tableName(table).item(item));
    }
  }

  static UpdateTableRequest createIndex(String table, String index) {
    return UpdateTableRequest.builder()
        .tableName(table)
        .attributeDefinitions(attr("cat", ScalarAttributeType.S))
        .globalSecondaryIndexUpdates(
            GlobalSecondaryIndexUpdate.builder()
                .create(
                    CreateGlobalSecondaryIndexAction.builder()
                        .indexName(index)
                        .keySchema(hash("cat"), range("sk"))
                        .projection(projection(ProjectionType.INCLUDE, "v"))
                        .build())
                .build())
        .build();
  }

  static UpdateTableRequest deleteIndex(String table, String index) {
    return UpdateTableRequest.builder()
        .tableName(table)
        .globalSecondaryIndexUpdates(
            GlobalSecondaryIndexUpdate.builder()
                .delete(DeleteGlobalSecondaryIndexAction.builder().indexName(index).build())
                .build())
        .build();
  }

  static List<Map<String, AttributeValue>> category(String table, String index, String cat) {
    return queryAll(
        ddb,
        QueryRequest.builder()
            .tableName(table)
            .indexName(index)
            .keyConditionExpression("cat = :c")
            .expressionAttributeValues(Map.of(":c", s(cat)))
            .limit(50)
            .build());
  }

  // Protects online creation: CREATING with Backfilling, then ACTIVE with every item indexed.
  @Test
  void addedIndexBackfillsExistingItems() throws Exception {
    createTable("grow");
    fill("grow");
    TableDescription answer = ddb.updateTable(createIndex("grow", "by_cat")).tableDescription();
    GlobalSecondaryIndexDescription creating = gsiOf(answer, "by_cat");
    assertThat(creating.indexStatus()).isEqualTo(IndexStatus.CREATING);
    assertThat(creating.backfilling()).isTrue();
    assertThat(answer.attributeDefinitions())
        .extracting(AttributeDefinition::attributeName)
        .containsExactly("pk", "sk", "cat");

    TableDescription active = awaitActive(ddb, "grow", "by_cat");
    assertThat(gsiOf(active, "by_cat").itemCount()).isEqualTo(600);
    assertThat(gsiOf(active, "by_cat").backfilling()).isNull();
    for (int c = 0; c < 5; c++) {
      List<Map<String, AttributeValue>> items = category("grow", "by_cat", "c" + c);
      assertThat(items).hasSize(120);
      assertThat(items).allSatisfy(i -> assertThat(i).containsOnlyKeys("pk", "sk", "cat", "v"));
      List<Long> sks = Indexed.map(items, i -> Long.parseLong(i.get("sk").n()));
      assertThat(sks).isSorted();
    }
    // From now on writes are maintained, and a wrong-typed key is refused.
    ddb.putItem(r -> r.tableName("grow").item(Map.of("pk", s("new"), "sk", n(1), "cat", s("c9"))));
    assertThat(category("grow", "by_cat", "c9")).hasSize(1);
    DynamoDbException wrong =
        catchThrowableOfType(
            DynamoDbException.class,
            () ->
                ddb.putItem(
                    r -> r.tableName("grow").item(Map.of("pk", s("p0"), "sk", n(1), "cat", n(1)))));
    assertThat(wrong.awsErrorDetails().errorMessage())
        .isEqualTo(
            "One or more parameter values were invalid: Type mismatch for Index Key cat Expected:"
                + " S Actual: N IndexName: by_cat");
  }

  // Protects deletion: the answer lists it DELETING, then it and its entries are gone for good.
  @Test
  void deletedIndexDisappearsWithItsEntries() throws Exception {
    createTable("shrink");
    fill("shrink");
    ddb.updateTable(createIndex("shrink", "by_cat"));
    awaitActive(ddb, "shrink", "by_cat");

    TableDescription answer = ddb.updateTable(deleteIndex("shrink", "by_cat")).tableDescription();
    assertThat(gsiOf(answer, "by_cat").indexStatus()).isEqualTo(IndexStatus.DELETING);
    TableDescription after = ddb.describeTable(r -> r.tableName("shrink")).table();
    assertThat(after.hasGlobalSecondaryIndexes()).isFalse();
    assertThat(after.attributeDefinitions())
        .extracting(AttributeDefinition::attributeName)
        .containsExactly("pk", "sk");
    DynamoDbException gone =
        catchThrowableOfType(DynamoDbException.class, () -> category("shrink", "by_cat", "c0"));
    assertThat(gone.awsErrorDetails().errorMessage())
        .isEqualTo("The table does not have the specified index: by_cat");

    // Items changed while the index is absent; a new index of the same name starts from them.
    ddb.deleteItem(r -> r.tableName("shrink").key(Map.of("pk", s("p0"), "sk", n(0))));
    ddb.updateTable(createIndex("shrink", "by_cat"));
    TableDescription again = awaitActive(ddb, "shrink", "by_cat");
    assertThat(gsiOf(again, "by_cat").itemCount()).isEqualTo(599);
    assertThat(category("shrink", "by_cat", "c0")).hasSize(119);
  }

  // Protects reads during a backfill: refused until ACTIVE, never a partial answer.
  @Test
  void creatingIndexIsNotReadable() throws Exception {
    createTable("busy");
    fill("busy");
    ddb.updateTable(createIndex("busy", "by_cat"));
    try {
      List<Map<String, AttributeValue>> items = category("busy", "by_cat", "c1");
      // The backfill may already have finished; then the answer must be complete.
      assertThat(items).hasSize(120);
    } catch (DynamoDbException e) {
      assertThat(e.awsErrorDetails().errorMessage())
          .isEqualTo("Cannot read from backfilling global secondary index: by_cat");
    }
    awaitActive(ddb, "busy", "by_cat");
    assertThat(category("busy", "by_cat", "c1")).hasSize(120);
  }

  // Protects UpdateTable's GSI rules and messages; a refused request changes nothing.
  @Test
  void indexUpdatesAreValidated() throws Exception {
    createTable("rules");
    ddb.putItem(r -> r.tableName("rules").item(Map.of("pk", s("a"), "sk", n(1), "cat", s("x"))));
    UpdateTableRequest two =
        createIndex("rules", "one").toBuilder()
            .globalSecondaryIndexUpdates(
                createIndex("rules", "one").globalSecondaryIndexUpdates().get(0),
                createIndex("rules", "two").globalSecondaryIndexUpdates().get(0))
            .build();
    LimitExceededException limit =
        catchThrowableOfType(LimitExceededException.class, () -> ddb.updateTable(two));
    assertThat(limit.awsErrorDetails().errorMessage())
        .isEqualTo(
            "Subscriber limit exceeded: Only 1 online index can be created or deleted"
                + " simultaneously per table");

    UpdateTableRequest same =
        two.toBuilder()
            .globalSecondaryIndexUpdates(
                createIndex("rules", "one").globalSecondaryIndexUpdates().get(0),
                deleteIndex("rules", "one").globalSecondaryIndexUpdates().get(0))
            .build();
    assertThat(message(same))
        .isEqualTo(
            "One or more parameter values were invalid: Only one global secondary index update"
                + " per index is allowed simultaneously. Index: one");

    UpdateTableRequest noDefinitions =
        createIndex("rules", "one").toBuilder().attributeDefinitions(List.of()).build();
    assertThat(message(noDefinitions))
        .isEqualTo(
            "One or more parameter values were invalid: AttributeDefinitions is not specified for"
                + " index: one");

    UpdateTableRequest empty =
        UpdateTableRequest.builder()
            .tableName("rules")
            .globalSecondaryIndexUpdates(GlobalSecondaryIndexUpdate.builder().build())
            .build();
    assertThat(message(empty))
        .isEqualTo(
            "One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate.Update,"
                + " GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not"
                + " be null");

    ResourceNotFoundException missing =
        catchThrowableOfType(
            ResourceNotFoundException.class, () -> ddb.updateTable(deleteIndex("rules", "ghost")));
    assertThat(missing.awsErrorDetails().errorMessage())
        .isEqualTo("Requested resource not found: Index ghost for table rules");

    assertThat(ddb.describeTable(r -> r.tableName("rules")).table().hasGlobalSecondaryIndexes())
        .isFalse();

    ddb.updateTable(createIndex("rules", "one"));
    assertThat(message(createIndex("rules", "one")))
        .isIn(
            "Attempting to create an index which already exists",
            "Subscriber limit exceeded: Only 1 online index can be created or deleted"
                + " simultaneously per table");
    awaitActive(ddb, "rules", "one");
    assertThat(message(createIndex("rules", "one")))
        .isEqualTo("Attempting to create an index which already exists");
  }

  // Protects that local indexes cannot be dropped through GlobalSecondaryIndexUpdates.
  @Test
  void localIndexCannotBeDeleted() {
    ddb.createTable(
        r ->
            r.tableName("with_lsi")
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                    attr("pk", ScalarAttributeType.S),
                    attr("sk", ScalarAttributeType.N),
                    attr("alt", ScalarAttributeType.N))
                .keySchema(hash("pk"), range("sk"))
                .localSecondaryIndexes(lsi("by_alt", "pk", "alt", ProjectionType.ALL)));
    assertThat(message(deleteIndex("with_lsi", "by_alt")))
        .isEqualTo("Cannot delete an index that is not a GlobalSecondaryIndex: by_alt");
  }

  // Protects GSIs on provisioned tables: throughput required on Create, Update changes it.
  @Test
  void provisionedIndexThroughput() throws Exception {
    ddb.createTable(
        r ->
            r.tableName("prov")
                .provisionedThroughput(t -> t.readCapacityUnits(5L).writeCapacityUnits(5L))
                .attributeDefinitions(
                    attr("pk", ScalarAttributeType.S), attr("sk", ScalarAttributeType.N))
                .keySchema(hash("pk"), range("sk")));
    assertThat(message(createIndex("prov", "by_cat")))
        .isEqualTo(
            "One or more parameter values were invalid: ProvisionedThroughput must be specified"
                + " for index: by_cat");
    UpdateTableRequest withThroughput =
        createIndex("prov", "by_cat").toBuilder()
            .globalSecondaryIndexUpdates(
                GlobalSecondaryIndexUpdate.builder()
                    .create(
                        createIndex("prov", "by_cat")
                            .globalSecondaryIndexUpdates()
                            .get(0)
                            .create()
                            .toBuilder()
                            .provisionedThroughput(
                                t -> t.readCapacityUnits(3L).writeCapacityUnits(4L))
                            .build())
                    .build())
            .build();
    ddb.updateTable(withThroughput);
    awaitActive(ddb, "prov", "by_cat");
    ddb.updateTable(
        r ->
            r.tableName("prov")
                .globalSecondaryIndexUpdates(
                    GlobalSecondaryIndexUpdate.builder()
                        .update(
                            u ->
                                u.indexName("by_cat")
                                    .provisionedThroughput(
                                        t -> t.readCapacityUnits(7L).writeCapacityUnits(8L)))
                        .build()));
    GlobalSecondaryIndexDescription g =
        gsiOf(ddb.describeTable(r -> r.tableName("prov")).table(), "by_cat");
    assertThat(g.provisionedThroughput().readCapacityUnits()).isEqualTo(7L);
    assertThat(g.provisionedThroughput().writeCapacityUnits()).isEqualTo(8L);

    // Global indexes follow billing-mode switches of their table.
    ddb.updateTable(r -> r.tableName("prov").billingMode(BillingMode.PAY_PER_REQUEST));
    g = gsiOf(ddb.describeTable(r -> r.tableName("prov")).table(), "by_cat");
    assertThat(g.provisionedThroughput().readCapacityUnits()).isZero();
    UpdateTableRequest back =
        UpdateTableRequest.builder()
            .tableName("prov")
            .billingMode(BillingMode.PROVISIONED)
            .provisionedThroughput(t -> t.readCapacityUnits(2L).writeCapacityUnits(2L))
            .build();
    assertThat(message(back))
        .isEqualTo(
            "One or more parameter values were invalid: ProvisionedThroughput must be specified"
                + " for index: by_cat");
    ddb.updateTable(
        back.toBuilder()
            .globalSecondaryIndexUpdates(
                GlobalSecondaryIndexUpdate.builder()
                    .update(
                        u ->
                            u.indexName("by_cat")
                                .provisionedThroughput(
                                    t -> t.readCapacityUnits(1L).writeCapacityUnits(1L)))
                    .build())
            .build());
    g = gsiOf(ddb.describeTable(r -> r.tableName("prov")).table(), "by_cat");
    assertThat(g.provisionedThroughput().writeCapacityUnits()).isEqualTo(1L);
  }

  static String message(UpdateTableRequest req) {
    return catchThrowableOfType(DynamoDbException.class, () -> ddb.updateTable(req))
        .awsErrorDetails()
        .errorMessage();
  }

  // Protects durability of index data and state across a restart on disk.
  @Test
  void indexDataSurvivesRestart(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    try (LiveServer disk = LiveServer.onDisk(data)) {
      DynamoDbClient c = disk.client;
      c.createTable(
          r ->
              r.tableName("kept")
                  .billingMode(BillingMode.PAY_PER_REQUEST)
                  .attributeDefinitions(
                      attr("pk", ScalarAttributeType.S), attr("sk", ScalarAttributeType.N))
                  .keySchema(hash("pk"), range("sk")));
      for (int i = 0; i < 30; i++) {
        int sk = i;
        c.putItem(
            r ->
                r.tableName("kept")
                    .item(Map.of("pk", s("p"), "sk", n(sk), "cat", s("c" + (sk % 3)))));
      }
      c.updateTable(createIndex("kept", "by_cat"));
      awaitActive(c, "kept", "by_cat");
    }
    try (LiveServer disk = LiveServer.onDisk(data)) {
      TableDescription t = disk.client.describeTable(r -> r.tableName("kept")).table();
      assertThat(gsiOf(t, "by_cat").indexStatus()).isEqualTo(IndexStatus.ACTIVE);
      assertThat(gsiOf(t, "by_cat").itemCount()).isEqualTo(30);
      List<Map<String, AttributeValue>> c2 =
          queryAll(
              disk.client,
              QueryRequest.builder()
                  .tableName("kept")
                  .indexName("by_cat")
                  .keyConditionExpression("cat = :c")
                  .expressionAttributeValues(Map.of(":c", s("c2")))
                  .build());
      assertThat(c2).hasSize(10);
    }
  }
}
