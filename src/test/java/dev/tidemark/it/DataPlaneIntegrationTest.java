package dev.tidemark.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.Select;

/** Items, expressions, Query and Scan through the AWS SDK v2 against a live in-process server. */
class DataPlaneIntegrationTest {
  private static LiveServer server;
  private static DynamoDbClient ddb;

  @BeforeAll
  static void start() throws Exception {
    server = LiveServer.inMemory();
    ddb = server.client;
    ddb.createTable(ControlPlaneIntegrationTest.table("items").build());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static AttributeValue s(String v) {
    return AttributeValue.fromS(v);
  }

  static AttributeValue n(String v) {
    return AttributeValue.fromN(v);
  }

  static Map<String, AttributeValue> key(String pk, int sk) {
    return Map.of("pk", s(pk), "sk", n(Integer.toString(sk)));
  }

  // Protects round-tripping every attribute type and DynamoDB's canonical number form.
  @Test
  void allTypesRoundTrip() {
    Map<String, AttributeValue> item = new HashMap<>(key("types", 1));
    item.put("s", s(""));
    item.put("n", n("0012.5000"));
    item.put("big", n("-1.2345678901234567890123456789012345678E-100"));
    item.put("b", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[] {0, 1, (byte) 255})));
    item.put("ss", AttributeValue.fromSs(List.of("x", "y")));
    item.put("ns", AttributeValue.fromNs(List.of("1", "2.50")));
    item.put("bs", AttributeValue.fromBs(List.of(SdkBytes.fromUtf8String("q"))));
    item.put(
        "m",
        AttributeValue.fromM(
            Map.of("inner", AttributeValue.fromL(List.of(n("1"), AttributeValue.fromNul(true))))));
    item.put("bool", AttributeValue.fromBool(false));
    ddb.putItem(r -> r.tableName("items").item(item));
    Map<String, AttributeValue> got =
        ddb.getItem(r -> r.tableName("items").key(key("types", 1))).item();
    assertThat(got.get("n").n()).isEqualTo("12.5");
    assertThat(got.get("big").n())
        .isEqualTo(
            new java.math.BigDecimal("-1.2345678901234567890123456789012345678E-100")
                .toPlainString());
    assertThat(got.get("b").b().asByteArray()).containsExactly(0, 1, 255);
    assertThat(got.get("ns").ns()).containsExactlyInAnyOrder("1", "2.5");
    assertThat(got.get("m").m().get("inner").l().get(1).nul()).isTrue();
    assertThat(got.get("bool").bool()).isFalse();
    assertThat(got.get("s").s()).isEmpty();
  }

  // Protects conditional writes: failure type, message, old item on request, and no change.
  @Test
  void conditionalPutFailsWithoutChange() {
    ddb.putItem(r -> r.tableName("items").item(Map.of("pk", s("cond"), "sk", n("1"), "v", n("1"))));
    ConditionalCheckFailedException e =
        catchThrowableOfType(
            ConditionalCheckFailedException.class,
            () ->
                ddb.putItem(
                    r ->
                        r.tableName("items")
                            .item(Map.of("pk", s("cond"), "sk", n("1"), "v", n("2")))
                            .conditionExpression("attribute_not_exists(pk)")
                            .returnValuesOnConditionCheckFailure(
                                ReturnValuesOnConditionCheckFailure.ALL_OLD)));
    assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("The conditional request failed");
    assertThat(e.item().get("v").n()).isEqualTo("1");
    assertThat(ddb.getItem(r -> r.tableName("items").key(key("cond", 1))).item().get("v").n())
        .isEqualTo("1");
  }

  // Protects UpdateItem semantics: SET arithmetic, ADD to sets, REMOVE, nested paths, ReturnValues.
  @Test
  void updateExpressionsApplyAndReturnValues() {
    ddb.putItem(
        r ->
            r.tableName("items")
                .item(
                    Map.of(
                        "pk",
                        s("upd"),
                        "sk",
                        n("1"),
                        "count",
                        n("5"),
                        "doc",
                        AttributeValue.fromM(Map.of("a", n("1"))),
                        "gone",
                        s("x"))));
    var resp =
        ddb.updateItem(
            r ->
                r.tableName("items")
                    .key(key("upd", 1))
                    .updateExpression("SET #c = #c + :one, doc.b = :b REMOVE gone ADD tags :t")
                    .expressionAttributeNames(Map.of("#c", "count"))
                    .expressionAttributeValues(
                        Map.of(
                            ":one",
                            n("1"),
                            ":b",
                            s("new"),
                            ":t",
                            AttributeValue.fromSs(List.of("red"))))
                    .returnValues(ReturnValue.UPDATED_NEW));
    assertThat(resp.attributes().get("count").n()).isEqualTo("6");
    assertThat(resp.attributes().get("doc").m()).containsOnlyKeys("b");
    Map<String, AttributeValue> item =
        ddb.getItem(r -> r.tableName("items").key(key("upd", 1))).item();
    assertThat(item).doesNotContainKey("gone");
    assertThat(item.get("doc").m()).containsOnlyKeys("a", "b");
    assertThat(item.get("tags").ss()).containsExactly("red");
    var old =
        ddb.updateItem(
            r ->
                r.tableName("items")
                    .key(key("upd", 1))
                    .updateExpression("SET #c = :z")
                    .expressionAttributeNames(Map.of("#c", "count"))
                    .expressionAttributeValues(Map.of(":z", n("0")))
                    .returnValues(ReturnValue.ALL_OLD));
    assertThat(old.attributes().get("count").n()).isEqualTo("6");
  }

  // Protects key validation messages and the refusal to update key attributes.
  @Test
  void keyErrorsMatchDynamoDb() {
    DynamoDbException wrongType =
        catchThrowableOfType(
            DynamoDbException.class,
            () -> ddb.putItem(r -> r.tableName("items").item(Map.of("pk", n("1"), "sk", n("1")))));
    assertThat(wrongType.awsErrorDetails().errorMessage())
        .isEqualTo(
            "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N");
    DynamoDbException missing =
        catchThrowableOfType(
            DynamoDbException.class,
            () -> ddb.putItem(r -> r.tableName("items").item(Map.of("pk", s("a")))));
    assertThat(missing.awsErrorDetails().errorMessage())
        .isEqualTo("One or more parameter values were invalid: Missing the key sk in the item");
    DynamoDbException badKey =
        catchThrowableOfType(
            DynamoDbException.class,
            () -> ddb.getItem(r -> r.tableName("items").key(Map.of("pk", s("a")))));
    assertThat(badKey.awsErrorDetails().errorMessage())
        .isEqualTo("The provided key element does not match the schema");
    DynamoDbException keyUpdate =
        catchThrowableOfType(
            DynamoDbException.class,
            () ->
                ddb.updateItem(
                    r ->
                        r.tableName("items")
                            .key(key("k", 1))
                            .updateExpression("SET pk = :v")
                            .expressionAttributeValues(Map.of(":v", s("z")))));
    assertThat(keyUpdate.awsErrorDetails().errorMessage())
        .isEqualTo(
            "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key");
    ResourceNotFoundException noTable =
        catchThrowableOfType(
            ResourceNotFoundException.class,
            () -> ddb.getItem(r -> r.tableName("nope_table").key(key("a", 1))));
    assertThat(noTable.awsErrorDetails().errorMessage()).isEqualTo("Requested resource not found");
    DynamoDbException tooBig =
        catchThrowableOfType(
            DynamoDbException.class,
            () ->
                ddb.putItem(
                    r ->
                        r.tableName("items")
                            .item(
                                Map.of(
                                    "pk",
                                    s("big"),
                                    "sk",
                                    n("1"),
                                    "blob",
                                    s("x".repeat(400 * 1024))))));
    assertThat(tooBig.awsErrorDetails().errorMessage())
        .isEqualTo("Item size has exceeded the maximum allowed size");
    DynamoDbException unused =
        catchThrowableOfType(
            DynamoDbException.class,
            () ->
                ddb.putItem(
                    r ->
                        r.tableName("items")
                            .item(key("u", 1))
                            .conditionExpression("attribute_not_exists(pk)")
                            .expressionAttributeValues(Map.of(":x", s("1")))));
    assertThat(unused.awsErrorDetails().errorMessage())
        .isEqualTo("Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}");
  }

  // Protects Query: range conditions, order, filters, Limit paging and COUNT.
  @Test
  void queryRangeConditionsOrderAndPaging() {
    for (int i = -5; i < 15; i++) {
      int sk = i;
      ddb.putItem(
          r ->
              r.tableName("items")
                  .item(
                      Map.of(
                          "pk",
                          s("q"),
                          "sk",
                          n(Integer.toString(sk)),
                          "even",
                          AttributeValue.fromBool(sk % 2 == 0))));
    }
    QueryResponse between =
        ddb.query(
            r ->
                r.tableName("items")
                    .keyConditionExpression("pk = :p AND sk BETWEEN :a AND :b")
                    .expressionAttributeValues(Map.of(":p", s("q"), ":a", n("-2"), ":b", n("3"))));
    assertThat(between.items())
        .extracting(i -> i.get("sk").n())
        .containsExactly("-2", "-1", "0", "1", "2", "3");
    QueryResponse desc =
        ddb.query(
            r ->
                r.tableName("items")
                    .keyConditionExpression("pk = :p AND sk < :a")
                    .scanIndexForward(false)
                    .expressionAttributeValues(Map.of(":p", s("q"), ":a", n("0"))));
    assertThat(desc.items())
        .extracting(i -> i.get("sk").n())
        .containsExactly("-1", "-2", "-3", "-4", "-5");
    QueryResponse filtered =
        ddb.query(
            r ->
                r.tableName("items")
                    .keyConditionExpression("pk = :p")
                    .filterExpression("even = :t")
                    .expressionAttributeValues(
                        Map.of(":p", s("q"), ":t", AttributeValue.fromBool(true))));
    assertThat(filtered.count()).isEqualTo(10);
    assertThat(filtered.scannedCount()).isEqualTo(20);
    List<String> paged = new ArrayList<>();
    Map<String, AttributeValue> start = null;
    int pages = 0;
    do {
      Map<String, AttributeValue> from = start;
      QueryResponse page =
          ddb.query(
              r ->
                  r.tableName("items")
                      .keyConditionExpression("pk = :p")
                      .limit(6)
                      .exclusiveStartKey(from)
                      .expressionAttributeValues(Map.of(":p", s("q"))));
      page.items().forEach(i -> paged.add(i.get("sk").n()));
      start =
          page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
              ? page.lastEvaluatedKey()
              : null;
      pages++;
    } while (start != null);
    assertThat(paged)
        .hasSize(20)
        .isSortedAccordingTo((a, b) -> Integer.compare(Integer.parseInt(a), Integer.parseInt(b)));
    assertThat(pages).isEqualTo(4);
    QueryResponse count =
        ddb.query(
            r ->
                r.tableName("items")
                    .keyConditionExpression("pk = :p AND sk >= :a")
                    .select(Select.COUNT)
                    .expressionAttributeValues(Map.of(":p", s("q"), ":a", n("10"))));
    assertThat(count.count()).isEqualTo(5);
    assertThat(count.items()).isEmpty();
  }

  // Protects DynamoDB's string order (UTF-8 bytes) and begins_with on range keys.
  @Test
  void stringRangeKeysSortByUtf8Bytes() {
    ddb.createTable(
        ControlPlaneIntegrationTest.table("strings")
            .attributeDefinitions(
                software.amazon.awssdk.services.dynamodb.model.AttributeDefinition.builder()
                    .attributeName("pk")
                    .attributeType("S")
                    .build(),
                software.amazon.awssdk.services.dynamodb.model.AttributeDefinition.builder()
                    .attributeName("sk")
                    .attributeType("S")
                    .build())
            .build());
    for (String sk : List.of("b", "a", "\uFFFF", "\uD83D\uDE00", "ab", "A", "a\u0000")) {
      ddb.putItem(r -> r.tableName("strings").item(Map.of("pk", s("p"), "sk", s(sk))));
    }
    QueryResponse all =
        ddb.query(
            r ->
                r.tableName("strings")
                    .keyConditionExpression("pk = :p")
                    .expressionAttributeValues(Map.of(":p", s("p"))));
    assertThat(all.items())
        .extracting(i -> i.get("sk").s())
        .containsExactly("A", "a", "a\u0000", "ab", "b", "\uFFFF", "\uD83D\uDE00");
    QueryResponse prefix =
        ddb.query(
            r ->
                r.tableName("strings")
                    .keyConditionExpression("pk = :p AND begins_with(sk, :x)")
                    .expressionAttributeValues(Map.of(":p", s("p"), ":x", s("a"))));
    assertThat(prefix.items())
        .extracting(i -> i.get("sk").s())
        .containsExactly("a", "a\u0000", "ab");
  }

  // Protects parallel scan: segments partition the table, each item in exactly one segment.
  @Test
  void parallelScanSegmentsPartitionTable() {
    ddb.createTable(ControlPlaneIntegrationTest.table("scan_table").build());
    for (int i = 0; i < 60; i++) {
      int sk = i;
      ddb.putItem(
          r ->
              r.tableName("scan_table")
                  .item(Map.of("pk", s("p" + (sk % 13)), "sk", n(Integer.toString(sk)))));
    }
    Set<String> seen = new HashSet<>();
    int total = 0;
    for (int seg = 0; seg < 4; seg++) {
      int segment = seg;
      Map<String, AttributeValue> start = null;
      do {
        Map<String, AttributeValue> from = start;
        ScanResponse page =
            ddb.scan(
                r ->
                    r.tableName("scan_table")
                        .segment(segment)
                        .totalSegments(4)
                        .limit(7)
                        .exclusiveStartKey(from));
        for (var item : page.items()) {
          seen.add(item.get("pk").s() + "/" + item.get("sk").n());
          total++;
        }
        start =
            page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
                ? page.lastEvaluatedKey()
                : null;
      } while (start != null);
    }
    assertThat(total).isEqualTo(60);
    assertThat(seen).hasSize(60);
  }

  // Protects the 1 MB page limit: a large scan is split into pages with LastEvaluatedKey.
  @Test
  void scanPagesAtOneMegabyte() {
    ddb.createTable(ControlPlaneIntegrationTest.table("big_table").build());
    String blob = "x".repeat(100 * 1024);
    for (int i = 0; i < 25; i++) {
      int sk = i;
      ddb.putItem(
          r ->
              r.tableName("big_table")
                  .item(Map.of("pk", s("p"), "sk", n(Integer.toString(sk)), "blob", s(blob))));
    }
    ScanResponse first = ddb.scan(r -> r.tableName("big_table"));
    assertThat(first.count()).isBetween(10, 11);
    assertThat(first.lastEvaluatedKey()).isNotEmpty();
  }

  // Protects against lost updates: concurrent increments of one item all count.
  @Test
  void concurrentIncrementsLoseNothing() throws Exception {
    ddb.putItem(
        r -> r.tableName("items").item(Map.of("pk", s("counter"), "sk", n("0"), "n", n("0"))));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      futures.add(
          pool.submit(
              () -> {
                for (int i = 0; i < 25; i++) {
                  ddb.updateItem(
                      r ->
                          r.tableName("items")
                              .key(key("counter", 0))
                              .updateExpression("ADD n :one")
                              .expressionAttributeValues(Map.of(":one", n("1"))));
                }
              }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    pool.shutdown();
    assertThat(ddb.getItem(r -> r.tableName("items").key(key("counter", 0))).item().get("n").n())
        .isEqualTo("200");
  }
}
