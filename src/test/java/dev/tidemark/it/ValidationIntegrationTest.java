package dev.tidemark.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ComparisonOperator;
import software.amazon.awssdk.services.dynamodb.model.Condition;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * DynamoDB's request validation through the SDK: which legacy and expression parameters may share a
 * request, and deeply nested expressions refused as 400s.
 */
class ValidationIntegrationTest {
  private static LiveServer server;
  private static DynamoDbClient ddb;

  @BeforeAll
  static void start() throws Exception {
    server = LiveServer.inMemory();
    ddb = server.client;
    ddb.createTable(ControlPlaneIntegrationTest.table("rules").build());
    for (int i = 1; i <= 4; i++) {
      int sk = i;
      ddb.putItem(
          r ->
              r.tableName("rules")
                  .item(
                      Map.of(
                          "pk", AttributeValue.fromS("p"),
                          "sk", AttributeValue.fromN(Integer.toString(sk)),
                          "colour", AttributeValue.fromS(sk % 2 == 0 ? "red" : "blue"),
                          "size", AttributeValue.fromN(Integer.toString(sk * 10)))));
    }
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static Map<String, Condition> partition() {
    return Map.of(
        "pk",
        Condition.builder()
            .comparisonOperator(ComparisonOperator.EQ)
            .attributeValueList(AttributeValue.fromS("p"))
            .build());
  }

  /** A Query of partition "p" by key condition expression. */
  private static QueryRequest.Builder partitionP(QueryRequest.Builder q) {
    return q.tableName("rules")
        .keyConditionExpression("pk = :p")
        .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("p")));
  }

  private static String refusal(Runnable call) {
    DynamoDbException e = catchThrowableOfType(DynamoDbException.class, call::run);
    assertThat(e.statusCode()).isEqualTo(400);
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
    return e.awsErrorDetails().errorMessage();
  }

  // DynamoDB accepts legacy KeyConditions with a FilterExpression (applications migrating one
  // parameter at a time do this); it used to be refused here as a mix.
  @Test
  void keyConditionsWithFilterExpression() {
    QueryResponse r =
        ddb.query(
            q ->
                q.tableName("rules")
                    .keyConditions(partition())
                    .filterExpression("colour = :c")
                    .expressionAttributeValues(Map.of(":c", AttributeValue.fromS("red"))));
    assertThat(r.items()).extracting(i -> i.get("sk").n()).containsExactly("2", "4");
    assertThat(r.scannedCount()).isEqualTo(4);
  }

  // ... and with a ProjectionExpression.
  @Test
  void keyConditionsWithProjectionExpression() {
    QueryResponse r =
        ddb.query(
            q ->
                q.tableName("rules")
                    .keyConditions(partition())
                    .projectionExpression("sk, #s")
                    .expressionAttributeNames(Map.of("#s", "size")));
    assertThat(r.items()).hasSize(4).allSatisfy(i -> assertThat(i).containsOnlyKeys("sk", "size"));
  }

  // The mixes DynamoDB refuses: a legacy parameter beside its own expression counterpart, and a
  // legacy filter beside a key condition expression (text confirmed on AWS).
  @Test
  void conflictingMixesAreRefused() {
    assertThat(
            refusal(
                () ->
                    ddb.query(
                        q ->
                            q.tableName("rules")
                                .keyConditions(partition())
                                .keyConditionExpression("pk = :p")
                                .expressionAttributeValues(
                                    Map.of(":p", AttributeValue.fromS("p"))))))
        .isEqualTo(
            "Can not use both expression and non-expression parameters in the same request:"
                + " Non-expression parameters: {KeyConditions} Expression parameters:"
                + " {KeyConditionExpression}");
    assertThat(
            refusal(
                () ->
                    ddb.query(
                        q ->
                            partitionP(q)
                                .queryFilter(
                                    Map.of(
                                        "colour",
                                        Condition.builder()
                                            .comparisonOperator(ComparisonOperator.EQ)
                                            .attributeValueList(AttributeValue.fromS("red"))
                                            .build())))))
        .isEqualTo(
            "Can not use both expression and non-expression parameters in the same request:"
                + " Non-expression parameters: {QueryFilter} Expression parameters:"
                + " {KeyConditionExpression}");
  }

  // A filter nested 2,000 parentheses deep is a ValidationException (DynamoDB's redundant
  // parentheses), never a 500 from an overflowing parser; the server keeps serving.
  @Test
  void deeplyNestedExpressionsAreRefusedCleanly() {
    String deep = "(".repeat(2000) + "colour = :c" + ")".repeat(2000);
    assertThat(
            refusal(
                () ->
                    ddb.scan(
                        s ->
                            s.tableName("rules")
                                .filterExpression(deep)
                                .expressionAttributeValues(
                                    Map.of(":c", AttributeValue.fromS("red"))))))
        .isEqualTo("Invalid FilterExpression: The expression has redundant parentheses;");
    String nots = "NOT ".repeat(1000) + "colour = :c";
    assertThat(
            refusal(
                () ->
                    ddb.updateItem(
                        u ->
                            u.tableName("rules")
                                .key(
                                    Map.of(
                                        "pk",
                                        AttributeValue.fromS("p"),
                                        "sk",
                                        AttributeValue.fromN("1")))
                                .updateExpression("SET colour = :c")
                                .conditionExpression(nots)
                                .expressionAttributeValues(
                                    Map.of(":c", AttributeValue.fromS("red"))))))
        .isEqualTo(
            "Invalid ConditionExpression: The expression contains too many operators;"
                + " operator count: 1001");
    assertThat(ddb.scan(s -> s.tableName("rules")).count()).isEqualTo(4);
  }

  // An empty name behind a placeholder is refused, naming the placeholder (AWS's text, as
  // applications match it).
  @Test
  void emptyExpressionAttributeNameIsRefused() {
    assertThat(
            refusal(
                () ->
                    ddb.updateItem(
                        u ->
                            u.tableName("rules")
                                .key(
                                    Map.of(
                                        "pk",
                                        AttributeValue.fromS("p"),
                                        "sk",
                                        AttributeValue.fromN("1")))
                                .updateExpression("SET #e = :v")
                                .expressionAttributeNames(Map.of("#e", ""))
                                .expressionAttributeValues(
                                    Map.of(":v", AttributeValue.fromS("x"))))))
        .isEqualTo(
            "ExpressionAttributeNames contains invalid value: Empty attribute name for key #e");
  }

  // An item attribute with an empty name is refused and nothing is stored (the wording is not
  // confirmed against AWS; the refusal is).
  @Test
  void emptyAttributeNameInAnItemIsRefused() {
    Map<String, AttributeValue> item =
        Map.of(
            "pk", AttributeValue.fromS("empty-name"),
            "sk", AttributeValue.fromN("1"),
            "", AttributeValue.fromS("x"));
    assertThat(refusal(() -> ddb.putItem(r -> r.tableName("rules").item(item))))
        .isEqualTo(
            "One or more parameter values were invalid: An AttributeValue may not contain an"
                + " empty attribute name");
    assertThat(
            ddb.getItem(
                    r ->
                        r.tableName("rules")
                            .key(
                                Map.of(
                                    "pk",
                                    AttributeValue.fromS("empty-name"),
                                    "sk",
                                    AttributeValue.fromN("1"))))
                .hasItem())
        .isFalse();
  }

  // A malformed ExclusiveStartKey (an attribute missing or extra, a wrong type) is refused with
  // the texts DynamoDB gives for Query and for Scan, as other DynamoDB-compatible servers record
  // them from AWS (not confirmed here); a start key outside the queried partition likewise.
  @Test
  void malformedExclusiveStartKeysAreRefused() {
    Map<String, AttributeValue> missing = Map.of("pk", AttributeValue.fromS("p"));
    Map<String, AttributeValue> extra =
        Map.of(
            "pk", AttributeValue.fromS("p"),
            "sk", AttributeValue.fromN("1"),
            "x", AttributeValue.fromS("y"));
    Map<String, AttributeValue> wrongType =
        Map.of("pk", AttributeValue.fromS("p"), "sk", AttributeValue.fromS("1"));
    for (Map<String, AttributeValue> start : List.of(missing, extra, wrongType)) {
      assertThat(refusal(() -> ddb.query(q -> partitionP(q).exclusiveStartKey(start))))
          .isEqualTo("The provided starting key is invalid");
      assertThat(refusal(() -> ddb.scan(s -> s.tableName("rules").exclusiveStartKey(start))))
          .isEqualTo(
              "The provided starting key is invalid: The provided key element does not match the"
                  + " schema");
    }
    assertThat(
            refusal(
                () ->
                    ddb.query(
                        q ->
                            partitionP(q)
                                .exclusiveStartKey(
                                    Map.of(
                                        "pk",
                                        AttributeValue.fromS("other"),
                                        "sk",
                                        AttributeValue.fromN("1"))))))
        .isEqualTo(
            "The provided starting key is outside query boundaries based on provided conditions");
  }
}
