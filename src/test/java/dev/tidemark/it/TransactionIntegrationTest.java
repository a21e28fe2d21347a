package dev.tidemark.it;

import static dev.tidemark.it.BatchIntegrationTest.hashKey;
import static dev.tidemark.it.BatchIntegrationTest.n;
import static dev.tidemark.it.BatchIntegrationTest.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.Get;
import software.amazon.awssdk.services.dynamodb.model.IdempotentParameterMismatchException;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItem;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

/** TransactWriteItems and TransactGetItems through the AWS SDK v2 against a live server. */
class TransactionIntegrationTest {
  private static LiveServer server;
  private static DynamoDbClient ddb;

  @BeforeAll
  static void start() throws Exception {
    server = LiveServer.inMemory();
    ddb = server.client;
    ddb.createTable(BatchIntegrationTest.hashTable("t_hash"));
    ddb.createTable(ControlPlaneIntegrationTest.table("t_range").build());
    ddb.createTable(
        BatchIntegrationTest.hashTable("t_idx").toBuilder()
            .attributeDefinitions(
                Indexed.attr("pk", ScalarAttributeType.S), Indexed.attr("g", ScalarAttributeType.S))
            .globalSecondaryIndexes(Indexed.gsi("by_g", "g", null, ProjectionType.ALL))
            .build());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static TransactWriteItem put(String table, Map<String, AttributeValue> item, String condition) {
    return TransactWriteItem.builder()
        .put(Put.builder().tableName(table).item(item).conditionExpression(condition).build())
        .build();
  }

  static TransactWriteItem update(
      String table,
      Map<String, AttributeValue> key,
      String expression,
      Map<String, AttributeValue> values,
      String condition) {
    return TransactWriteItem.builder()
        .update(
            Update.builder()
                .tableName(table)
                .key(key)
                .updateExpression(expression)
                .expressionAttributeValues(values)
                .conditionExpression(condition)
                .build())
        .build();
  }

  static TransactWriteItem delete(String table, Map<String, AttributeValue> key) {
    return TransactWriteItem.builder()
        .delete(Delete.builder().tableName(table).key(key).build())
        .build();
  }

  static TransactWriteItem check(String table, Map<String, AttributeValue> key, String condition) {
    return TransactWriteItem.builder()
        .conditionCheck(
            ConditionCheck.builder()
                .tableName(table)
                .key(key)
                .conditionExpression(condition)
                .build())
        .build();
  }

  static TransactGetItem get(String table, Map<String, AttributeValue> key, String projection) {
    return TransactGetItem.builder()
        .get(Get.builder().tableName(table).key(key).projectionExpression(projection).build())
        .build();
  }

  private static Map<String, AttributeValue> item(String table, Map<String, AttributeValue> key) {
    return ddb.getItem(r -> r.tableName(table).key(key).consistentRead(true)).item();
  }

  private static TransactionCanceledException cancelled(List<TransactWriteItem> items) {
    return catchThrowableOfType(
        TransactionCanceledException.class,
        () -> ddb.transactWriteItems(r -> r.transactItems(items)));
  }

  private static DynamoDbException refused(List<TransactWriteItem> items) {
    return catchThrowableOfType(
        DynamoDbException.class, () -> ddb.transactWriteItems(r -> r.transactItems(items)));
  }

  // Protects all four action kinds across two tables applying together.
  @Test
  void appliesEveryActionAcrossTables() {
    ddb.putItem(r -> r.tableName("t_hash").item(Map.of("pk", s("old"), "n", n("1"))));
    ddb.putItem(r -> r.tableName("t_range").item(Map.of("pk", s("p"), "sk", n("1"))));
    TransactWriteItemsResponse resp =
        ddb.transactWriteItems(
            r ->
                r.transactItems(
                    List.of(
                        put(
                            "t_hash",
                            Map.of("pk", s("new"), "v", s("x")),
                            "attribute_not_exists(pk)"),
                        update(
                            "t_hash",
                            hashKey("old"),
                            "SET n = n + :one",
                            Map.of(":one", n("1")),
                            "n = :one"),
                        delete("t_range", Map.of("pk", s("p"), "sk", n("1"))),
                        check(
                            "t_range",
                            Map.of("pk", s("p"), "sk", n("2")),
                            "attribute_not_exists(pk)"))));
    assertThat(resp.hasConsumedCapacity()).isFalse();
    assertThat(item("t_hash", hashKey("new")).get("v").s()).isEqualTo("x");
    assertThat(item("t_hash", hashKey("old")).get("n").n()).isEqualTo("2");
    assertThat(item("t_range", Map.of("pk", s("p"), "sk", n("1")))).isEmpty();
  }

  // Protects cancellation: verbatim message, reasons in request order, old item on ALL_OLD.
  @Test
  void cancellationReasonsComeInRequestOrder() {
    ddb.putItem(r -> r.tableName("t_hash").item(Map.of("pk", s("c1"), "v", s("one"))));
    ddb.putItem(r -> r.tableName("t_hash").item(Map.of("pk", s("c2"), "v", s("two"))));
    TransactWriteItem withOld =
        TransactWriteItem.builder()
            .put(
                Put.builder()
                    .tableName("t_hash")
                    .item(Map.of("pk", s("c1"), "v", s("changed")))
                    .conditionExpression("attribute_not_exists(pk)")
                    .returnValuesOnConditionCheckFailure(
                        ReturnValuesOnConditionCheckFailure.ALL_OLD)
                    .build())
            .build();
    TransactionCanceledException e =
        cancelled(
            List.of(
                put("t_hash", Map.of("pk", s("c0"), "v", s("fresh")), "attribute_not_exists(pk)"),
                withOld,
                TransactWriteItem.builder()
                    .conditionCheck(
                        ConditionCheck.builder()
                            .tableName("t_hash")
                            .key(hashKey("c2"))
                            .conditionExpression("v = :x")
                            .expressionAttributeValues(Map.of(":x", s("not two")))
                            .build())
                    .build()));
    assertThat(e.awsErrorDetails().errorMessage())
        .isEqualTo(
            "Transaction cancelled, please refer cancellation reasons for specific reasons [None,"
                + " ConditionalCheckFailed, ConditionalCheckFailed]");
    List<CancellationReason> reasons = e.cancellationReasons();
    assertThat(reasons)
        .extracting(CancellationReason::code)
        .containsExactly("None", "ConditionalCheckFailed", "ConditionalCheckFailed");
    assertThat(reasons.get(0).message()).isNull();
    assertThat(reasons.get(1).message()).isEqualTo("The conditional request failed");
    assertThat(reasons.get(1).item()).isEqualTo(Map.of("pk", s("c1"), "v", s("one")));
    assertThat(reasons.get(2).hasItem()).isFalse();
    assertThat(item("t_hash", hashKey("c0"))).isEmpty();
    assertThat(item("t_hash", hashKey("c1")).get("v").s()).isEqualTo("one");
  }

  // Protects ValidationError reasons: found while running, and keys that do not fit the schema.
  @Test
  void validationErrorsBecomeReasons() {
    ddb.putItem(r -> r.tableName("t_hash").item(Map.of("pk", s("typed"), "n", s("text"))));
    TransactionCanceledException operand =
        cancelled(
            List.of(
                put("t_hash", hashKey("ok_but_cancelled"), null),
                update(
                    "t_hash", hashKey("typed"), "SET n = n + :one", Map.of(":one", n("1")), null)));
    assertThat(operand.cancellationReasons())
        .extracting(CancellationReason::code)
        .containsExactly("None", "ValidationError");
    assertThat(operand.cancellationReasons().get(1).message())
        .isEqualTo("An operand in the update expression has an incorrect data type");
    assertThat(item("t_hash", hashKey("ok_but_cancelled"))).isEmpty();

    TransactionCanceledException putKey =
        cancelled(List.of(put("t_hash", Map.of("pk", n("5")), null)));
    assertThat(putKey.awsErrorDetails().errorMessage())
        .isEqualTo(
            "Transaction cancelled, please refer cancellation reasons for specific reasons"
                + " [ValidationError]");
    assertThat(putKey.cancellationReasons().get(0).message())
        .isEqualTo(
            "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N");

    TransactionCanceledException deleteKey =
        cancelled(
            List.of(
                delete("t_hash", Map.of("pk", n("5"))),
                check("t_hash", hashKey("typed"), "attribute_not_exists(pk)")));
    assertThat(deleteKey.cancellationReasons())
        .extracting(CancellationReason::code)
        .containsExactly("ValidationError", "ConditionalCheckFailed");
    assertThat(deleteKey.cancellationReasons().get(0).message())
        .isEqualTo("The provided key element does not match the schema");

    DynamoDbException emptyKey = refused(List.of(delete("t_hash", Map.of("pk", s("")))));
    assertThat(emptyKey).isNotInstanceOf(TransactionCanceledException.class);
    assertThat(emptyKey.awsErrorDetails().errorMessage())
        .isEqualTo(
            "One or more parameter values are not valid. The AttributeValue for a key attribute"
                + " cannot contain an empty string value. Key: pk");
  }

  // Protects index keys in transactions: a mistyped one is a reason, an empty one refuses all.
  @Test
  void indexKeyErrorsSplitLikeDynamoDb() {
    TransactionCanceledException typed =
        cancelled(
            List.of(
                put("t_idx", Map.of("pk", s("i1"), "g", s("fine")), null),
                put("t_idx", Map.of("pk", s("i2"), "g", n("5")), null)));
    assertThat(typed.cancellationReasons())
        .extracting(CancellationReason::code)
        .containsExactly("None", "ValidationError");
    assertThat(typed.cancellationReasons().get(1).message())
        .isEqualTo(
            "One or more parameter values were invalid: Type mismatch for Index Key g Expected: S"
                + " Actual: N IndexName: by_g");
    TransactionCanceledException updated =
        cancelled(
            List.of(update("t_idx", hashKey("i3"), "SET g = :v", Map.of(":v", n("1")), null)));
    assertThat(updated.cancellationReasons().get(0).message())
        .isEqualTo(
            "One or more parameter values were invalid: Type mismatch for Index Key g Expected: S"
                + " Actual: N IndexName: by_g");
    DynamoDbException empty =
        refused(List.of(put("t_idx", Map.of("pk", s("i4"), "g", s("")), null)));
    assertThat(empty).isNotInstanceOf(TransactionCanceledException.class);
    assertThat(empty.awsErrorDetails().errorMessage())
        .isEqualTo(
            "One or more parameter values are not valid. A value specified for a secondary index key"
                + " is not supported. The AttributeValue for a key attribute cannot contain an empty"
                + " string value. IndexName: by_g, IndexKey: g");
    assertThat(item("t_idx", hashKey("i1"))).isEmpty();
  }

  // Protects the request-level rules: one operation per item, sizes, action shape, tables.
  @Test
  void requestErrorsMatchDynamoDb() {
    assertThat(
            refused(
                    List.of(
                        delete("t_hash", hashKey("same")),
                        check("t_hash", hashKey("same"), "attribute_exists(pk)")))
                .awsErrorDetails()
                .errorMessage())
        .isEqualTo("Transaction request cannot include multiple operations on one item");

    assertThat(refused(List.of()).awsErrorDetails().errorMessage())
        .isEqualTo(
            "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy"
                + " constraint: Member must have length greater than or equal to 1");

    List<TransactWriteItem> many = new ArrayList<>();
    for (int i = 0; i < 101; i++) {
      many.add(put("t_hash", hashKey("m" + i), null));
    }
    assertThat(refused(many).awsErrorDetails().errorMessage())
        .matches(
            "(?s)1 validation error detected: Value '\\[.+\\]' at 'transactItems' failed to"
                + " satisfy constraint: Member must have length less than or equal to 100");

    TransactWriteItem both =
        put("t_hash", hashKey("x"), null).toBuilder()
            .delete(Delete.builder().tableName("t_hash").key(hashKey("x")).build())
            .build();
    assertThat(refused(List.of(both)).awsErrorDetails().errorMessage())
        .isEqualTo("TransactItems can only contain one of Check, Put, Update or Delete");
    assertThat(
            refused(List.of(TransactWriteItem.builder().build())).awsErrorDetails().errorMessage())
        .isEqualTo(
            "Invalid Request: TransactWriteRequest should contain Delete or Put or Update request");

    ResourceNotFoundException missing =
        catchThrowableOfType(
            ResourceNotFoundException.class,
            () ->
                ddb.transactWriteItems(
                    r -> r.transactItems(List.of(put("no_such_table", hashKey("a"), null)))));
    assertThat(missing.awsErrorDetails().errorMessage()).isEqualTo("Requested resource not found");

    assertThat(
            refused(
                    List.of(
                        update("t_hash", hashKey("k"), "SET pk = :v", Map.of(":v", s("z")), null)))
                .awsErrorDetails()
                .errorMessage())
        .isEqualTo(
            "One or more parameter values were invalid: Cannot update attribute pk. This attribute"
                + " is part of the key");
  }

  // Protects ClientRequestToken: a replay applies nothing, a changed request is refused.
  @Test
  void clientRequestTokenMakesRetriesIdempotent() {
    List<TransactWriteItem> increment =
        List.of(update("t_hash", hashKey("counter"), "ADD n :one", Map.of(":one", n("1")), null));
    ddb.transactWriteItems(r -> r.transactItems(increment).clientRequestToken("token-1"));
    TransactWriteItemsResponse replay =
        ddb.transactWriteItems(
            r ->
                r.transactItems(increment)
                    .clientRequestToken("token-1")
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
    assertThat(item("t_hash", hashKey("counter")).get("n").n()).isEqualTo("1");
    // A replay reads instead of writing, and DynamoDB bills it as transactional reads.
    assertThat(replay.consumedCapacity()).hasSize(1);
    assertThat(replay.consumedCapacity().get(0).readCapacityUnits()).isEqualTo(2.0);
    assertThat(replay.consumedCapacity().get(0).writeCapacityUnits()).isNull();

    IdempotentParameterMismatchException mismatch =
        catchThrowableOfType(
            IdempotentParameterMismatchException.class,
            () ->
                ddb.transactWriteItems(
                    r ->
                        r.transactItems(
                                List.of(
                                    update(
                                        "t_hash",
                                        hashKey("counter"),
                                        "ADD n :two",
                                        Map.of(":two", n("2")),
                                        null)))
                            .clientRequestToken("token-1")));
    assertThat(mismatch.awsErrorDetails().errorMessage())
        .isEqualTo(
            "The request uses the same client token as a previous, but non-identical request.");

    ddb.transactWriteItems(r -> r.transactItems(increment).clientRequestToken("token-2"));
    assertThat(item("t_hash", hashKey("counter")).get("n").n()).isEqualTo("2");
  }

  // Protects a cancelled transaction's token: it was not applied, so a retry runs it again.
  @Test
  void cancelledTransactionTokenCanBeRetried() {
    List<TransactWriteItem> guarded =
        List.of(put("t_hash", Map.of("pk", s("gated"), "v", s("in")), "attribute_exists(pk)"));
    catchThrowableOfType(
        TransactionCanceledException.class,
        () -> ddb.transactWriteItems(r -> r.transactItems(guarded).clientRequestToken("retry-me")));
    ddb.putItem(r -> r.tableName("t_hash").item(Map.of("pk", s("gated"))));
    ddb.transactWriteItems(r -> r.transactItems(guarded).clientRequestToken("retry-me"));
    assertThat(item("t_hash", hashKey("gated")).get("v").s()).isEqualTo("in");
  }

  // Protects TransactGetItems: request order, projections, empty responses for missing items.
  @Test
  void transactGetReadsInRequestOrder() {
    ddb.putItem(r -> r.tableName("t_hash").item(Map.of("pk", s("g1"), "a", s("1"), "b", s("2"))));
    ddb.putItem(r -> r.tableName("t_range").item(Map.of("pk", s("g"), "sk", n("7"), "c", s("3"))));
    TransactGetItemsResponse got =
        ddb.transactGetItems(
            r ->
                r.transactItems(
                    List.of(
                        get("t_range", Map.of("pk", s("g"), "sk", n("7")), null),
                        get("t_hash", hashKey("missing"), null),
                        get("t_hash", hashKey("g1"), "b"))));
    assertThat(got.responses()).hasSize(3);
    assertThat(got.responses().get(0).item().get("c").s()).isEqualTo("3");
    assertThat(got.responses().get(1).hasItem()).isFalse();
    assertThat(got.responses().get(2).item()).isEqualTo(Map.of("b", s("2")));
    assertThat(got.hasConsumedCapacity()).isFalse();
  }

  // Protects TransactGetItems' errors: reasons for keys off the schema, request-level others.
  @Test
  void transactGetErrorsMatchDynamoDb() {
    TransactionCanceledException badKey =
        catchThrowableOfType(
            TransactionCanceledException.class,
            () ->
                ddb.transactGetItems(
                    r ->
                        r.transactItems(
                            List.of(
                                get("t_hash", hashKey("a"), null),
                                get("t_hash", Map.of(), null)))));
    assertThat(badKey.awsErrorDetails().errorMessage())
        .isEqualTo(
            "Transaction cancelled, please refer cancellation reasons for specific reasons [None,"
                + " ValidationError]");
    assertThat(badKey.cancellationReasons().get(1).message())
        .isEqualTo("The provided key element does not match the schema");

    DynamoDbException twice =
        catchThrowableOfType(
            DynamoDbException.class,
            () ->
                ddb.transactGetItems(
                    r ->
                        r.transactItems(
                            List.of(
                                get("t_hash", hashKey("a"), null),
                                get("t_hash", hashKey("a"), "pk")))));
    assertThat(twice.awsErrorDetails().errorMessage())
        .isEqualTo("Transaction request cannot include multiple operations on one item");

    DynamoDbException empty =
        catchThrowableOfType(
            DynamoDbException.class, () -> ddb.transactGetItems(r -> r.transactItems(List.of())));
    assertThat(empty.awsErrorDetails().errorMessage())
        .isEqualTo(
            "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy"
                + " constraint: Member must have length greater than or equal to 1");

    ResourceNotFoundException missing =
        catchThrowableOfType(
            ResourceNotFoundException.class,
            () ->
                ddb.transactGetItems(
                    r -> r.transactItems(List.of(get("no_such_table", hashKey("a"), null)))));
    assertThat(missing.awsErrorDetails().errorMessage()).isEqualTo("Requested resource not found");

    DynamoDbException syntax =
        catchThrowableOfType(
            DynamoDbException.class,
            () ->
                ddb.transactGetItems(
                    r -> r.transactItems(List.of(get("t_hash", hashKey("a"), "!!!")))));
    assertThat(syntax.awsErrorDetails().errorMessage())
        .isEqualTo("Invalid ProjectionExpression: Syntax error; token: \"!\", near: \"!!\"");
  }
}
