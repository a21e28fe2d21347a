package dev.tidemark.it;

import static dev.tidemark.it.BatchIntegrationTest.hashKey;
import static dev.tidemark.it.BatchIntegrationTest.n;
import static dev.tidemark.it.BatchIntegrationTest.put;
import static dev.tidemark.it.BatchIntegrationTest.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Capacity;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * ReturnConsumedCapacity on every operation that takes it, with DynamoDB's arithmetic: 4 KB read
 * units (half for eventually consistent reads), 1 KB write units of the larger image, Query and
 * Scan rounded once per request, transactions doubled.
 */
class ConsumedCapacityIntegrationTest {
  private static final ReturnConsumedCapacity TOTAL = ReturnConsumedCapacity.TOTAL;
  private static final ReturnConsumedCapacity INDEXES = ReturnConsumedCapacity.INDEXES;

  private static LiveServer server;
  private static DynamoDbClient ddb;

  @BeforeAll
  static void start() throws Exception {
    server = LiveServer.inMemory();
    ddb = server.client;
    ddb.createTable(BatchIntegrationTest.hashTable("cc_hash"));
    ddb.createTable(BatchIntegrationTest.hashTable("cc_other"));
    ddb.createTable(ControlPlaneIntegrationTest.table("cc_range").build());
    ddb.createTable(
        BatchIntegrationTest.hashTable("cc_idx").toBuilder()
            .attributeDefinitions(
                Indexed.attr("pk", ScalarAttributeType.S), Indexed.attr("g", ScalarAttributeType.S))
            .globalSecondaryIndexes(Indexed.gsi("by_g", "g", null, ProjectionType.ALL))
            .build());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** An item of the given size as DynamoDB counts it: "pk" + key + "fil" + padding. */
  private static Map<String, AttributeValue> sized(String pk, int bytes) {
    Map<String, AttributeValue> item = new HashMap<>();
    item.put("pk", s(pk));
    item.put("fil", s("p".repeat(bytes - 2 - pk.length() - 3)));
    return item;
  }

  private static ConsumedCapacity units(String table, double units) {
    return ConsumedCapacity.builder().tableName(table).capacityUnits(units).build();
  }

  // Protects single-item writes: at least one unit, 1 KB steps of the larger of old and new.
  @Test
  void itemWrites() {
    assertThat(
            ddb.putItem(
                    r ->
                        r.tableName("cc_hash").item(sized("w", 1024)).returnConsumedCapacity(TOTAL))
                .consumedCapacity())
        .isEqualTo(units("cc_hash", 1.0));
    assertThat(
            ddb.putItem(
                    r ->
                        r.tableName("cc_hash").item(sized("w", 2049)).returnConsumedCapacity(TOTAL))
                .consumedCapacity())
        .isEqualTo(units("cc_hash", 3.0));
    // Replacing a 2,049-byte item by a small one still pays for the old one.
    assertThat(
            ddb.putItem(
                    r -> r.tableName("cc_hash").item(sized("w", 10)).returnConsumedCapacity(TOTAL))
                .consumedCapacity())
        .isEqualTo(units("cc_hash", 3.0));
    assertThat(
            ddb.updateItem(
                    r ->
                        r.tableName("cc_hash")
                            .key(hashKey("w"))
                            .updateExpression("SET fil = :p")
                            .expressionAttributeValues(Map.of(":p", s("q".repeat(1500))))
                            .returnConsumedCapacity(INDEXES))
                .consumedCapacity())
        .isEqualTo(
            units("cc_hash", 2.0).toBuilder()
                .table(Capacity.builder().capacityUnits(2.0).build())
                .build());
    assertThat(
            ddb.deleteItem(
                    r -> r.tableName("cc_hash").key(hashKey("w")).returnConsumedCapacity(TOTAL))
                .consumedCapacity())
        .isEqualTo(units("cc_hash", 2.0));
    assertThat(
            ddb.deleteItem(
                    r -> r.tableName("cc_hash").key(hashKey("w")).returnConsumedCapacity(TOTAL))
                .consumedCapacity())
        .isEqualTo(units("cc_hash", 1.0));
    assertThat(ddb.putItem(r -> r.tableName("cc_hash").item(sized("w", 10))).consumedCapacity())
        .isNull();
    assertThat(
            ddb.putItem(
                    r ->
                        r.tableName("cc_hash")
                            .item(sized("w", 10))
                            .returnConsumedCapacity(ReturnConsumedCapacity.NONE))
                .consumedCapacity())
        .isNull();
  }

  // Protects GetItem: 4 KB steps, half for eventually consistent reads, projections change nothing.
  @Test
  void itemReads() {
    ddb.putItem(r -> r.tableName("cc_hash").item(sized("r", 4097)));
    assertThat(
            ddb.getItem(
                    r ->
                        r.tableName("cc_hash")
                            .key(hashKey("r"))
                            .consistentRead(true)
                            .returnConsumedCapacity(TOTAL))
                .consumedCapacity())
        .isEqualTo(units("cc_hash", 2.0));
    assertThat(
            ddb.getItem(
                    r ->
                        r.tableName("cc_hash")
                            .key(hashKey("r"))
                            .projectionExpression("pk")
                            .returnConsumedCapacity(TOTAL))
                .consumedCapacity())
        .isEqualTo(units("cc_hash", 1.0));
    assertThat(
            ddb.getItem(
                    r ->
                        r.tableName("cc_hash").key(hashKey("absent")).returnConsumedCapacity(TOTAL))
                .consumedCapacity())
        .isEqualTo(units("cc_hash", 0.5));
  }

  // Protects Query and Scan: the items read are summed and rounded up once per request.
  @Test
  void queryAndScanRoundOnce() {
    for (int i = 0; i < 3; i++) {
      Map<String, AttributeValue> item = new HashMap<>();
      item.put("pk", s("q"));
      item.put("sk", n(Integer.toString(i)));
      item.put("fil", s("p".repeat(3000)));
      ddb.putItem(r -> r.tableName("cc_range").item(item));
    }
    // Three items of about 3 KB: 9 KB read, 3 units, not 3 rounded-up items of one unit each.
    assertThat(
            ddb.query(
                    r ->
                        r.tableName("cc_range")
                            .keyConditionExpression("pk = :p")
                            .expressionAttributeValues(Map.of(":p", s("q")))
                            .consistentRead(true)
                            .returnConsumedCapacity(TOTAL))
                .consumedCapacity())
        .isEqualTo(units("cc_range", 3.0));
    assertThat(
            ddb.query(
                    r ->
                        r.tableName("cc_range")
                            .keyConditionExpression("pk = :p")
                            .filterExpression("fil = :none")
                            .expressionAttributeValues(Map.of(":p", s("q"), ":none", s("none")))
                            .returnConsumedCapacity(INDEXES))
                .consumedCapacity())
        .isEqualTo(
            units("cc_range", 1.5).toBuilder()
                .table(Capacity.builder().capacityUnits(1.5).build())
                .build());
    assertThat(
            ddb.scan(r -> r.tableName("cc_range").returnConsumedCapacity(TOTAL)).consumedCapacity())
        .isEqualTo(units("cc_range", 1.5));
    assertThat(
            ddb.query(
                    r ->
                        r.tableName("cc_range")
                            .keyConditionExpression("pk = :p")
                            .expressionAttributeValues(Map.of(":p", s("nothing")))
                            .returnConsumedCapacity(TOTAL))
                .consumedCapacity())
        .isEqualTo(units("cc_range", 0.5));
  }

  // Protects index reads: the units are the index's, and the table reports none.
  @Test
  void indexReadsAreChargedToTheIndex() {
    ddb.putItem(r -> r.tableName("cc_idx").item(Map.of("pk", s("i1"), "g", s("x"))));
    ddb.putItem(r -> r.tableName("cc_idx").item(Map.of("pk", s("i2"), "g", s("x"))));
    ConsumedCapacity onIndex =
        ConsumedCapacity.builder()
            .tableName("cc_idx")
            .capacityUnits(0.5)
            .table(Capacity.builder().capacityUnits(0.0).build())
            .globalSecondaryIndexes(Map.of("by_g", Capacity.builder().capacityUnits(0.5).build()))
            .build();
    assertThat(
            ddb.query(
                    r ->
                        r.tableName("cc_idx")
                            .indexName("by_g")
                            .keyConditionExpression("g = :g")
                            .expressionAttributeValues(Map.of(":g", s("x")))
                            .returnConsumedCapacity(INDEXES))
                .consumedCapacity())
        .isEqualTo(onIndex);
    assertThat(
            ddb.scan(r -> r.tableName("cc_idx").indexName("by_g").returnConsumedCapacity(INDEXES))
                .consumedCapacity())
        .isEqualTo(onIndex);
    assertThat(
            ddb.scan(r -> r.tableName("cc_idx").indexName("by_g").returnConsumedCapacity(TOTAL))
                .consumedCapacity())
        .isEqualTo(units("cc_idx", 0.5));
  }

  // Protects batches: one entry per table, each item rounded on its own.
  @Test
  void batches() {
    Map<String, List<WriteRequest>> writes = new LinkedHashMap<>();
    writes.put("cc_hash", List.of(put(sized("b1", 100)), put(sized("b2", 1500))));
    writes.put("cc_other", List.of(put(sized("b3", 100))));
    List<ConsumedCapacity> written =
        ddb.batchWriteItem(r -> r.requestItems(writes).returnConsumedCapacity(TOTAL))
            .consumedCapacity();
    assertThat(written).containsExactly(units("cc_hash", 3.0), units("cc_other", 1.0));

    Map<String, KeysAndAttributes> reads = new LinkedHashMap<>();
    reads.put(
        "cc_hash",
        KeysAndAttributes.builder()
            .keys(List.of(hashKey("b1"), hashKey("b2"), hashKey("none")))
            .build());
    reads.put(
        "cc_other",
        KeysAndAttributes.builder().keys(List.of(hashKey("b3"))).consistentRead(true).build());
    List<ConsumedCapacity> read =
        ddb.batchGetItem(r -> r.requestItems(reads).returnConsumedCapacity(INDEXES))
            .consumedCapacity();
    assertThat(read)
        .containsExactly(
            units("cc_hash", 1.5).toBuilder()
                .table(Capacity.builder().capacityUnits(1.5).build())
                .build(),
            units("cc_other", 1.0).toBuilder()
                .table(Capacity.builder().capacityUnits(1.0).build())
                .build());
  }

  // Protects transactions: doubled units, reported as write or read units per table.
  @Test
  void transactions() {
    ddb.putItem(r -> r.tableName("cc_other").item(sized("t2", 2000)));
    List<ConsumedCapacity> written =
        ddb.transactWriteItems(
                r ->
                    r.returnConsumedCapacity(TOTAL)
                        .transactItems(
                            List.of(
                                TransactionIntegrationTest.put("cc_hash", sized("t1", 100), null),
                                TransactionIntegrationTest.check(
                                    "cc_other", hashKey("t2"), "attribute_exists(pk)"))))
            .consumedCapacity();
    assertThat(written)
        .containsExactly(
            ConsumedCapacity.builder()
                .tableName("cc_hash")
                .capacityUnits(2.0)
                .writeCapacityUnits(2.0)
                .build(),
            ConsumedCapacity.builder()
                .tableName("cc_other")
                .capacityUnits(4.0)
                .writeCapacityUnits(4.0)
                .build());

    List<ConsumedCapacity> read =
        ddb.transactGetItems(
                r ->
                    r.returnConsumedCapacity(INDEXES)
                        .transactItems(
                            List.of(
                                TransactionIntegrationTest.get("cc_hash", hashKey("t1"), null),
                                TransactionIntegrationTest.get("cc_hash", hashKey("none"), null))))
            .consumedCapacity();
    assertThat(read)
        .containsExactly(
            ConsumedCapacity.builder()
                .tableName("cc_hash")
                .capacityUnits(4.0)
                .readCapacityUnits(4.0)
                .table(Capacity.builder().capacityUnits(4.0).readCapacityUnits(4.0).build())
                .build());
  }

  // Protects the ReturnConsumedCapacity enum check and DynamoDB's message for it.
  @Test
  void unknownValueIsRefused() {
    DynamoDbException e =
        catchThrowableOfType(
            DynamoDbException.class,
            () ->
                ddb.getItem(
                    r -> r.tableName("cc_hash").key(hashKey("a")).returnConsumedCapacity("DUMMY")));
    assertThat(e.awsErrorDetails().errorMessage())
        .isEqualTo(
            "1 validation error detected: Value 'DUMMY' at 'returnConsumedCapacity' failed to"
                + " satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]");
  }

  // Protects index write units: a new entry costs one write, a change outside a KEYS_ONLY
  // projection costs the index nothing, a moved index key costs a delete and a put.
  @Test
  void indexWriteUnitsFollowEntryChanges() {
    ddb.createTable(
        BatchIntegrationTest.hashTable("cc_keys").toBuilder()
            .attributeDefinitions(
                Indexed.attr("pk", ScalarAttributeType.S), Indexed.attr("g", ScalarAttributeType.S))
            .globalSecondaryIndexes(Indexed.gsi("by_g", "g", null, ProjectionType.KEYS_ONLY))
            .build());
    ConsumedCapacity put =
        ddb.putItem(
                r ->
                    r.tableName("cc_keys")
                        .item(Map.of("pk", s("a"), "g", s("x"), "note", s("1")))
                        .returnConsumedCapacity(INDEXES))
            .consumedCapacity();
    assertThat(put.globalSecondaryIndexes().get("by_g").capacityUnits()).isEqualTo(1.0);
    assertThat(put.capacityUnits()).isEqualTo(2.0);
    ConsumedCapacity unprojected =
        ddb.updateItem(
                r ->
                    r.tableName("cc_keys")
                        .key(Map.of("pk", s("a")))
                        .updateExpression("SET note = :v")
                        .expressionAttributeValues(Map.of(":v", s("2")))
                        .returnConsumedCapacity(INDEXES))
            .consumedCapacity();
    assertThat(
            unprojected.hasGlobalSecondaryIndexes()
                ? unprojected.globalSecondaryIndexes()
                : Map.of())
        .doesNotContainKey("by_g");
    assertThat(unprojected.capacityUnits()).isEqualTo(1.0);
    ConsumedCapacity moved =
        ddb.updateItem(
                r ->
                    r.tableName("cc_keys")
                        .key(Map.of("pk", s("a")))
                        .updateExpression("SET g = :v")
                        .expressionAttributeValues(Map.of(":v", s("y")))
                        .returnConsumedCapacity(INDEXES))
            .consumedCapacity();
    assertThat(moved.globalSecondaryIndexes().get("by_g").capacityUnits()).isEqualTo(2.0);
    assertThat(moved.capacityUnits()).isEqualTo(3.0);
  }
}
