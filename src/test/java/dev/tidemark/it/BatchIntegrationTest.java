package dev.tidemark.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/** BatchGetItem and BatchWriteItem through the AWS SDK v2 against a live in-process server. */
class BatchIntegrationTest {
  private static LiveServer server;
  private static DynamoDbClient ddb;

  @BeforeAll
  static void start() throws Exception {
    server = LiveServer.inMemory();
    ddb = server.client;
    ddb.createTable(hashTable("b_hash"));
    ddb.createTable(hashTable("b_big"));
    ddb.createTable(ControlPlaneIntegrationTest.table("b_range").build());
    ddb.createTable(
        hashTable("b_idx").toBuilder()
            .attributeDefinitions(
                Indexed.attr("pk", ScalarAttributeType.S), Indexed.attr("g", ScalarAttributeType.S))
            .globalSecondaryIndexes(Indexed.gsi("by_g", "g", null, ProjectionType.ALL))
            .build());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static software.amazon.awssdk.services.dynamodb.model.CreateTableRequest hashTable(String name) {
    return ControlPlaneIntegrationTest.table(name)
        .attributeDefinitions(
            AttributeDefinition.builder()
                .attributeName("pk")
                .attributeType(ScalarAttributeType.S)
                .build())
        .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
        .build();
  }

  static AttributeValue s(String v) {
    return AttributeValue.fromS(v);
  }

  static AttributeValue n(String v) {
    return AttributeValue.fromN(v);
  }

  static WriteRequest put(Map<String, AttributeValue> item) {
    return WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build();
  }

  static WriteRequest delete(Map<String, AttributeValue> key) {
    return WriteRequest.builder().deleteRequest(DeleteRequest.builder().key(key).build()).build();
  }

  static Map<String, AttributeValue> hashKey(String pk) {
    return Map.of("pk", s(pk));
  }

  private static DynamoDbException batchWriteError(Map<String, List<WriteRequest>> items) {
    return catchThrowableOfType(
        DynamoDbException.class, () -> ddb.batchWriteItem(r -> r.requestItems(items)));
  }

  private static DynamoDbException batchGetError(Map<String, KeysAndAttributes> items) {
    return catchThrowableOfType(
        DynamoDbException.class, () -> ddb.batchGetItem(r -> r.requestItems(items)));
  }

  private static KeysAndAttributes keys(List<Map<String, AttributeValue>> keys) {
    return KeysAndAttributes.builder().keys(keys).build();
  }

  // Protects the basic round trip: puts and deletes across tables, then reads with projections.
  @Test
  void writeAndReadAcrossTables() {
    ddb.putItem(r -> r.tableName("b_range").item(Map.of("pk", s("gone"), "sk", n("1"))));
    Map<String, List<WriteRequest>> writes = new LinkedHashMap<>();
    writes.put(
        "b_hash",
        List.of(
            put(Map.of("pk", s("h1"), "a", s("x"), "b", n("1"))),
            put(Map.of("pk", s("h2"), "a", s("y"), "b", n("2")))));
    writes.put(
        "b_range",
        List.of(
            put(
                Map.of(
                    "pk", s("r"), "sk", n("1"), "doc", AttributeValue.fromM(Map.of("k", s("v"))))),
            delete(Map.of("pk", s("gone"), "sk", n("1")))));
    BatchWriteItemResponse written = ddb.batchWriteItem(r -> r.requestItems(writes));
    assertThat(written.unprocessedItems()).isEmpty();
    assertThat(written.hasConsumedCapacity()).isFalse();

    Map<String, KeysAndAttributes> reads = new LinkedHashMap<>();
    reads.put(
        "b_hash",
        KeysAndAttributes.builder()
            .keys(List.of(hashKey("h1"), hashKey("h2"), hashKey("missing")))
            .projectionExpression("#a")
            .expressionAttributeNames(Map.of("#a", "a"))
            .consistentRead(true)
            .build());
    reads.put(
        "b_range",
        keys(List.of(Map.of("pk", s("r"), "sk", n("1")), Map.of("pk", s("gone"), "sk", n("1")))));
    BatchGetItemResponse got = ddb.batchGetItem(r -> r.requestItems(reads));
    assertThat(got.unprocessedKeys()).isEmpty();
    assertThat(got.responses().get("b_hash"))
        .containsExactlyInAnyOrder(Map.of("a", s("x")), Map.of("a", s("y")));
    assertThat(got.responses().get("b_range")).hasSize(1);
    assertThat(got.responses().get("b_range").get(0).get("doc").m().get("k").s()).isEqualTo("v");
  }

  // Protects a table whose keys all miss: it still appears in Responses, with no items.
  @Test
  void tablesWithoutHitsStillAppear() {
    BatchGetItemResponse got =
        ddb.batchGetItem(r -> r.requestItems(Map.of("b_hash", keys(List.of(hashKey("none"))))));
    assertThat(got.responses()).containsKey("b_hash");
    assertThat(got.responses().get("b_hash")).isEmpty();
  }

  // Protects BatchGetItem's validation messages, verbatim.
  @Test
  void batchGetErrorsMatchDynamoDb() {
    assertThat(
            batchGetError(Map.of("b_hash", keys(List.of(hashKey("d"), hashKey("d")))))
                .awsErrorDetails()
                .errorMessage())
        .isEqualTo("Provided list of item keys contains duplicates");

    List<Map<String, AttributeValue>> many = new ArrayList<>();
    for (int i = 0; i < 101; i++) {
      many.add(hashKey("k" + i));
    }
    assertThat(batchGetError(Map.of("b_hash", keys(many))).awsErrorDetails().errorMessage())
        .isEqualTo(
            "1 validation error detected: Value at 'RequestItems.b_hash.member.Keys' failed to"
                + " satisfy constraint: Member must have length less than or equal to 100");

    Map<String, KeysAndAttributes> split = new LinkedHashMap<>();
    split.put("b_hash", keys(many.subList(0, 60)));
    List<Map<String, AttributeValue>> rangeKeys = new ArrayList<>();
    for (int i = 0; i < 41; i++) {
      rangeKeys.add(Map.of("pk", s("p"), "sk", n(Integer.toString(i))));
    }
    split.put("b_range", keys(rangeKeys));
    assertThat(batchGetError(split).awsErrorDetails().errorMessage())
        .isEqualTo("Too many items requested for the BatchGetItem call");

    ResourceNotFoundException missing =
        catchThrowableOfType(
            ResourceNotFoundException.class,
            () ->
                ddb.batchGetItem(
                    r -> r.requestItems(Map.of("no_such_table", keys(List.of(hashKey("a")))))));
    assertThat(missing.awsErrorDetails().errorMessage()).isEqualTo("Requested resource not found");

    assertThat(batchGetError(Map.of()).awsErrorDetails().errorMessage())
        .isEqualTo("The requestItems parameter is required for BatchGetItem");

    assertThat(
            batchGetError(Map.of("b_hash", keys(List.of(Map.of("pk", n("1"))))))
                .awsErrorDetails()
                .errorMessage())
        .isEqualTo("The provided key element does not match the schema");

    Map<String, KeysAndAttributes> mixed = new LinkedHashMap<>();
    mixed.put(
        "b_hash",
        KeysAndAttributes.builder().keys(List.of(hashKey("a"))).projectionExpression("pk").build());
    mixed.put(
        "b_range",
        KeysAndAttributes.builder()
            .keys(List.of(Map.of("pk", s("a"), "sk", n("1"))))
            .attributesToGet("pk")
            .build());
    assertThat(batchGetError(mixed).awsErrorDetails().errorMessage())
        .isEqualTo(
            "Can not use both expression and non-expression parameters in the same request:"
                + " Non-expression parameters: {AttributesToGet} Expression parameters:"
                + " {ProjectionExpression}");
  }

  // Protects BatchWriteItem's validation messages, and that a refused batch writes nothing.
  @Test
  void batchWriteErrorsMatchDynamoDbAndWriteNothing() {
    assertThat(
            batchWriteError(
                    Map.of(
                        "b_hash",
                        List.of(put(Map.of("pk", s("dup"), "a", s("1"))), delete(hashKey("dup")))))
                .awsErrorDetails()
                .errorMessage())
        .isEqualTo("Provided list of item keys contains duplicates");

    List<WriteRequest> many = new ArrayList<>();
    for (int i = 0; i < 26; i++) {
      many.add(put(hashKey("w" + i)));
    }
    assertThat(batchWriteError(Map.of("b_hash", many)).awsErrorDetails().errorMessage())
        .matches(
            "(?s)1 validation error detected: Value '\\{.+\\}' at 'requestItems' failed to satisfy"
                + " constraint: Map value must satisfy constraint: \\[Member must have length less"
                + " than or equal to 25, Member must have length greater than or equal to 1\\]");

    Map<String, List<WriteRequest>> split = new LinkedHashMap<>();
    split.put("b_hash", many.subList(0, 20));
    List<WriteRequest> rangeWrites = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      rangeWrites.add(put(Map.of("pk", s("p"), "sk", n(Integer.toString(i)))));
    }
    split.put("b_range", rangeWrites);
    assertThat(batchWriteError(split).awsErrorDetails().errorMessage())
        .isEqualTo("Too many items requested for the BatchWriteItem call");

    ResourceNotFoundException missing =
        catchThrowableOfType(
            ResourceNotFoundException.class,
            () ->
                ddb.batchWriteItem(
                    r -> r.requestItems(Map.of("no_such_table", List.of(put(hashKey("a")))))));
    assertThat(missing.awsErrorDetails().errorMessage()).isEqualTo("Requested resource not found");

    assertThat(batchWriteError(Map.of()).awsErrorDetails().errorMessage())
        .isEqualTo("The requestItems parameter is required for BatchWriteItem");

    // A valid put next to an invalid one: the whole batch is refused before anything is written.
    assertThat(
            batchWriteError(
                    Map.of(
                        "b_hash",
                        List.of(put(hashKey("valid_but_refused")), put(Map.of("a", s("no key"))))))
                .awsErrorDetails()
                .errorMessage())
        .isEqualTo("The provided key element does not match the schema");
    assertThat(
            batchWriteError(
                    Map.of(
                        "b_hash",
                        List.of(
                            put(hashKey("valid_but_refused")),
                            put(Map.of("pk", s("big"), "blob", s("x".repeat(400 * 1024)))))))
                .awsErrorDetails()
                .errorMessage())
        .isEqualTo("Item size has exceeded the maximum allowed size");
    assertThat(
            batchWriteError(Map.of("b_hash", List.of(put(Map.of("pk", s(""))))))
                .awsErrorDetails()
                .errorMessage())
        .isEqualTo(
            "One or more parameter values are not valid. The AttributeValue for a key attribute"
                + " cannot contain an empty string value. Key: pk");
    assertThat(
            batchWriteError(
                    Map.of(
                        "b_idx",
                        List.of(
                            put(hashKey("valid_but_refused")),
                            put(Map.of("pk", s("typed"), "g", n("1"))))))
                .awsErrorDetails()
                .errorMessage())
        .isEqualTo(
            "One or more parameter values were invalid: Type mismatch for Index Key g Expected: S"
                + " Actual: N IndexName: by_g");
    assertThat(ddb.getItem(r -> r.tableName("b_hash").key(hashKey("valid_but_refused"))).hasItem())
        .isFalse();
    assertThat(ddb.getItem(r -> r.tableName("b_idx").key(hashKey("valid_but_refused"))).hasItem())
        .isFalse();
  }

  // Protects the 16 MB response limit: the rest comes back in UnprocessedKeys, in request form.
  @Test
  void batchGetReturnsUnprocessedKeysPastSixteenMegabytes() {
    // Each item is 409,500 bytes as DynamoDB counts them; 40 fit in 16 MB, 41 do not.
    String blob = "x".repeat(409_500 - "pk".length() - 3 - "blob".length());
    List<Map<String, AttributeValue>> allKeys = new ArrayList<>();
    List<WriteRequest> batch = new ArrayList<>();
    for (int i = 0; i < 42; i++) {
      Map<String, AttributeValue> key = hashKey(String.format("k%02d", i));
      allKeys.add(key);
      Map<String, AttributeValue> item = new HashMap<>(key);
      item.put("blob", s(blob));
      batch.add(put(item));
      if (batch.size() == 21) {
        List<WriteRequest> chunk = List.copyOf(batch);
        ddb.batchWriteItem(r -> r.requestItems(Map.of("b_big", chunk)));
        batch.clear();
      }
    }
    BatchGetItemResponse first =
        ddb.batchGetItem(
            r ->
                r.requestItems(
                    Map.of(
                        "b_big",
                        KeysAndAttributes.builder().keys(allKeys).consistentRead(true).build())));
    assertThat(first.responses().get("b_big")).hasSize(40);
    KeysAndAttributes rest = first.unprocessedKeys().get("b_big");
    assertThat(rest.keys()).hasSize(2);
    assertThat(rest.consistentRead()).isTrue();

    BatchGetItemResponse second = ddb.batchGetItem(r -> r.requestItems(first.unprocessedKeys()));
    assertThat(second.unprocessedKeys()).isEmpty();
    List<String> seen = new ArrayList<>();
    first.responses().get("b_big").forEach(i -> seen.add(i.get("pk").s()));
    second.responses().get("b_big").forEach(i -> seen.add(i.get("pk").s()));
    assertThat(seen)
        .containsExactlyInAnyOrderElementsOf(allKeys.stream().map(k -> k.get("pk").s()).toList());
  }
}
