package dev.tidemark.it;

import static dev.tidemark.it.Indexed.attr;
import static dev.tidemark.it.Indexed.awaitActive;
import static dev.tidemark.it.Indexed.gsiOf;
import static dev.tidemark.it.Indexed.hash;
import static dev.tidemark.it.Indexed.n;
import static dev.tidemark.it.Indexed.projection;
import static dev.tidemark.it.Indexed.queryAll;
import static dev.tidemark.it.Indexed.range;
import static dev.tidemark.it.Indexed.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateGlobalSecondaryIndexAction;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteGlobalSecondaryIndexAction;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexUpdate;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.LocalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/**
 * DynamoDB's multi-attribute GSI keys (up to four HASH and four RANGE attributes) through the SDK:
 * CreateTable and UpdateTable validation, DescribeTable's shape, index maintenance (sparse when any
 * part is missing, type and empty-value refusals), every Query rule with its refusal, ordering,
 * paging, Scan, backfill and the refusals' disappearance with the index. Expected messages are
 * DynamoDB's where its wording is known; otherwise they are checked against the words DynamoDB's
 * answers are known to contain (shared/design/reference/dynamodb-conformance-notes.md, section A).
 */
class MultiAttributeGsiIntegrationTest {
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

  static GlobalSecondaryIndex gsi(String name, ProjectionType type, KeySchemaElement... keys) {
    return GlobalSecondaryIndex.builder()
        .indexName(name)
        .keySchema(keys)
        .projection(projection(type))
        .build();
  }

  static AttributeDefinition str(String name) {
    return attr(name, ScalarAttributeType.S);
  }

  static AttributeDefinition num(String name) {
    return attr(name, ScalarAttributeType.N);
  }

  static AttributeValue b(int... bytes) {
    byte[] out = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = (byte) bytes[i];
    }
    return AttributeValue.fromB(SdkBytes.fromByteArray(out));
  }

  /** Table p (S); index idx: h1 (S), h2 (S) HASH; r1 (S), r2 (S) RANGE. */
  static void create2h2r(String table, ProjectionType type) {
    ddb.createTable(
        r ->
            r.tableName(table)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(str("p"), str("h1"), str("h2"), str("r1"), str("r2"))
                .keySchema(hash("p"))
                .globalSecondaryIndexes(
                    gsi("idx", type, hash("h1"), hash("h2"), range("r1"), range("r2"))));
  }

  static Map<String, AttributeValue> item(String... kv) {
    Map<String, AttributeValue> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], s(kv[i + 1]));
    }
    return m;
  }

  static Map<String, AttributeValue> values(String... kv) {
    Map<String, AttributeValue> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(":" + kv[i], s(kv[i + 1]));
    }
    return m;
  }

  static List<String> queryP(String table, String keyCondition, Map<String, AttributeValue> v) {
    return Indexed.map(
        queryAll(
            ddb,
            QueryRequest.builder()
                .tableName(table)
                .indexName("idx")
                .keyConditionExpression(keyCondition)
                .expressionAttributeValues(used(keyCondition, v))
                .build()),
        i -> i.get("p").s());
  }

  static String refusal(Runnable call) {
    DynamoDbException e = catchThrowableOfType(DynamoDbException.class, call::run);
    assertThat(e).as("expected a refusal").isNotNull();
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
    assertThat(e.statusCode()).isEqualTo(400);
    return e.awsErrorDetails().errorMessage();
  }

  static String createRefusal(Consumer<CreateTableRequest.Builder> gsis) {
    return refusal(
        () ->
            ddb.createTable(
                r -> {
                  r.tableName("refused")
                      .billingMode(BillingMode.PAY_PER_REQUEST)
                      .keySchema(hash("p"));
                  gsis.accept(r);
                }));
  }

  static List<AttributeDefinition> strs(String... names) {
    List<AttributeDefinition> out = new ArrayList<>();
    for (String n : names) {
      out.add(str(n));
    }
    return out;
  }

  // Protects CreateTable's shape rules for multi-attribute keys, table and LSI limits included.
  @Test
  void createTableRefusesBadShapes() {
    assertThat(
            createRefusal(
                r ->
                    r.attributeDefinitions(strs("p", "a0", "a1", "a2", "a3", "a4"))
                        .globalSecondaryIndexes(
                            gsi(
                                "gsi",
                                ProjectionType.ALL,
                                hash("a0"),
                                hash("a1"),
                                hash("a2"),
                                hash("a3"),
                                hash("a4")))))
        .contains("HASH")
        .contains("at most 4");
    assertThat(
            createRefusal(
                r ->
                    r.attributeDefinitions(strs("p", "h", "a0", "a1", "a2", "a3", "a4"))
                        .globalSecondaryIndexes(
                            gsi(
                                "gsi",
                                ProjectionType.ALL,
                                hash("h"),
                                range("a0"),
                                range("a1"),
                                range("a2"),
                                range("a3"),
                                range("a4")))))
        .contains("RANGE")
        .contains("at most 4");
    assertThat(
            createRefusal(
                r ->
                    r.attributeDefinitions(strs("p", "a", "b", "c"))
                        .globalSecondaryIndexes(
                            gsi("gsi", ProjectionType.ALL, hash("a"), range("b"), hash("c")))))
        .matches(".*HASH.*precede.*RANGE.*");
    assertThat(
            createRefusal(
                r ->
                    r.attributeDefinitions(strs("p", "a"))
                        .globalSecondaryIndexes(
                            gsi("gsi", ProjectionType.ALL, hash("a"), hash("a")))))
        .contains("same name");
    assertThat(
            createRefusal(
                r ->
                    r.attributeDefinitions(strs("p", "a", "b"))
                        .globalSecondaryIndexes(
                            gsi("gsi", ProjectionType.ALL, hash("a"), hash("b"), range("a")))))
        .contains("same name");
    assertThat(
            createRefusal(
                r ->
                    r.attributeDefinitions(strs("p", "a"))
                        .globalSecondaryIndexes(
                            gsi("gsi", ProjectionType.ALL, hash("a"), hash("b")))))
        .isEqualTo(
            "One or more parameter values were invalid: Some index key attributes are not defined"
                + " in AttributeDefinitions. Keys: [b], AttributeDefinitions: [p, a]");
    assertThat(
            createRefusal(
                r ->
                    r.attributeDefinitions(strs("p", "a", "b"))
                        .globalSecondaryIndexes(
                            gsi("gsi", ProjectionType.ALL, range("a"), range("b")))))
        .isEqualTo("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
    // The table's own key and local indexes stay one HASH and at most one RANGE attribute.
    assertThat(
            refusal(
                () ->
                    ddb.createTable(
                        r ->
                            r.tableName("refused")
                                .billingMode(BillingMode.PAY_PER_REQUEST)
                                .attributeDefinitions(strs("p", "q"))
                                .keySchema(hash("p"), hash("q")))))
        .isEqualTo("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
    assertThat(
            refusal(
                () ->
                    ddb.createTable(
                        r ->
                            r.tableName("refused")
                                .billingMode(BillingMode.PAY_PER_REQUEST)
                                .attributeDefinitions(strs("p", "c", "l"))
                                .keySchema(hash("p"), range("c"))
                                .localSecondaryIndexes(
                                    LocalSecondaryIndex.builder()
                                        .indexName("lsi")
                                        .keySchema(hash("p"), range("c"), range("l"))
                                        .projection(projection(ProjectionType.ALL))
                                        .build()))))
        .contains("Member must have length less than or equal to 2");
    assertThat(ddb.listTables().tableNames()).doesNotContain("refused");
  }

  private static final List<AttributeDefinition> DESCRIBED =
      List.of(
          str("p"),
          str("c"),
          str("h1"),
          num("h2"),
          str("h3"),
          str("h4"),
          num("r1"),
          str("r2"),
          attr("r3", ScalarAttributeType.B),
          str("r4"));

  // Protects DescribeTable's echo of a multi-attribute key schema and the merged definitions,
  // with attributes shared between indexes and roles swapped between them.
  @Test
  void describeTableEchoesTheKeySchema() {
    ddb.createTable(
        r ->
            r.tableName("described")
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(DESCRIBED)
                .keySchema(hash("p"), range("c"))
                .globalSecondaryIndexes(
                    gsi(
                        "max",
                        ProjectionType.KEYS_ONLY,
                        hash("h1"),
                        hash("h2"),
                        hash("h3"),
                        hash("h4"),
                        range("r1"),
                        range("r2"),
                        range("r3"),
                        range("r4")),
                    gsi("swapped", ProjectionType.ALL, hash("r2"), hash("r4"), range("h1")),
                    gsi("withbase", ProjectionType.ALL, hash("h1"), range("p"), range("c")),
                    gsi("single", ProjectionType.ALL, hash("h1"))));
    TableDescription t = ddb.describeTable(r -> r.tableName("described")).table();
    GlobalSecondaryIndexDescription max = gsiOf(t, "max");
    assertThat(max.keySchema())
        .containsExactly(
            hash("h1"),
            hash("h2"),
            hash("h3"),
            hash("h4"),
            range("r1"),
            range("r2"),
            range("r3"),
            range("r4"));
    assertThat(max.projection().projectionType()).isEqualTo(ProjectionType.KEYS_ONLY);
    assertThat(max.projection().hasNonKeyAttributes()).isFalse();
    assertThat(max.indexStatusAsString()).isEqualTo("ACTIVE");
    assertThat(gsiOf(t, "swapped").keySchema())
        .containsExactly(hash("r2"), hash("r4"), range("h1"));
    assertThat(gsiOf(t, "withbase").keySchema())
        .containsExactly(hash("h1"), range("p"), range("c"));
    assertThat(t.attributeDefinitions()).containsExactlyInAnyOrderElementsOf(DESCRIBED);
    // KEYS_ONLY carries the table key and every index key attribute, nothing else.
    Map<String, AttributeValue> full = new HashMap<>();
    full.put("p", s("x"));
    full.put("c", s("y"));
    full.put("h1", s("a"));
    full.put("h2", n(2));
    full.put("h3", s("c"));
    full.put("h4", s("d"));
    full.put("r1", n(5));
    full.put("r2", s("e"));
    full.put("r3", b(1, 2));
    full.put("r4", s("f"));
    full.put("extra", s("not projected"));
    ddb.putItem(r -> r.tableName("described").item(full));
    ScanResponse scan = ddb.scan(r -> r.tableName("described").indexName("max"));
    Map<String, AttributeValue> expected = new HashMap<>(full);
    expected.remove("extra");
    assertThat(scan.items()).containsExactly(expected);
    ddb.deleteTable(r -> r.tableName("described"));
  }

  // Protects maintenance: an item is indexed only with every part present; removing any part(s)
  // takes it out, setting them again brings it back, changing parts moves it, deleting removes it.
  @Test
  void itemsAreIndexedOnlyWithEveryPart() {
    create2h2r("sparse", ProjectionType.ALL);
    ddb.putItem(
        r -> r.tableName("sparse").item(item("p", "noH2", "h1", "a", "r1", "x", "r2", "y")));
    ddb.putItem(
        r -> r.tableName("sparse").item(item("p", "noR2", "h1", "a", "h2", "b", "r1", "x")));
    ddb.putItem(
        r ->
            r.tableName("sparse")
                .item(item("p", "full", "h1", "a", "h2", "b", "r1", "x", "r2", "y")));
    ddb.putItem(
        r ->
            r.tableName("sparse")
                .item(item("p", "marker", "h1", "a", "h2", "b", "r1", "x", "r2", "z")));
    String both = "h1 = :h1 AND h2 = :h2";
    Map<String, AttributeValue> ab = values("h1", "a", "h2", "b");
    assertThat(queryP("sparse", both, ab)).containsExactly("full", "marker");
    assertThat(ddb.scan(r -> r.tableName("sparse").indexName("idx")).count()).isEqualTo(2);
    for (List<String> removed :
        List.of(
            List.of("h1"),
            List.of("h2"),
            List.of("r1"),
            List.of("r2"),
            List.of("h1", "h2"),
            List.of("r1", "r2"),
            List.of("h1", "r2"))) {
      ddb.updateItem(
          r ->
              r.tableName("sparse")
                  .key(Map.of("p", s("full")))
                  .updateExpression("REMOVE " + String.join(", ", removed)));
      assertThat(queryP("sparse", both, ab)).as("without %s", removed).containsExactly("marker");
      Map<String, AttributeValue> back = new HashMap<>();
      Map<String, AttributeValue> full = item("h1", "a", "h2", "b", "r1", "x", "r2", "y");
      List<String> sets = new ArrayList<>();
      for (String a : removed) {
        back.put(":" + a, full.get(a));
        sets.add(a + " = :" + a);
      }
      ddb.updateItem(
          r ->
              r.tableName("sparse")
                  .key(Map.of("p", s("full")))
                  .updateExpression("SET " + String.join(", ", sets))
                  .expressionAttributeValues(back));
      assertThat(queryP("sparse", both, ab))
          .as("with %s again", removed)
          .containsExactly("full", "marker");
    }
    // Changing the key tuple moves the entry.
    ddb.updateItem(
        r ->
            r.tableName("sparse")
                .key(Map.of("p", s("full")))
                .updateExpression("SET h1 = :h1, h2 = :h2, r1 = :r1")
                .expressionAttributeValues(values("h1", "c", "h2", "d", "r1", "w")));
    assertThat(queryP("sparse", both, ab)).containsExactly("marker");
    assertThat(queryP("sparse", both, values("h1", "c", "h2", "d"))).containsExactly("full");
    ddb.deleteItem(r -> r.tableName("sparse").key(Map.of("p", s("full"))));
    assertThat(queryP("sparse", both, values("h1", "c", "h2", "d"))).isEmpty();
    TableDescription t = ddb.describeTable(r -> r.tableName("sparse")).table();
    assertThat(gsiOf(t, "idx").itemCount()).isEqualTo(1);
    ddb.deleteTable(r -> r.tableName("sparse"));
  }

  // Protects the write refusals: a wrong type or an empty value on any part refuses the whole
  // request (PutItem, UpdateItem, BatchWriteItem) before anything is written.
  @Test
  void wrongTypesAndEmptyPartsAreRefused() {
    create2h2r("typed", ProjectionType.ALL);
    Map<String, AttributeValue> bad = item("p", "x", "h1", "a", "r1", "c", "r2", "d");
    bad.put("h2", n(123));
    Map<String, AttributeValue> badRange = item("p", "x", "h1", "a", "h2", "b", "r2", "d");
    badRange.put("r1", n(1));
    String invalid = "One or more parameter values were invalid: ";
    Map<Map<String, AttributeValue>, String> puts = new java.util.LinkedHashMap<>();
    puts.put(bad, invalid + "Type mismatch for Index Key h2 Expected: S Actual: N IndexName: idx");
    puts.put(
        badRange, invalid + "Type mismatch for Index Key r1 Expected: S Actual: N IndexName: idx");
    puts.put(
        item("p", "x", "h1", "a", "h2", "", "r1", "c"),
        "One or more parameter values are not valid. A value specified for a secondary index key is"
            + " not supported. The AttributeValue for a key attribute cannot contain an empty"
            + " string value. IndexName: idx, IndexKey: h2");
    puts.put(
        item("p", "x", "h1", "a", "h2", "x".repeat(2049), "r1", "c"),
        invalid
            + "Size limit exceeded for Index Key h2 Actual Size: 2049 bytes Max Size: 2048 bytes"
            + " IndexName: idx");
    puts.put(
        item("p", "x", "h1", "a", "h2", "b", "r2", "x".repeat(1025)),
        invalid
            + "Size limit exceeded for Index Key r2 Actual Size: 1025 bytes Max Size: 1024 bytes"
            + " IndexName: idx");
    puts.forEach(
        (it, message) ->
            assertThat(refusal(() -> ddb.putItem(r -> r.tableName("typed").item(it))))
                .isEqualTo(message));
    assertThat(
            refusal(
                () ->
                    ddb.updateItem(
                        r ->
                            r.tableName("typed")
                                .key(Map.of("p", s("y")))
                                .updateExpression("SET r2 = :v")
                                .expressionAttributeValues(Map.of(":v", n(4))))))
        .contains("Type mismatch for Index Key r2");
    assertThat(
            refusal(
                () ->
                    ddb.batchWriteItem(
                        r ->
                            r.requestItems(
                                Map.of(
                                    "typed",
                                    List.of(
                                        put(item("p", "ok", "h1", "a", "h2", "b")), put(bad)))))))
        .contains("Type mismatch for Index Key h2");
    assertThat(ddb.scan(r -> r.tableName("typed")).count()).isZero();
    ddb.putItem(
        r ->
            r.tableName("typed")
                .item(
                    item("p", "edge", "h1", "a", "h2", "x".repeat(2048), "r1", "x".repeat(1024))));
    ddb.deleteItem(r -> r.tableName("typed").key(Map.of("p", s("edge"))));
    // Without the index the constraint is gone and the data stays.
    ddb.putItem(r -> r.tableName("typed").item(item("p", "kept", "h1", "a", "h2", "b", "r1", "c")));
    ddb.updateTable(r -> r.tableName("typed").globalSecondaryIndexUpdates(deleteIndex("idx")));
    ddb.putItem(r -> r.tableName("typed").item(bad));
    assertThat(ddb.scan(r -> r.tableName("typed")).count()).isEqualTo(2);
    assertThat(
            refusal(
                () ->
                    ddb.query(
                        r ->
                            r.tableName("typed")
                                .indexName("idx")
                                .keyConditionExpression("h1 = :h1 AND h2 = :h2")
                                .expressionAttributeValues(values("h1", "a", "h2", "b")))))
        .isEqualTo("The table does not have the specified index: idx");
    ddb.deleteTable(r -> r.tableName("typed"));
  }

  static GlobalSecondaryIndexUpdate createIndex(String name, KeySchemaElement... keys) {
    return GlobalSecondaryIndexUpdate.builder()
        .create(
            CreateGlobalSecondaryIndexAction.builder()
                .indexName(name)
                .keySchema(keys)
                .projection(projection(ProjectionType.ALL))
                .build())
        .build();
  }

  static GlobalSecondaryIndexUpdate deleteIndex(String name) {
    return GlobalSecondaryIndexUpdate.builder()
        .delete(DeleteGlobalSecondaryIndexAction.builder().indexName(name).build())
        .build();
  }

  static software.amazon.awssdk.services.dynamodb.model.WriteRequest put(
      Map<String, AttributeValue> item) {
    return software.amazon.awssdk.services.dynamodb.model.WriteRequest.builder()
        .putRequest(p -> p.item(item))
        .build();
  }

  /** Table p (S); idx: h1..h4 (S) HASH; r1 (N), r2 (S), r3 (B), r4 (S) RANGE. */
  static void create4h4r(String table) {
    ddb.createTable(
        r ->
            r.tableName(table)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                    str("p"),
                    str("h1"),
                    str("h2"),
                    str("h3"),
                    str("h4"),
                    num("r1"),
                    str("r2"),
                    attr("r3", ScalarAttributeType.B),
                    str("r4"))
                .keySchema(hash("p"))
                .globalSecondaryIndexes(
                    gsi(
                        "idx",
                        ProjectionType.ALL,
                        hash("h1"),
                        hash("h2"),
                        hash("h3"),
                        hash("h4"),
                        range("r1"),
                        range("r2"),
                        range("r3"),
                        range("r4"))));
  }

  String queryRefusal(String table, String keyCondition, Map<String, AttributeValue> v) {
    return refusal(
        () ->
            ddb.query(
                r ->
                    r.tableName(table)
                        .indexName("idx")
                        .keyConditionExpression(keyCondition)
                        .expressionAttributeValues(used(keyCondition, v))));
  }

  // Protects every Query rule of a multi-attribute key and its refusal.
  @Test
  void queryRulesAndRefusals() {
    create2h2r("rules", ProjectionType.ALL);
    for (String r2 : List.of("aaa", "bbb", "ccc", "ddd")) {
      ddb.putItem(
          r ->
              r.tableName("rules")
                  .item(item("p", "s-" + r2, "h1", "a", "h2", "b", "r1", "same", "r2", r2)));
    }
    ddb.putItem(
        r ->
            r.tableName("rules")
                .item(item("p", "other", "h1", "a", "h2", "b", "r1", "zzz", "r2", "aaa")));
    Map<String, AttributeValue> v = values("h1", "a", "h2", "b", "r1", "same", "r2", "bbb");
    String hk = "h1 = :h1 AND h2 = :h2";
    v.put(":lo", s("bbb"));
    v.put(":hi", s("ccc"));
    v.put(":pre", s("cc"));
    Map<String, List<String>> valid = new java.util.LinkedHashMap<>();
    valid.put(hk, List.of("s-aaa", "s-bbb", "s-ccc", "s-ddd", "other"));
    valid.put(hk + " AND r1 = :r1", List.of("s-aaa", "s-bbb", "s-ccc", "s-ddd"));
    valid.put(hk + " AND r1 = :r1 AND r2 > :r2", List.of("s-ccc", "s-ddd"));
    valid.put(hk + " AND r1 = :r1 AND r2 >= :r2", List.of("s-bbb", "s-ccc", "s-ddd"));
    valid.put(hk + " AND r1 = :r1 AND r2 < :r2", List.of("s-aaa"));
    valid.put(hk + " AND r1 = :r1 AND r2 <= :r2", List.of("s-aaa", "s-bbb"));
    valid.put(hk + " AND r1 = :r1 AND r2 = :r2", List.of("s-bbb"));
    valid.put(hk + " AND r1 = :r1 AND r2 BETWEEN :lo AND :hi", List.of("s-bbb", "s-ccc"));
    valid.put(hk + " AND r1 = :r1 AND begins_with(r2, :pre)", List.of("s-ccc"));
    valid.put(hk + " AND r1 > :r1", List.of("other"));
    valid.put(hk + " AND r1 <= :r1", List.of("s-aaa", "s-bbb", "s-ccc", "s-ddd"));
    // Written order does not matter.
    valid.put("r2 = :r2 AND r1 = :r1 AND h2 = :h2 AND h1 = :h1", List.of("s-bbb"));
    for (Map.Entry<String, List<String>> e : valid.entrySet()) {
      Map<String, AttributeValue> used = used(e.getKey(), v);
      assertThat(queryP("rules", e.getKey(), used)).as(e.getKey()).isEqualTo(e.getValue());
    }
    // Aliases for key attributes.
    assertThat(
            ddb.query(
                    r ->
                        r.tableName("rules")
                            .indexName("idx")
                            .keyConditionExpression("#a = :h1 AND #b = :h2 AND #c = :r1")
                            .expressionAttributeNames(Map.of("#a", "h1", "#b", "h2", "#c", "r1"))
                            .expressionAttributeValues(values("h1", "a", "h2", "b", "r1", "zzz")))
                .count())
        .isEqualTo(1);
    // Descending order.
    assertThat(
            Indexed.map(
                ddb.query(
                        r ->
                            r.tableName("rules")
                                .indexName("idx")
                                .keyConditionExpression(hk + " AND r1 = :r1")
                                .scanIndexForward(false)
                                .expressionAttributeValues(
                                    values("h1", "a", "h2", "b", "r1", "same")))
                    .items(),
                i -> i.get("r2").s()))
        .containsExactly("ddd", "ccc", "bbb", "aaa");

    String[] hashRefused = {
      "h1 = :h1",
      "h1 = :h1 AND h2 > :h2",
      "h1 = :h1 AND h2 BETWEEN :lo AND :hi",
      "h1 = :h1 AND begins_with(h2, :pre)",
      "r1 = :r1 AND r2 = :r2",
    };
    for (String k : hashRefused) {
      assertThat(queryRefusal("rules", k, used(k, v))).as(k).matches(".*HASH.*equality.*");
    }
    String[] rangeRefused = {
      hk + " AND r2 = :r2",
      hk + " AND r1 > :r1 AND r2 = :r2",
      hk + " AND r1 > :r1 AND r2 > :r2",
      hk + " AND begins_with(r1, :pre) AND r2 = :r2",
    };
    for (String k : rangeRefused) {
      assertThat(queryRefusal("rules", k, used(k, v))).as(k).matches(".*RANGE.*equality.*");
    }
    assertThat(queryRefusal("rules", hk + " AND zz = :r1", used(hk + " AND r1 = :r1", v)))
        .isEqualTo("Query key condition not supported: zz is not a key attribute of the index");
    Map<String, AttributeValue> wrong = values("h2", "b");
    wrong.put(":h1", n(1));
    assertThat(queryRefusal("rules", hk, wrong))
        .isEqualTo(
            "One or more parameter values were invalid: Condition parameter type does not match"
                + " schema type");
    assertThat(
            refusal(
                () ->
                    ddb.query(
                        r ->
                            r.tableName("rules")
                                .indexName("idx")
                                .consistentRead(true)
                                .keyConditionExpression(hk)
                                .expressionAttributeValues(values("h1", "a", "h2", "b")))))
        .isEqualTo("Consistent reads are not supported on global secondary indexes");
    // Filters may not read a key attribute of the index (directly or through a name), but may
    // read the table's key and other attributes.
    for (String filter : List.of("h2 = :f", "r1 = :f", "#x = :f")) {
      Map<String, AttributeValue> fv = values("h1", "a", "h2", "b", "f", "z");
      assertThat(
              refusal(
                  () ->
                      ddb.query(
                          r -> {
                            r.tableName("rules")
                                .indexName("idx")
                                .keyConditionExpression(hk)
                                .filterExpression(filter)
                                .expressionAttributeValues(fv);
                            if (filter.contains("#x")) {
                              r.expressionAttributeNames(Map.of("#x", "r2"));
                            }
                          })))
          .startsWith(
              "Filter Expression can only contain non-primary key attributes: Primary key"
                  + " attribute: ");
    }
    assertThat(
            ddb.query(
                    r ->
                        r.tableName("rules")
                            .indexName("idx")
                            .keyConditionExpression(hk)
                            .filterExpression("p = :f")
                            .expressionAttributeValues(values("h1", "a", "h2", "b", "f", "other")))
                .count())
        .isEqualTo(1);
    // Legacy KeyConditions follow the same rules.
    Map<String, software.amazon.awssdk.services.dynamodb.model.Condition> legacy = new HashMap<>();
    legacy.put("h1", eq(s("a")));
    legacy.put("h2", eq(s("b")));
    legacy.put(
        "r1",
        software.amazon.awssdk.services.dynamodb.model.Condition.builder()
            .comparisonOperator("GT")
            .attributeValueList(s("same"))
            .build());
    assertThat(ddb.query(r -> r.tableName("rules").indexName("idx").keyConditions(legacy)).count())
        .isEqualTo(1);
    legacy.remove("h2");
    assertThat(
            refusal(
                () -> ddb.query(r -> r.tableName("rules").indexName("idx").keyConditions(legacy))))
        .matches(".*HASH.*equality.*");
    ddb.deleteTable(r -> r.tableName("rules"));
  }

  static software.amazon.awssdk.services.dynamodb.model.Condition eq(AttributeValue v) {
    return software.amazon.awssdk.services.dynamodb.model.Condition.builder()
        .comparisonOperator("EQ")
        .attributeValueList(v)
        .build();
  }

  /** The values a key condition names (DynamoDB refuses unused ones). */
  static Map<String, AttributeValue> used(String expression, Map<String, AttributeValue> all) {
    Map<String, AttributeValue> out = new HashMap<>();
    all.forEach(
        (k, val) -> {
          if (java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(k) + "\\b")
              .matcher(expression)
              .find()) {
            out.put(k, val);
          }
        });
    return out;
  }

  // Protects the maximal key (four of each, S/N/B parts): equality on all eight, a gap refused,
  // begins_with on a number part refused by type, numeric then binary ordering.
  @Test
  void fourHashAndFourRangeParts() {
    create4h4r("max");
    String hk = "h1 = :h1 AND h2 = :h2 AND h3 = :h3 AND h4 = :h4";
    for (int r1 : new int[] {100, 5, 50, 1000, -3}) {
      for (int[] r3 : new int[][] {{0x80}, {0x00, 0x01}, {0x7f}}) {
        Map<String, AttributeValue> it = item("h1", "a", "h2", "b", "h3", "c", "h4", "d");
        it.put("p", s(r1 + "/" + r3[0]));
        it.put("r1", n(r1));
        it.put("r2", s("x"));
        it.put("r3", b(r3));
        it.put("r4", s("y"));
        ddb.putItem(r -> r.tableName("max").item(it));
      }
    }
    Map<String, AttributeValue> v = values("h1", "a", "h2", "b", "h3", "c", "h4", "d", "r2", "x");
    assertThat(queryP("max", hk, v))
        .containsExactly(
            "-3/0",
            "-3/127",
            "-3/128",
            "5/0",
            "5/127",
            "5/128",
            "50/0",
            "50/127",
            "50/128",
            "100/0",
            "100/127",
            "100/128",
            "1000/0",
            "1000/127",
            "1000/128");
    Map<String, AttributeValue> all = new HashMap<>(v);
    all.put(":r1", n(50));
    all.put(":r3", b(0x7f));
    all.put(":r4", s("y"));
    assertThat(queryP("max", hk + " AND r1 = :r1 AND r2 = :r2 AND r3 = :r3 AND r4 = :r4", all))
        .containsExactly("50/127");
    assertThat(queryP("max", hk + " AND r1 = :r1 AND r2 = :r2 AND r3 > :r3", all))
        .containsExactly("50/128");
    Map<String, AttributeValue> gap = new HashMap<>(v);
    gap.remove(":r2");
    gap.put(":r1", n(50));
    gap.put(":r3", b(0x7f));
    assertThat(queryRefusal("max", hk + " AND r1 = :r1 AND r3 = :r3", gap))
        .matches(".*RANGE.*equality.*");
    Map<String, AttributeValue> bw = new HashMap<>(v);
    bw.remove(":r2");
    bw.put(":pre", s("1"));
    assertThat(queryRefusal("max", hk + " AND begins_with(r1, :pre)", bw)).contains("type");
    Map<String, AttributeValue> hashOnly = new HashMap<>(v);
    hashOnly.remove(":r2");
    assertThat(
            queryRefusal(
                "max",
                "h1 = :h1 AND h2 = :h2 AND h3 = :h3",
                used("h1 = :h1 AND h2 = :h2 AND h3 = :h3", hashOnly)))
        .matches(".*HASH.*equality.*");
    ddb.deleteTable(r -> r.tableName("max"));
  }

  // Protects paging: LastEvaluatedKey carries the table key and every index part, every Limit
  // resumes to exactly the full result (Query both directions and Scan), and a start key missing a
  // part or carrying an extra attribute is refused.
  @Test
  void pagingCarriesEveryPart() {
    create2h2r("paged", ProjectionType.KEYS_ONLY);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Map<String, AttributeValue> it =
          item("p", "p" + i, "h1", "a", "h2", "b", "r1", "r" + (i % 3), "r2", "s" + i);
      ddb.putItem(r -> r.tableName("paged").item(it));
    }
    for (int r1 = 0; r1 < 3; r1++) {
      for (int i = r1; i < 10; i += 3) {
        expected.add("p" + i);
      }
    }
    String hk = "h1 = :h1 AND h2 = :h2";
    QueryResponse first =
        ddb.query(
            r ->
                r.tableName("paged")
                    .indexName("idx")
                    .keyConditionExpression(hk)
                    .expressionAttributeValues(values("h1", "a", "h2", "b"))
                    .limit(2));
    assertThat(first.lastEvaluatedKey()).containsOnlyKeys("p", "h1", "h2", "r1", "r2");
    for (int limit = 1; limit <= 11; limit++) {
      for (boolean forward : new boolean[] {true, false}) {
        int l = limit;
        List<String> got =
            Indexed.map(
                queryAll(
                    ddb,
                    QueryRequest.builder()
                        .tableName("paged")
                        .indexName("idx")
                        .keyConditionExpression(hk)
                        .expressionAttributeValues(values("h1", "a", "h2", "b"))
                        .scanIndexForward(forward)
                        .limit(l)
                        .build()),
                i -> i.get("p").s());
        List<String> want = new ArrayList<>(expected);
        if (!forward) {
          java.util.Collections.reverse(want);
        }
        assertThat(got).as("limit %d forward %s", limit, forward).isEqualTo(want);
      }
      List<String> scanned = new ArrayList<>();
      ScanRequest req =
          ScanRequest.builder().tableName("paged").indexName("idx").limit(limit).build();
      while (true) {
        ScanResponse page = ddb.scan(req);
        assertThat(page.count()).isLessThanOrEqualTo(limit);
        page.items().forEach(i -> scanned.add(i.get("p").s()));
        if (!page.hasLastEvaluatedKey() || page.lastEvaluatedKey().isEmpty()) {
          break;
        }
        assertThat(page.lastEvaluatedKey()).containsOnlyKeys("p", "h1", "h2", "r1", "r2");
        req = req.toBuilder().exclusiveStartKey(page.lastEvaluatedKey()).build();
      }
      assertThat(scanned).as("scan limit %d", limit).isEqualTo(expected);
    }
    Map<String, AttributeValue> missing = item("p", "x", "h1", "a", "r1", "x", "r2", "x");
    Map<String, AttributeValue> extra = item("p", "x", "h1", "a", "h2", "b", "r1", "x", "r2", "x");
    extra.put("zz", s("x"));
    Map<String, AttributeValue> outside =
        item("p", "x", "h1", "a", "h2", "OTHER", "r1", "x", "r2", "x");
    Map<Map<String, AttributeValue>, String> refused = new java.util.LinkedHashMap<>();
    refused.put(missing, "The provided starting key is invalid");
    refused.put(extra, "The provided starting key is invalid");
    refused.put(
        outside,
        "The provided starting key is outside query boundaries based on provided conditions");
    refused.forEach(
        (start, message) ->
            assertThat(
                    refusal(
                        () ->
                            ddb.query(
                                r ->
                                    r.tableName("paged")
                                        .indexName("idx")
                                        .keyConditionExpression(hk)
                                        .expressionAttributeValues(values("h1", "a", "h2", "b"))
                                        .exclusiveStartKey(start))))
                .isEqualTo(message));
    ddb.deleteTable(r -> r.tableName("paged"));
  }

  // Protects UpdateTable: the same shape refusals, then an online backfill that indexes every
  // complete existing item, after which writes maintain the index.
  @Test
  void updateTableCreatesAndBackfills() throws Exception {
    ddb.createTable(
        r ->
            r.tableName("grown")
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(str("p"))
                .keySchema(hash("p")));
    for (int i = 0; i < 600; i++) {
      Map<String, AttributeValue> it = item("p", "p" + i, "a", "t" + (i % 3), "b", "shared");
      if (i % 10 != 0) {
        it.put("c", n(i));
      }
      ddb.putItem(r -> r.tableName("grown").item(it));
    }
    // Too long for an index key: the backfill leaves it out, as DynamoDB does.
    ddb.putItem(
        r ->
            r.tableName("grown")
                .item(Map.of("p", s("long"), "a", s("t1"), "b", s("x".repeat(2049)), "c", n(5))));
    assertThat(
            refusal(
                () ->
                    ddb.updateTable(
                        r ->
                            r.tableName("grown")
                                .attributeDefinitions(str("a"), str("b"), num("c"))
                                .globalSecondaryIndexUpdates(
                                    createIndex("idx", hash("a"), range("c"), hash("b"))))))
        .matches(".*HASH.*precede.*RANGE.*");
    ddb.updateTable(
        r ->
            r.tableName("grown")
                .attributeDefinitions(str("a"), str("b"), num("c"))
                .globalSecondaryIndexUpdates(createIndex("idx", hash("a"), hash("b"), range("c"))));
    TableDescription t = awaitActive(ddb, "grown", "idx");
    GlobalSecondaryIndexDescription g = gsiOf(t, "idx");
    assertThat(g.keySchema()).containsExactly(hash("a"), hash("b"), range("c"));
    assertThat(g.backfilling()).isNull();
    assertThat(g.itemCount()).isEqualTo(540);
    List<Map<String, AttributeValue>> t1 =
        queryAll(
            ddb,
            QueryRequest.builder()
                .tableName("grown")
                .indexName("idx")
                .keyConditionExpression("a = :a AND b = :b")
                .expressionAttributeValues(Map.of(":a", s("t1"), ":b", s("shared")))
                .build());
    assertThat(t1).hasSize(180);
    List<Long> order = Indexed.map(t1, i -> Long.parseLong(i.get("c").n()));
    assertThat(order).isSorted();
    ddb.putItem(
        r ->
            r.tableName("grown")
                .item(Map.of("p", s("new"), "a", s("t1"), "b", s("shared"), "c", n(-1))));
    assertThat(
            ddb.query(
                    r ->
                        r.tableName("grown")
                            .indexName("idx")
                            .keyConditionExpression("a = :a AND b = :b AND c < :c")
                            .expressionAttributeValues(
                                Map.of(":a", s("t1"), ":b", s("shared"), ":c", n(0))))
                .items())
        .extracting(i -> i.get("p").s())
        .containsExactly("new");
    // Once fixed, the left-out item is indexed like any other write.
    ddb.updateItem(
        r ->
            r.tableName("grown")
                .key(Map.of("p", s("long")))
                .updateExpression("SET b = :b")
                .expressionAttributeValues(Map.of(":b", s("shared"))));
    assertThat(gsiOf(ddb.describeTable(r -> r.tableName("grown")).table(), "idx").itemCount())
        .isEqualTo(542);
    ddb.deleteTable(r -> r.tableName("grown"));
  }

  // Protects backups: the catalog JSON in a backup carries the multi-attribute key, and a restore
  // rebuilds an index that answers the same queries, in the same order, with the same counts.
  @Test
  void backupAndRestoreKeepTheIndex() throws Exception {
    create2h2r("saved", ProjectionType.ALL);
    for (int i = 0; i < 30; i++) {
      Map<String, AttributeValue> it = item("p", "p" + i, "h1", "a", "h2", "b" + (i % 2));
      if (i % 5 != 0) {
        it.put("r1", s("r" + (i % 4)));
        it.put("r2", s("s" + i));
      }
      ddb.putItem(r -> r.tableName("saved").item(it));
    }
    String arn = BackupIntegrationTest.backupAndWait(ddb, "saved", "saved-backup");
    ddb.restoreTableFromBackup(r -> r.backupArn(arn).targetTableName("restored"));
    TableDescription t = BackupIntegrationTest.waitActive(ddb, "restored");
    GlobalSecondaryIndexDescription g = gsiOf(t, "idx");
    assertThat(g.keySchema()).containsExactly(hash("h1"), hash("h2"), range("r1"), range("r2"));
    assertThat(g.itemCount()).isEqualTo(24);
    for (String h2 : List.of("b0", "b1")) {
      for (String k : List.of("h1 = :h1 AND h2 = :h2", "h1 = :h1 AND h2 = :h2 AND r1 >= :r1")) {
        Map<String, AttributeValue> v = values("h1", "a", "h2", h2, "r1", "r2");
        List<String> original = queryP("saved", k, v);
        assertThat(original).isNotEmpty();
        assertThat(queryP("restored", k, v)).as(k).isEqualTo(original);
      }
    }
    ddb.deleteTable(r -> r.tableName("restored"));
    ddb.deleteTable(r -> r.tableName("saved"));
  }

  // Protects the lifecycle: a table re-created with the same name and index starts empty.
  @Test
  void recreatedTableStartsEmpty() {
    create2h2r("again", ProjectionType.ALL);
    ddb.putItem(
        r -> r.tableName("again").item(item("p", "x", "h1", "a", "h2", "b", "r1", "c", "r2", "d")));
    ddb.deleteTable(r -> r.tableName("again"));
    create2h2r("again", ProjectionType.ALL);
    assertThat(queryP("again", "h1 = :h1 AND h2 = :h2", values("h1", "a", "h2", "b"))).isEmpty();
    ddb.deleteTable(r -> r.tableName("again"));
  }
}
