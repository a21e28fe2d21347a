package dev.tidemark.it;

import static dev.tidemark.it.Indexed.attr;
import static dev.tidemark.it.Indexed.gsi;
import static dev.tidemark.it.Indexed.gsiOf;
import static dev.tidemark.it.Indexed.hash;
import static dev.tidemark.it.Indexed.lsi;
import static dev.tidemark.it.Indexed.n;
import static dev.tidemark.it.Indexed.queryAll;
import static dev.tidemark.it.Indexed.range;
import static dev.tidemark.it.Indexed.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.IndexStatus;
import software.amazon.awssdk.services.dynamodb.model.ItemCollectionMetrics;
import software.amazon.awssdk.services.dynamodb.model.LocalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnItemCollectionMetrics;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/** Secondary-index data through the AWS SDK v2: maintenance, reads, projections, refusals. */
class SecondaryIndexIntegrationTest {
  private static final String T = "idx";
  private static LiveServer server;
  private static DynamoDbClient ddb;

  @BeforeAll
  static void start() throws Exception {
    server = LiveServer.inMemory();
    ddb = server.client;
    createIndexedTable(T);
    // u1: four open items (scores 30, 10, 20, 10), one closed, one without status (sparse).
    put(T, "u1", 1, "open", 30L);
    put(T, "u1", 2, "open", 10L);
    put(T, "u1", 3, "open", 20L);
    put(T, "u1", 4, "open", 10L);
    put(T, "u1", 5, "closed", 5L);
    put(T, "u1", 6, null, 7L);
    put(T, "u2", 1, "open", 10L);
    put(T, "u2", 2, "open", 40L);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static void createIndexedTable(String name) {
    ddb.createTable(
        r ->
            r.tableName(name)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                    attr("pk", ScalarAttributeType.S),
                    attr("sk", ScalarAttributeType.N),
                    attr("status", ScalarAttributeType.S),
                    attr("score", ScalarAttributeType.N))
                .keySchema(hash("pk"), range("sk"))
                .globalSecondaryIndexes(
                    gsi("by_status_all", "status", "score", ProjectionType.ALL),
                    gsi("by_status_keys", "status", null, ProjectionType.KEYS_ONLY),
                    gsi("by_status_incl", "status", "score", ProjectionType.INCLUDE, "note"))
                .localSecondaryIndexes(lsi("by_score", "pk", "score", ProjectionType.KEYS_ONLY)));
  }

  static void put(String table, String pk, int sk, String status, Long score) {
    Map<String, AttributeValue> item = new HashMap<>();
    item.put("pk", s(pk));
    item.put("sk", n(sk));
    if (status != null) {
      item.put("status", s(status));
    }
    if (score != null) {
      item.put("score", n(score));
    }
    item.put("note", s("n" + sk));
    item.put("extra", s("x" + pk + sk));
    ddb.putItem(r -> r.tableName(table).item(item));
  }

  static String id(Map<String, AttributeValue> item) {
    return item.get("pk").s() + "/" + item.get("sk").n();
  }

  static QueryRequest.Builder open(String index) {
    return QueryRequest.builder()
        .tableName(T)
        .indexName(index)
        .keyConditionExpression("#s = :s")
        .expressionAttributeNames(Map.of("#s", "status"))
        .expressionAttributeValues(Map.of(":s", s("open")));
  }

  static List<String> ids(List<Map<String, AttributeValue>> items) {
    return Indexed.map(items, SecondaryIndexIntegrationTest::id);
  }

  // Protects the index order: index range key first, then the table key for equal index keys.
  @Test
  void gsiQueryOrdersByIndexRangeThenTableKey() {
    List<String> expected = List.of("u1/2", "u1/4", "u2/1", "u1/3", "u1/1", "u2/2");
    assertThat(ids(ddb.query(open("by_status_all").build()).items())).isEqualTo(expected);
    List<String> reversed = new ArrayList<>(expected);
    java.util.Collections.reverse(reversed);
    assertThat(ids(ddb.query(open("by_status_all").scanIndexForward(false).build()).items()))
        .isEqualTo(reversed);
  }

  // Protects range-key conditions on an index key, with the table key order inside equal keys.
  @Test
  void gsiRangeConditionSelectsEntries() {
    QueryResponse r =
        ddb.query(
            open("by_status_all")
                .keyConditionExpression("#s = :s AND score BETWEEN :lo AND :hi")
                .expressionAttributeValues(Map.of(":s", s("open"), ":lo", n(10), ":hi", n(20)))
                .build());
    assertThat(ids(r.items())).containsExactly("u1/2", "u1/4", "u2/1", "u1/3");
  }

  // Protects projections: KEYS_ONLY and INCLUDE entries carry exactly their attributes.
  @Test
  void projectionsCarryTheirAttributes() {
    List<Map<String, AttributeValue>> keysOnly = ddb.query(open("by_status_keys").build()).items();
    assertThat(keysOnly).hasSize(6);
    assertThat(keysOnly).allSatisfy(i -> assertThat(i).containsOnlyKeys("pk", "sk", "status"));
    List<Map<String, AttributeValue>> include = ddb.query(open("by_status_incl").build()).items();
    assertThat(include)
        .allSatisfy(i -> assertThat(i).containsOnlyKeys("pk", "sk", "status", "score", "note"));
    List<Map<String, AttributeValue>> all = ddb.query(open("by_status_all").build()).items();
    assertThat(all.get(0)).containsKeys("extra", "note");
  }

  // Protects GSI reads of non-projected attributes: only what the index holds comes back.
  @Test
  void gsiProjectionExpressionReturnsOnlyProjectedAttributes() {
    List<Map<String, AttributeValue>> items =
        ddb.query(open("by_status_incl").projectionExpression("note, extra").build()).items();
    assertThat(items).hasSize(6).allSatisfy(i -> assertThat(i).containsOnlyKeys("note"));
  }

  // Protects Select on a GSI: ALL_PROJECTED_ATTRIBUTES works, ALL_ATTRIBUTES needs projection ALL.
  @Test
  void selectOnGlobalIndex() {
    assertThat(
            ddb.query(open("by_status_keys").select(Select.ALL_PROJECTED_ATTRIBUTES).build())
                .count())
        .isEqualTo(6);
    assertThat(ddb.query(open("by_status_all").select(Select.ALL_ATTRIBUTES).build()).count())
        .isEqualTo(6);
    DynamoDbException e =
        catchThrowableOfType(
            DynamoDbException.class,
            () -> ddb.query(open("by_status_keys").select(Select.ALL_ATTRIBUTES).build()));
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
    assertThat(e.awsErrorDetails().errorMessage())
        .isEqualTo(
            "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not"
                + " supported for global secondary index by_status_keys because its projection"
                + " type is not ALL");
  }

  static QueryRequest.Builder byScore(String pk) {
    return QueryRequest.builder()
        .tableName(T)
        .indexName("by_score")
        .keyConditionExpression("pk = :p")
        .expressionAttributeValues(Map.of(":p", s(pk)));
  }

  // Protects LSI reads: order by the local range key; table items fetched when asked for.
  @Test
  void lsiFetchesTableItemsWhenAskedForUnprojectedAttributes() {
    List<Map<String, AttributeValue>> keysOnly = ddb.query(byScore("u1").build()).items();
    assertThat(ids(keysOnly)).containsExactly("u1/5", "u1/6", "u1/2", "u1/4", "u1/3", "u1/1");
    assertThat(keysOnly).allSatisfy(i -> assertThat(i).containsOnlyKeys("pk", "sk", "score"));

    List<Map<String, AttributeValue>> all =
        ddb.query(byScore("u1").select(Select.ALL_ATTRIBUTES).consistentRead(true).build()).items();
    assertThat(all).hasSize(6);
    assertThat(all.get(0).get("extra").s()).isEqualTo("xu15");

    List<Map<String, AttributeValue>> projected =
        ddb.query(byScore("u1").projectionExpression("extra").build()).items();
    assertThat(Indexed.map(projected, i -> i.get("extra").s()))
        .containsExactly("xu15", "xu16", "xu12", "xu14", "xu13", "xu11");

    QueryResponse filtered =
        ddb.query(
            byScore("u1")
                .filterExpression("extra = :x")
                .expressionAttributeValues(Map.of(":p", s("u1"), ":x", s("xu13")))
                .build());
    assertThat(filtered.scannedCount()).isEqualTo(6);
    assertThat(ids(filtered.items())).containsExactly("u1/3");
    assertThat(filtered.items().get(0)).containsOnlyKeys("pk", "sk", "score");
  }

  // Protects sparse indexes and DescribeTable's per-index ItemCount and IndexSizeBytes.
  @Test
  void describeReportsIndexCounts() {
    TableDescription t = ddb.describeTable(r -> r.tableName(T)).table();
    // Eight items; seven have a status, all eight have a score.
    for (String name : List.of("by_status_all", "by_status_keys", "by_status_incl")) {
      GlobalSecondaryIndexDescription g = gsiOf(t, name);
      assertThat(g.itemCount()).as(name).isEqualTo(7);
      assertThat(g.indexStatus()).isEqualTo(IndexStatus.ACTIVE);
      assertThat(g.backfilling()).isNull();
    }
    LocalSecondaryIndexDescription l = t.localSecondaryIndexes().get(0);
    assertThat(l.itemCount()).isEqualTo(8);
    long all = gsiOf(t, "by_status_all").indexSizeBytes();
    long incl = gsiOf(t, "by_status_incl").indexSizeBytes();
    long keys = gsiOf(t, "by_status_keys").indexSizeBytes();
    assertThat(keys).isPositive().isLessThan(incl);
    assertThat(incl).isLessThan(all);
    assertThat(all).isLessThan(t.tableSizeBytes());
  }

  // Protects write validation: a wrong-typed index key is refused verbatim and nothing changes.
  @Test
  void wrongIndexKeyTypeIsRefusedAndNothingIsWritten() {
    DynamoDbException put =
        catchThrowableOfType(
            DynamoDbException.class,
            () ->
                ddb.putItem(
                    r -> r.tableName(T).item(Map.of("pk", s("bad"), "sk", n(1), "status", n(5)))));
    assertThat(put.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
    assertThat(put.awsErrorDetails().errorMessage())
        .isEqualTo(
            "One or more parameter values were invalid: Type mismatch for Index Key status"
                + " Expected: S Actual: N IndexName: by_status_all");
    assertThat(ddb.getItem(r -> r.tableName(T).key(Map.of("pk", s("bad"), "sk", n(1)))).hasItem())
        .isFalse();

    DynamoDbException update =
        catchThrowableOfType(
            DynamoDbException.class,
            () ->
                ddb.updateItem(
                    r ->
                        r.tableName(T)
                            .key(Map.of("pk", s("u1"), "sk", n(1)))
                            .updateExpression("SET score = :v")
                            .expressionAttributeValues(Map.of(":v", s("high")))));
    assertThat(update.awsErrorDetails().errorMessage())
        .isEqualTo(
            "One or more parameter values were invalid: Type mismatch for Index Key score"
                + " Expected: N Actual: S IndexName: by_score");
    assertThat(
            ddb.getItem(r -> r.tableName(T).key(Map.of("pk", s("u1"), "sk", n(1))))
                .item()
                .get("score")
                .n())
        .isEqualTo("30");
  }

  // Protects the empty-string refusals, in PutItem's and UpdateItem's own wording.
  @Test
  void emptyIndexKeyIsRefused() {
    DynamoDbException put =
        catchThrowableOfType(
            DynamoDbException.class,
            () ->
                ddb.putItem(
                    r -> r.tableName(T).item(Map.of("pk", s("e"), "sk", n(1), "status", s("")))));
    assertThat(put.awsErrorDetails().errorMessage())
        .isEqualTo(
            "One or more parameter values are not valid. A value specified for a secondary index"
                + " key is not supported. The AttributeValue for a key attribute cannot contain an"
                + " empty string value. IndexName: by_status_all, IndexKey: status");
    DynamoDbException update =
        catchThrowableOfType(
            DynamoDbException.class,
            () ->
                ddb.updateItem(
                    r ->
                        r.tableName(T)
                            .key(Map.of("pk", s("e"), "sk", n(1)))
                            .updateExpression("SET #s = :v")
                            .expressionAttributeNames(Map.of("#s", "status"))
                            .expressionAttributeValues(Map.of(":v", s("")))));
    assertThat(update.awsErrorDetails().errorMessage())
        .isEqualTo(
            "One or more parameter values are not valid. The update expression attempted to update"
                + " a secondary index key to a value that is not supported. The AttributeValue for"
                + " a key attribute cannot contain an empty string value.");
    assertThat(ddb.getItem(r -> r.tableName(T).key(Map.of("pk", s("e"), "sk", n(1)))).hasItem())
        .isFalse();
  }

  // Protects index paging: LastEvaluatedKey holds table and index keys and resumes exactly.
  @Test
  void pagingOnAnIndexResumesAfterTheLastEntry() {
    List<String> all = ids(ddb.query(open("by_status_all").build()).items());
    QueryResponse first = ddb.query(open("by_status_all").limit(2).build());
    assertThat(first.lastEvaluatedKey()).containsOnlyKeys("pk", "sk", "status", "score");
    assertThat(ids(queryAll(ddb, open("by_status_all").limit(2).build()))).isEqualTo(all);
    List<String> reversed = new ArrayList<>(all);
    java.util.Collections.reverse(reversed);
    assertThat(ids(queryAll(ddb, open("by_status_all").limit(4).scanIndexForward(false).build())))
        .isEqualTo(reversed);
    // Equal index keys (score 10 three times) must not be skipped or repeated across pages.
    assertThat(ids(queryAll(ddb, open("by_status_keys").limit(1).build())))
        .isEqualTo(ids(ddb.query(open("by_status_keys").build()).items()));
  }

  // Protects ExclusiveStartKey validation on index reads.
  @Test
  void indexStartKeyMustHoldTableAndIndexKeys() {
    DynamoDbException e =
        catchThrowableOfType(
            DynamoDbException.class,
            () ->
                ddb.query(
                    open("by_status_all")
                        .exclusiveStartKey(Map.of("pk", s("u1"), "sk", n(1)))
                        .build()));
    assertThat(e.awsErrorDetails().errorMessage())
        .isEqualTo("The provided starting key is invalid");
    DynamoDbException outside =
        catchThrowableOfType(
            DynamoDbException.class,
            () ->
                ddb.query(
                    open("by_status_all")
                        .exclusiveStartKey(
                            Map.of("pk", s("u1"), "sk", n(5), "status", s("closed"), "score", n(5)))
                        .build()));
    assertThat(outside.awsErrorDetails().errorMessage())
        .isEqualTo(
            "The provided starting key is outside query boundaries based on provided conditions");
  }

  // Protects DynamoDB's refusals: strong reads on a GSI, unknown index names.
  @Test
  void consistentReadOnGsiAndUnknownIndexAreRefused() {
    DynamoDbException consistent =
        catchThrowableOfType(
            DynamoDbException.class,
            () -> ddb.query(open("by_status_all").consistentRead(true).build()));
    assertThat(consistent.awsErrorDetails().errorMessage())
        .isEqualTo("Consistent reads are not supported on global secondary indexes");
    DynamoDbException scan =
        catchThrowableOfType(
            DynamoDbException.class,
            () -> ddb.scan(r -> r.tableName(T).indexName("by_status_keys").consistentRead(true)));
    assertThat(scan.awsErrorDetails().errorMessage())
        .isEqualTo("Consistent reads are not supported on global secondary indexes");
    DynamoDbException unknown =
        catchThrowableOfType(DynamoDbException.class, () -> ddb.query(open("nope").build()));
    assertThat(unknown.awsErrorDetails().errorMessage())
        .isEqualTo("The table does not have the specified index: nope");
    DynamoDbException unknownScan =
        catchThrowableOfType(
            DynamoDbException.class, () -> ddb.scan(r -> r.tableName(T).indexName("nope")));
    assertThat(unknownScan.awsErrorDetails().errorMessage())
        .isEqualTo("The table does not have the specified index: nope");
  }

  // Protects Scan on an index: index order, paging, and parallel segments partitioning it.
  @Test
  void scanOnIndexReadsEntriesInIndexOrder() {
    ScanResponse r = ddb.scan(b -> b.tableName(T).indexName("by_status_keys"));
    // "closed" sorts before "open"; inside a status, table key order.
    assertThat(ids(r.items()))
        .containsExactly("u1/5", "u1/1", "u1/2", "u1/3", "u1/4", "u2/1", "u2/2");
    List<String> paged = new ArrayList<>();
    Map<String, AttributeValue> start = null;
    do {
      Map<String, AttributeValue> from = start;
      ScanResponse p =
          ddb.scan(
              b -> b.tableName(T).indexName("by_status_keys").limit(3).exclusiveStartKey(from));
      paged.addAll(ids(p.items()));
      start =
          p.hasLastEvaluatedKey() && !p.lastEvaluatedKey().isEmpty() ? p.lastEvaluatedKey() : null;
    } while (start != null);
    assertThat(paged).isEqualTo(ids(r.items()));
    Set<String> union = new HashSet<>();
    int total = 0;
    for (int seg = 0; seg < 3; seg++) {
      int segment = seg;
      List<String> part =
          ids(
              ddb.scan(
                      b ->
                          b.tableName(T)
                              .indexName("by_status_all")
                              .segment(segment)
                              .totalSegments(3))
                  .items());
      total += part.size();
      union.addAll(part);
    }
    assertThat(total).isEqualTo(7);
    assertThat(union).hasSize(7);
  }

  // Protects maintenance on update and delete: entries move between index partitions and go.
  @Test
  void updatesMoveEntriesAndDeletesRemoveThem() {
    String table = "idx_moves";
    createIndexedTable(table);
    put(table, "m", 1, "open", 1L);
    put(table, "m", 2, "open", 2L);
    ddb.updateItem(
        r ->
            r.tableName(table)
                .key(Map.of("pk", s("m"), "sk", n(1)))
                .updateExpression("SET #s = :c, score = :n")
                .expressionAttributeNames(Map.of("#s", "status"))
                .expressionAttributeValues(Map.of(":c", s("closed"), ":n", n(9))));
    ddb.deleteItem(r -> r.tableName(table).key(Map.of("pk", s("m"), "sk", n(2))));
    ddb.updateItem(
        r ->
            r.tableName(table)
                .key(Map.of("pk", s("m"), "sk", n(3)))
                .updateExpression("SET #s = :o")
                .expressionAttributeNames(Map.of("#s", "status"))
                .expressionAttributeValues(Map.of(":o", s("open"))));
    ScanResponse all = ddb.scan(b -> b.tableName(table).indexName("by_status_all"));
    assertThat(ids(all.items())).containsExactly("m/1");
    assertThat(all.items().get(0).get("score").n()).isEqualTo("9");
    ScanResponse keys = ddb.scan(b -> b.tableName(table).indexName("by_status_keys"));
    assertThat(ids(keys.items())).containsExactly("m/1", "m/3");
    TableDescription t = ddb.describeTable(r -> r.tableName(table)).table();
    assertThat(gsiOf(t, "by_status_all").itemCount()).isEqualTo(1);
    assertThat(gsiOf(t, "by_status_keys").itemCount()).isEqualTo(2);
    assertThat(t.localSecondaryIndexes().get(0).itemCount()).isEqualTo(1);
    ddb.deleteItem(r -> r.tableName(table).key(Map.of("pk", s("m"), "sk", n(1))));
    ddb.deleteItem(r -> r.tableName(table).key(Map.of("pk", s("m"), "sk", n(3))));
    t = ddb.describeTable(r -> r.tableName(table)).table();
    assertThat(gsiOf(t, "by_status_keys").itemCount()).isZero();
    assertThat(gsiOf(t, "by_status_keys").indexSizeBytes()).isZero();
    assertThat(ddb.scan(b -> b.tableName(table).indexName("by_status_keys")).count()).isZero();
  }

  // Protects ReturnItemCollectionMetrics: reported on tables with LSIs, absent otherwise.
  @Test
  void itemCollectionMetricsOnTablesWithLocalIndexes() {
    var put =
        ddb.putItem(
            r ->
                r.tableName(T)
                    .item(Map.of("pk", s("u3"), "sk", n(1), "status", s("open")))
                    .returnItemCollectionMetrics(ReturnItemCollectionMetrics.SIZE));
    ItemCollectionMetrics m = put.itemCollectionMetrics();
    assertThat(m.itemCollectionKey()).isEqualTo(Map.of("pk", s("u3")));
    assertThat(m.sizeEstimateRangeGB()).containsExactly(0.0, 1.0);
    var delete =
        ddb.deleteItem(
            r ->
                r.tableName(T)
                    .key(Map.of("pk", s("u3"), "sk", n(1)))
                    .returnItemCollectionMetrics(ReturnItemCollectionMetrics.SIZE));
    assertThat(delete.itemCollectionMetrics().itemCollectionKey()).isEqualTo(Map.of("pk", s("u3")));
    var update =
        ddb.updateItem(
            r ->
                r.tableName(T)
                    .key(Map.of("pk", s("u3"), "sk", n(2)))
                    .updateExpression("SET note = :n")
                    .expressionAttributeValues(Map.of(":n", s("x")))
                    .returnItemCollectionMetrics(ReturnItemCollectionMetrics.SIZE));
    assertThat(update.itemCollectionMetrics().sizeEstimateRangeGB()).containsExactly(0.0, 1.0);
    ddb.deleteItem(r -> r.tableName(T).key(Map.of("pk", s("u3"), "sk", n(2))));

    ddb.createTable(ControlPlaneIntegrationTest.table("no_lsi").build());
    var plain =
        ddb.putItem(
            r ->
                r.tableName("no_lsi")
                    .item(Map.of("pk", s("a"), "sk", n(1)))
                    .returnItemCollectionMetrics(ReturnItemCollectionMetrics.SIZE));
    assertThat(plain.itemCollectionMetrics()).isNull();
  }
}
