package dev.tidemark.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeAction;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.AttributeValueUpdate;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ShardFilterType;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamDescription;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * DynamoDB's write semantics at the edges, seen through the SDK and through the table's stream:
 * which updates create an item, which leave no stream record, list indexes past the end, and
 * DescribeStream's ShardFilter.
 */
class WriteEdgesIntegrationTest {
  private static ClockedServer server;
  private static DynamoDbClient ddb;
  private static DynamoDbStreamsClient streams;
  private static String streamArn;

  @BeforeAll
  static void start() throws Exception {
    server = new ClockedServer();
    ddb = server.client;
    streams = server.streams;
    streamArn =
        ddb.createTable(
                r ->
                    r.tableName("edges")
                        .attributeDefinitions(
                            AttributeDefinition.builder()
                                .attributeName("pk")
                                .attributeType(ScalarAttributeType.S)
                                .build())
                        .keySchema(
                            KeySchemaElement.builder()
                                .attributeName("pk")
                                .keyType(KeyType.HASH)
                                .build())
                        .billingMode(BillingMode.PAY_PER_REQUEST)
                        .streamSpecification(
                            s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_IMAGE)))
            .tableDescription()
            .latestStreamArn();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static Map<String, AttributeValue> key(String pk) {
    return Map.of("pk", AttributeValue.fromS(pk));
  }

  private static AttributeValue s(String v) {
    return AttributeValue.fromS(v);
  }

  private static boolean exists(String pk) {
    return ddb.getItem(r -> r.tableName("edges").key(key(pk)).consistentRead(true)).hasItem();
  }

  private static String shardId() {
    return streams
        .describeStream(r -> r.streamArn(streamArn))
        .streamDescription()
        .shards()
        .get(0)
        .shardId();
  }

  /** The stream's records for one key, in order, as event names. */
  private static List<OperationType> events(String pk) {
    String shardId = shardId();
    String it =
        streams
            .getShardIterator(
                r ->
                    r.streamArn(streamArn)
                        .shardId(shardId)
                        .shardIteratorType(ShardIteratorType.TRIM_HORIZON))
            .shardIterator();
    List<OperationType> out = new ArrayList<>();
    while (it != null) {
      String current = it;
      GetRecordsResponse page = streams.getRecords(r -> r.shardIterator(current));
      for (Record record : page.records()) {
        if (record.dynamodb().keys().get("pk").s().equals(pk)) {
          out.add(record.eventName());
        }
      }
      it = page.records().isEmpty() ? null : page.nextShardIterator();
    }
    return out;
  }

  // DynamoDB creates no item for an update that can only take data away (REMOVE, DELETE, legacy
  // DELETE) when the item is missing; ReturnValues then has nothing to return, and the stream no
  // record.
  @Test
  void removalOnlyUpdatesOfAMissingItemCreateNothing() {
    UpdateItemResponse remove =
        ddb.updateItem(
            r ->
                r.tableName("edges")
                    .key(key("remove-only"))
                    .updateExpression("REMOVE a, b")
                    .returnValues(ReturnValue.ALL_NEW));
    assertThat(remove.hasAttributes()).isFalse();
    UpdateItemResponse delete =
        ddb.updateItem(
            r ->
                r.tableName("edges")
                    .key(key("remove-only"))
                    .updateExpression("DELETE tags :t")
                    .expressionAttributeValues(Map.of(":t", AttributeValue.fromSs(List.of("x"))))
                    .returnValues(ReturnValue.ALL_NEW));
    assertThat(delete.hasAttributes()).isFalse();
    ddb.updateItem(
        r ->
            r.tableName("edges")
                .key(key("remove-only"))
                .attributeUpdates(
                    Map.of(
                        "a",
                        AttributeValueUpdate.builder().action(AttributeAction.DELETE).build())));
    ddb.transactWriteItems(
        r ->
            r.transactItems(
                TransactWriteItem.builder()
                    .update(
                        u ->
                            u.tableName("edges")
                                .key(key("remove-only"))
                                .updateExpression("REMOVE a"))
                    .build()));
    assertThat(exists("remove-only")).isFalse();
    assertThat(events("remove-only")).isEmpty();
  }

  // An empty AttributeUpdates, and an update naming no change at all, do create the item (its key
  // only), with an INSERT record; ALL_NEW returns the key, UPDATED_NEW nothing.
  @Test
  void emptyUpdatesCreateTheItem() {
    UpdateItemResponse empty =
        ddb.updateItem(
            r ->
                r.tableName("edges")
                    .key(key("empty-updates"))
                    .attributeUpdates(Map.of())
                    .returnValues(ReturnValue.ALL_NEW));
    assertThat(empty.attributes()).isEqualTo(key("empty-updates"));
    UpdateItemResponse none =
        ddb.updateItem(
            r -> r.tableName("edges").key(key("no-update")).returnValues(ReturnValue.UPDATED_NEW));
    assertThat(none.hasAttributes()).isFalse();
    assertThat(exists("empty-updates")).isTrue();
    assertThat(exists("no-update")).isTrue();
    assertThat(events("empty-updates")).containsExactly(OperationType.INSERT);
    assertThat(events("no-update")).containsExactly(OperationType.INSERT);
  }

  // The sequence from DynamoDB's documentation of Streams: REMOVE on a missing item, SET, then
  // REMOVE of the attribute twice yields exactly INSERT, MODIFY; an update or a put that leaves the
  // item as it was writes no record.
  @Test
  void updatesThatChangeNothingWriteNoStreamRecord() {
    String k = "unchanged";
    ddb.updateItem(r -> r.tableName("edges").key(key(k)).updateExpression("REMOVE g"));
    ddb.updateItem(
        r ->
            r.tableName("edges")
                .key(key(k))
                .updateExpression("SET e = :e, g = :g")
                .expressionAttributeValues(Map.of(":e", s("e"), ":g", s("g"))));
    ddb.updateItem(r -> r.tableName("edges").key(key(k)).updateExpression("REMOVE g"));
    UpdateItemResponse again =
        ddb.updateItem(
            r ->
                r.tableName("edges")
                    .key(key(k))
                    .updateExpression("REMOVE g")
                    .returnValues(ReturnValue.ALL_NEW));
    assertThat(again.attributes()).isEqualTo(Map.of("pk", s(k), "e", s("e")));
    ddb.updateItem(
        r ->
            r.tableName("edges")
                .key(key(k))
                .updateExpression("SET e = :e")
                .expressionAttributeValues(Map.of(":e", s("e"))));
    ddb.putItem(r -> r.tableName("edges").item(Map.of("pk", s(k), "e", s("e"))));
    assertThat(events(k)).containsExactly(OperationType.INSERT, OperationType.MODIFY);
  }

  // List indexes past the end: SET appends, REMOVE does nothing (and writes no record), and a path
  // through a missing element is DynamoDB's invalid-path error.
  @Test
  void listIndexesPastTheEndBehaveAsOnDynamoDb() {
    String k = "lists";
    ddb.putItem(
        r ->
            r.tableName("edges")
                .item(Map.of("pk", s(k), "l", AttributeValue.fromL(List.of(s("a"), s("b"))))));
    ddb.updateItem(
        r ->
            r.tableName("edges")
                .key(key(k))
                .updateExpression("SET l[10] = :c")
                .expressionAttributeValues(Map.of(":c", s("c"))));
    ddb.updateItem(r -> r.tableName("edges").key(key(k)).updateExpression("REMOVE l[7]"));
    DynamoDbException through =
        catchThrowableOfType(
            DynamoDbException.class,
            () ->
                ddb.updateItem(
                    r ->
                        r.tableName("edges")
                            .key(key(k))
                            .updateExpression("SET l[5].x = :c")
                            .expressionAttributeValues(Map.of(":c", s("c")))));
    assertThat(through.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
    assertThat(through.awsErrorDetails().errorMessage())
        .isEqualTo("The document path provided in the update expression is invalid for update");
    assertThat(
            ddb.getItem(r -> r.tableName("edges").key(key(k)).consistentRead(true))
                .item()
                .get("l")
                .l())
        .containsExactly(s("a"), s("b"), s("c"));
    assertThat(events(k)).containsExactly(OperationType.INSERT, OperationType.MODIFY);
  }

  // DescribeStream with ShardFilter CHILD_SHARDS: the usual description, and no children (the one
  // shard never splits), the list present but empty.
  @Test
  void describeStreamListsChildShards() {
    String shardId = shardId();
    StreamDescription d =
        streams
            .describeStream(
                r ->
                    r.streamArn(streamArn)
                        .shardFilter(f -> f.type(ShardFilterType.CHILD_SHARDS).shardId(shardId)))
            .streamDescription();
    assertThat(d.streamArn()).isEqualTo(streamArn);
    assertThat(d.tableName()).isEqualTo("edges");
    assertThat(d.streamStatusAsString()).isEqualTo("ENABLED");
    assertThat(d.streamViewType()).isEqualTo(StreamViewType.NEW_IMAGE);
    assertThat(d.hasShards()).isTrue();
    assertThat(d.shards()).isEmpty();
  }

  // ShardFilter's validation: an unknown type, a missing type or shard id, and a shard id of the
  // wrong length are ValidationExceptions naming the member.
  @Test
  void shardFilterIsValidated() {
    String shardId = "shardId-00000000000000000000-00000000";
    assertThat(filterError("foo", shardId))
        .isEqualTo(
            "1 validation error detected: Value 'foo' at 'shardFilter.type' failed to satisfy"
                + " constraint: Member must satisfy enum value set: [CHILD_SHARDS]");
    assertThat(filterError("CHILD_SHARDS", "qwerty"))
        .isEqualTo(
            "1 validation error detected: Value 'qwerty' at 'shardFilter.shardId' failed to"
                + " satisfy constraint: Member must have length greater than or equal to 28");
    // AWS's wording for these two is not confirmed; the type and the member named are.
    assertThat(filterError(null, shardId)).matches("(?s).*shardFilter\\.type.*");
    assertThat(filterError("CHILD_SHARDS", null)).matches("(?s).*shardFilter\\.shardId.*");
  }

  private static String filterError(String type, String shardId) {
    DynamoDbException e =
        catchThrowableOfType(
            DynamoDbException.class,
            () ->
                streams.describeStream(
                    r -> r.streamArn(streamArn).shardFilter(f -> f.type(type).shardId(shardId))));
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
    return e.awsErrorDetails().errorMessage();
  }
}
