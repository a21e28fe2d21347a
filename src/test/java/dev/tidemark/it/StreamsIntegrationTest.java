package dev.tidemark.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteGlobalSecondaryIndexAction;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ExpiredIteratorException;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexUpdate;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ListStreamsResponse;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamDescription;
import software.amazon.awssdk.services.dynamodb.model.StreamStatus;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TrimmedDataAccessException;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * DynamoDB Streams served from the change log, read end to end with the SDK's
 * DynamoDbStreamsClient. Each test gets its own server, because several move the clock or trim the
 * log.
 */
class StreamsIntegrationTest {
  private ClockedServer server;
  private DynamoDbClient ddb;
  private DynamoDbStreamsClient streams;

  @BeforeEach
  void start() throws Exception {
    server = new ClockedServer();
    ddb = server.client;
    streams = server.streams;
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static CreateTableRequest.Builder table(String name) {
    return CreateTableRequest.builder()
        .tableName(name)
        .attributeDefinitions(
            AttributeDefinition.builder()
                .attributeName("pk")
                .attributeType(ScalarAttributeType.S)
                .build())
        .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
        .billingMode(BillingMode.PAY_PER_REQUEST);
  }

  private String createWithStream(String name, StreamViewType view) {
    TableDescription d =
        ddb.createTable(
                table(name)
                    .streamSpecification(s -> s.streamEnabled(true).streamViewType(view))
                    .build())
            .tableDescription();
    return d.latestStreamArn();
  }

  private static Map<String, AttributeValue> item(String pk, String... attrs) {
    Map<String, AttributeValue> m = new java.util.LinkedHashMap<>();
    m.put("pk", AttributeValue.fromS(pk));
    for (int i = 0; i < attrs.length; i += 2) {
      m.put(attrs[i], AttributeValue.fromS(attrs[i + 1]));
    }
    return m;
  }

  private void put(String table, Map<String, AttributeValue> item) {
    ddb.putItem(r -> r.tableName(table).item(item));
  }

  private Shard shard(String streamArn) {
    return streams.describeStream(r -> r.streamArn(streamArn)).streamDescription().shards().get(0);
  }

  private String iterator(String streamArn, ShardIteratorType type, String sequenceNumber) {
    String shardId = shard(streamArn).shardId();
    return streams
        .getShardIterator(
            r ->
                r.streamArn(streamArn)
                    .shardId(shardId)
                    .shardIteratorType(type)
                    .sequenceNumber(sequenceNumber))
        .shardIterator();
  }

  /** Reads from an iterator until a call returns nothing new or the shard ends. */
  private List<Record> drain(String iterator) {
    List<Record> out = new ArrayList<>();
    String it = iterator;
    while (it != null) {
      String current = it;
      GetRecordsResponse page = streams.getRecords(r -> r.shardIterator(current).limit(2));
      out.addAll(page.records());
      it = page.records().isEmpty() ? null : page.nextShardIterator();
    }
    return out;
  }

  // Protects the record stream itself: events, keys, images per view type, order and numbering.
  @ParameterizedTest
  @EnumSource(
      value = StreamViewType.class,
      names = {"KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"})
  void recordsCarryTheImagesOfTheirViewType(StreamViewType view) {
    String arn = createWithStream("view_table", view);
    put("view_table", item("a", "v", "1"));
    put("view_table", item("a", "v", "1")); // unchanged: no record, as on DynamoDB
    put("view_table", item("a", "v", "2"));
    ddb.deleteItem(r -> r.tableName("view_table").key(Map.of("pk", AttributeValue.fromS("a"))));
    ddb.deleteItem(r -> r.tableName("view_table").key(Map.of("pk", AttributeValue.fromS("a"))));

    List<Record> records = drain(iterator(arn, ShardIteratorType.TRIM_HORIZON, null));
    assertThat(records)
        .extracting(Record::eventName)
        .containsExactly(OperationType.INSERT, OperationType.MODIFY, OperationType.REMOVE);
    boolean withNew = view == StreamViewType.NEW_IMAGE || view == StreamViewType.NEW_AND_OLD_IMAGES;
    boolean withOld = view == StreamViewType.OLD_IMAGE || view == StreamViewType.NEW_AND_OLD_IMAGES;
    Map<String, AttributeValue> v1 = item("a", "v", "1");
    Map<String, AttributeValue> v2 = item("a", "v", "2");
    List<Map<String, AttributeValue>> newImages = new ArrayList<>();
    List<Map<String, AttributeValue>> oldImages = new ArrayList<>();
    for (Record r : records) {
      assertThat(r.eventSource()).isEqualTo("aws:dynamodb");
      assertThat(r.eventVersion()).isEqualTo("1.1");
      assertThat(r.awsRegion()).isEqualTo("us-east-1");
      assertThat(r.eventID()).matches("[0-9a-f]{32}");
      assertThat(r.userIdentity()).isNull();
      assertThat(r.dynamodb().keys()).isEqualTo(Map.of("pk", AttributeValue.fromS("a")));
      assertThat(r.dynamodb().streamViewType()).isEqualTo(view);
      assertThat(r.dynamodb().sequenceNumber()).matches("\\d{21}");
      assertThat(r.dynamodb().approximateCreationDateTime().getEpochSecond())
          .isEqualTo(server.nowSeconds());
      newImages.add(r.dynamodb().hasNewImage() ? r.dynamodb().newImage() : null);
      oldImages.add(r.dynamodb().hasOldImage() ? r.dynamodb().oldImage() : null);
    }
    assertThat(records)
        .extracting(r -> r.dynamodb().sequenceNumber())
        .isSorted()
        .doesNotHaveDuplicates();
    assertThat(newImages).containsExactly(withNew ? v1 : null, withNew ? v2 : null, null);
    assertThat(oldImages).containsExactly(null, withOld ? v1 : null, withOld ? v2 : null);
    // SizeBytes counts the keys and the images the record carries: "pk"+"a" is 3 bytes, and each
    // image {pk: a, v: 1} is 5.
    int image = 5;
    assertThat(records.get(1).dynamodb().sizeBytes())
        .isEqualTo(3L + (withNew ? image : 0) + (withOld ? image : 0));
  }

  // Protects the stream's identity in DescribeTable, ListStreams paging and DescribeStream's shape.
  @Test
  void streamIdentityListingAndDescription() {
    String arn1 = createWithStream("listed_a", StreamViewType.KEYS_ONLY);
    server.advance(Duration.ofMillis(5));
    String arn2 = createWithStream("listed_b", StreamViewType.NEW_IMAGE);
    ddb.createTable(table("no_stream").build());

    TableDescription d = ddb.describeTable(r -> r.tableName("listed_a")).table();
    assertThat(d.latestStreamLabel()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}");
    assertThat(d.latestStreamArn())
        .isEqualTo(arn1)
        .isEqualTo(d.tableArn() + "/stream/" + d.latestStreamLabel());
    assertThat(d.streamSpecification().streamViewType()).isEqualTo(StreamViewType.KEYS_ONLY);
    assertThat(ddb.describeTable(r -> r.tableName("no_stream")).table().latestStreamArn()).isNull();

    ListStreamsResponse first = streams.listStreams(r -> r.limit(1));
    assertThat(first.streams()).extracting(s -> s.streamArn()).containsExactly(arn1);
    assertThat(first.lastEvaluatedStreamArn()).isEqualTo(arn1);
    ListStreamsResponse second =
        streams.listStreams(
            r -> r.limit(1).exclusiveStartStreamArn(first.lastEvaluatedStreamArn()));
    assertThat(second.streams()).extracting(s -> s.streamArn()).containsExactly(arn2);
    assertThat(second.streams().get(0).tableName()).isEqualTo("listed_b");
    assertThat(streams.listStreams(r -> r.tableName("listed_b")).streams())
        .extracting(s -> s.streamLabel())
        .containsExactly(arn2.substring(arn2.lastIndexOf('/') + 1));
    assertThat(streams.listStreams(r -> r.tableName("no_stream")).streams()).isEmpty();

    StreamDescription s = streams.describeStream(r -> r.streamArn(arn1)).streamDescription();
    assertThat(s.streamArn()).isEqualTo(arn1);
    assertThat(s.streamLabel()).isEqualTo(d.latestStreamLabel());
    assertThat(s.streamStatus()).isEqualTo(StreamStatus.ENABLED);
    assertThat(s.streamViewType()).isEqualTo(StreamViewType.KEYS_ONLY);
    assertThat(s.tableName()).isEqualTo("listed_a");
    assertThat(s.creationRequestDateTime().toEpochMilli()).isEqualTo(ClockedServer.START_MILLIS);
    assertThat(s.keySchema()).extracting(k -> k.attributeName()).containsExactly("pk");
    assertThat(s.shards()).hasSize(1);
    assertThat(s.shards().get(0).shardId()).matches("shardId-\\d{20}-[0-9a-f]{8}");
    assertThat(s.shards().get(0).sequenceNumberRange().startingSequenceNumber()).matches("\\d{21}");
    assertThat(s.shards().get(0).sequenceNumberRange().endingSequenceNumber()).isNull();
    // Shards after the only one: none.
    String shardId = s.shards().get(0).shardId();
    assertThat(
            streams
                .describeStream(r -> r.streamArn(arn1).exclusiveStartShardId(shardId))
                .streamDescription()
                .shards())
        .isEmpty();
  }

  // Protects the four iterator types and iterator chaining with Limit.
  @Test
  void iteratorTypesStartWhereTheySay() {
    String arn = createWithStream("iter_table", StreamViewType.NEW_IMAGE);
    put("iter_table", item("a"));
    put("iter_table", item("b"));
    String latest = iterator(arn, ShardIteratorType.LATEST, null);
    put("iter_table", item("c"));
    put("iter_table", item("d"));

    List<Record> all = drain(iterator(arn, ShardIteratorType.TRIM_HORIZON, null));
    assertThat(all)
        .extracting(r -> r.dynamodb().keys().get("pk").s())
        .containsExactly("a", "b", "c", "d");
    assertThat(drain(latest))
        .extracting(r -> r.dynamodb().keys().get("pk").s())
        .containsExactly("c", "d");

    String seqB = all.get(1).dynamodb().sequenceNumber();
    assertThat(drain(iterator(arn, ShardIteratorType.AT_SEQUENCE_NUMBER, seqB)))
        .extracting(r -> r.dynamodb().keys().get("pk").s())
        .containsExactly("b", "c", "d");
    assertThat(drain(iterator(arn, ShardIteratorType.AFTER_SEQUENCE_NUMBER, seqB)))
        .extracting(r -> r.dynamodb().keys().get("pk").s())
        .containsExactly("c", "d");

    // Limit bounds a page; the next iterator continues exactly after it, and an iterator at the
    // head stays usable for later writes.
    String it = iterator(arn, ShardIteratorType.TRIM_HORIZON, null);
    GetRecordsResponse one = streams.getRecords(r -> r.shardIterator(it).limit(1));
    assertThat(one.records()).hasSize(1);
    GetRecordsResponse rest = streams.getRecords(r -> r.shardIterator(one.nextShardIterator()));
    assertThat(rest.records()).hasSize(3);
    GetRecordsResponse empty = streams.getRecords(r -> r.shardIterator(rest.nextShardIterator()));
    assertThat(empty.records()).isEmpty();
    assertThat(empty.nextShardIterator()).isNotNull();
    put("iter_table", item("e"));
    assertThat(streams.getRecords(r -> r.shardIterator(empty.nextShardIterator())).records())
        .extracting(r -> r.dynamodb().keys().get("pk").s())
        .containsExactly("e");
  }

  // Protects GetRecords' 1 MB page: large records split across pages, none lost or repeated.
  @Test
  void pagesStopAtOneMegabyte() {
    String arn = createWithStream("big_table", StreamViewType.NEW_IMAGE);
    String big = "x".repeat(380_000);
    for (String pk : List.of("a", "b", "c")) {
      put("big_table", item(pk, "blob", big));
    }
    String it = iterator(arn, ShardIteratorType.TRIM_HORIZON, null);
    GetRecordsResponse first = streams.getRecords(r -> r.shardIterator(it));
    assertThat(first.records())
        .extracting(r -> r.dynamodb().keys().get("pk").s())
        .containsExactly("a", "b");
    GetRecordsResponse second = streams.getRecords(r -> r.shardIterator(first.nextShardIterator()));
    assertThat(second.records())
        .extracting(r -> r.dynamodb().keys().get("pk").s())
        .containsExactly("c");
  }

  // Protects UpdateTable stream changes: the window, DynamoDB's refusals, closed shards, history.
  @Test
  void updateTableEnablesAndDisablesStreams() {
    ddb.createTable(table("toggled").build());
    ddb.createTable(table("neighbour").build());
    put("toggled", item("before"));
    TableDescription enabled =
        ddb.updateTable(
                r ->
                    r.tableName("toggled")
                        .streamSpecification(
                            s -> s.streamEnabled(true).streamViewType(StreamViewType.KEYS_ONLY)))
            .tableDescription();
    String arn = enabled.latestStreamArn();
    assertThat(arn).isNotNull();
    put("toggled", item("during"));
    put("neighbour", item("elsewhere"));

    DynamoDbException twice =
        catchThrowableOfType(
            DynamoDbException.class,
            () ->
                ddb.updateTable(
                    r ->
                        r.tableName("toggled")
                            .streamSpecification(
                                s ->
                                    s.streamEnabled(true)
                                        .streamViewType(StreamViewType.OLD_IMAGE))));
    assertThat(twice.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
    assertThat(twice.awsErrorDetails().errorMessage())
        .isEqualTo("Table already has an enabled stream: TableName: toggled");

    TableDescription disabled =
        ddb.updateTable(
                r -> r.tableName("toggled").streamSpecification(s -> s.streamEnabled(false)))
            .tableDescription();
    assertThat(disabled.streamSpecification()).isNull();
    assertThat(disabled.latestStreamArn()).isEqualTo(arn);
    put("toggled", item("after"));

    DynamoDbException none =
        catchThrowableOfType(
            DynamoDbException.class,
            () ->
                ddb.updateTable(
                    r -> r.tableName("toggled").streamSpecification(s -> s.streamEnabled(false))));
    assertThat(none.awsErrorDetails().errorMessage()).isEqualTo("Table has no stream to disable");

    StreamDescription closed = streams.describeStream(r -> r.streamArn(arn)).streamDescription();
    assertThat(closed.streamStatus()).isEqualTo(StreamStatus.DISABLED);
    assertThat(closed.shards().get(0).sequenceNumberRange().endingSequenceNumber())
        .matches("\\d{21}");

    // Only the write made while the stream was enabled, and only this table's; the closed shard
    // ends with no next iterator.
    String it = iterator(arn, ShardIteratorType.TRIM_HORIZON, null);
    GetRecordsResponse page = streams.getRecords(r -> r.shardIterator(it));
    assertThat(page.records())
        .extracting(r -> r.dynamodb().keys().get("pk").s())
        .containsExactly("during");
    assertThat(page.nextShardIterator()).isNull();

    // One operation per UpdateTable request: a stream change does not ride along with an index one.
    DynamoDbException combined =
        catchThrowableOfType(
            DynamoDbException.class,
            () ->
                ddb.updateTable(
                    r ->
                        r.tableName("toggled")
                            .streamSpecification(
                                s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_IMAGE))
                            .globalSecondaryIndexUpdates(
                                GlobalSecondaryIndexUpdate.builder()
                                    .delete(
                                        DeleteGlobalSecondaryIndexAction.builder()
                                            .indexName("no_such_index")
                                            .build())
                                    .build())));
    assertThat(combined.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
    assertThat(streams.listStreams(r -> r.tableName("toggled")).streams()).hasSize(1);

    server.advance(Duration.ofMillis(1));
    String arn2 =
        ddb.updateTable(
                r ->
                    r.tableName("toggled")
                        .streamSpecification(
                            s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_IMAGE)))
            .tableDescription()
            .latestStreamArn();
    assertThat(arn2).isNotEqualTo(arn);
    assertThat(streams.listStreams(r -> r.tableName("toggled")).streams())
        .extracting(s -> s.streamArn())
        .containsExactly(arn, arn2);
  }

  // Protects the 15-minute iterator lifetime, measured on the server's clock.
  @Test
  void iteratorsExpireAfterFifteenMinutes() {
    String arn = createWithStream("expiring", StreamViewType.KEYS_ONLY);
    String it = iterator(arn, ShardIteratorType.TRIM_HORIZON, null);
    server.advance(Duration.ofMinutes(15));
    assertThat(streams.getRecords(r -> r.shardIterator(it)).records()).isEmpty();
    server.advance(Duration.ofMillis(1));
    ExpiredIteratorException e =
        catchThrowableOfType(
            ExpiredIteratorException.class, () -> streams.getRecords(r -> r.shardIterator(it)));
    assertThat(e.awsErrorDetails().errorMessage())
        .isEqualTo("The provided iterator exceeds the maximum age allowed.");
  }

  // Protects retention: trimmed positions answer TrimmedDataAccessException, never a silent gap.
  @Test
  void positionsOlderThanRetentionAreTrimmed() {
    String arn = createWithStream("aging", StreamViewType.KEYS_ONLY);
    put("aging", item("old1"));
    put("aging", item("old2"));
    String oldSeq =
        drain(iterator(arn, ShardIteratorType.TRIM_HORIZON, null))
            .get(0)
            .dynamodb()
            .sequenceNumber();
    server.advance(Duration.ofHours(25));
    put("aging", item("fresh"));

    assertThat(server.retention(Duration.ofHours(24)).trimOnce()).isEqualTo(2);

    assertThat(drain(iterator(arn, ShardIteratorType.TRIM_HORIZON, null)))
        .extracting(r -> r.dynamodb().keys().get("pk").s())
        .containsExactly("fresh");
    TrimmedDataAccessException atOld =
        catchThrowableOfType(
            TrimmedDataAccessException.class,
            () -> iterator(arn, ShardIteratorType.AT_SEQUENCE_NUMBER, oldSeq));
    assertThat(atOld.awsErrorDetails().errorMessage())
        .isEqualTo("The data you are trying to access has been trimmed.");
    assertThat(shard(arn).sequenceNumberRange().startingSequenceNumber()).isGreaterThan(oldSeq);
  }

  // Protects the race DynamoDB documents: records trimmed after an iterator was handed out.
  @Test
  void iteratorOverTrimmedRecordsIsRefused() {
    String arn = createWithStream("raced", StreamViewType.KEYS_ONLY);
    put("raced", item("x"));
    server.advance(Duration.ofMinutes(10));
    String it = iterator(arn, ShardIteratorType.TRIM_HORIZON, null);
    // A retention of five minutes drops the record written ten minutes ago.
    assertThat(server.retention(Duration.ofMinutes(5)).trimOnce()).isEqualTo(1);
    TrimmedDataAccessException e =
        catchThrowableOfType(
            TrimmedDataAccessException.class, () -> streams.getRecords(r -> r.shardIterator(it)));
    assertThat(e.awsErrorDetails().errorMessage())
        .isEqualTo("The data you are trying to access has been trimmed.");
    // The shard now starts past the trimmed record.
    String start = shard(arn).sequenceNumberRange().startingSequenceNumber();
    assertThat(drain(iterator(arn, ShardIteratorType.AT_SEQUENCE_NUMBER, start))).isEmpty();
  }

  // Protects deleted tables: the stream stays readable, DISABLED, until retention forgets it.
  @Test
  void streamOfDeletedTableOutlivesItUntilRetention() {
    String arn = createWithStream("doomed", StreamViewType.NEW_AND_OLD_IMAGES);
    put("doomed", item("k", "v", "1"));
    ddb.deleteTable(r -> r.tableName("doomed"));
    assertThat(streams.listStreams().streams()).extracting(s -> s.streamArn()).containsExactly(arn);
    assertThat(streams.describeStream(r -> r.streamArn(arn)).streamDescription().streamStatus())
        .isEqualTo(StreamStatus.DISABLED);
    assertThat(drain(iterator(arn, ShardIteratorType.TRIM_HORIZON, null))).hasSize(1);

    server.advance(Duration.ofHours(24).plusMillis(1));
    server.retention(Duration.ofHours(24)).trimOnce();
    assertThat(streams.listStreams().streams()).isEmpty();
    ResourceNotFoundException gone =
        catchThrowableOfType(
            ResourceNotFoundException.class, () -> streams.describeStream(r -> r.streamArn(arn)));
    assertThat(gone.awsErrorDetails().errorMessage())
        .isEqualTo("Requested resource not found: Stream: " + arn + " not found");
  }

  // Protects DynamoDB's error types and messages for bad stream requests, verbatim.
  @Test
  void badRequestsGetDynamoDbErrors() {
    String arn = createWithStream("errors_table", StreamViewType.KEYS_ONLY);
    String shardId = shard(arn).shardId();

    DynamoDbException garbage =
        catchThrowableOfType(
            DynamoDbException.class, () -> streams.getRecords(r -> r.shardIterator("garbage")));
    assertThat(garbage.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
    assertThat(garbage.awsErrorDetails().errorMessage()).isEqualTo("Invalid ShardIterator");

    String it = iterator(arn, ShardIteratorType.TRIM_HORIZON, null);
    char last = it.charAt(it.length() - 1);
    String tampered = it.substring(0, it.length() - 1) + (last == 'A' ? 'B' : 'A');
    assertThat(
            catchThrowableOfType(
                    DynamoDbException.class,
                    () -> streams.getRecords(r -> r.shardIterator(tampered)))
                .awsErrorDetails()
                .errorMessage())
        .isEqualTo("Invalid ShardIterator");

    DynamoDbException limit =
        catchThrowableOfType(
            DynamoDbException.class,
            () -> streams.getRecords(r -> r.shardIterator(it).limit(1001)));
    assertThat(limit.awsErrorDetails().errorMessage())
        .isEqualTo(
            "1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint:"
                + " Member must have value less than or equal to 1000");

    DynamoDbException badArn =
        catchThrowableOfType(
            DynamoDbException.class,
            () ->
                streams.describeStream(
                    r -> r.streamArn("arn:aws:dynamodb:us-east-1:not-a-stream")));
    assertThat(badArn.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
    assertThat(badArn.awsErrorDetails().errorMessage()).isEqualTo("Invalid StreamArn");

    String unknown = arn.substring(0, arn.length() - 3) + "999";
    ResourceNotFoundException missing =
        catchThrowableOfType(
            ResourceNotFoundException.class,
            () -> streams.describeStream(r -> r.streamArn(unknown)));
    assertThat(missing.awsErrorDetails().errorMessage())
        .isEqualTo("Requested resource not found: Stream: " + unknown + " not found");

    ResourceNotFoundException noShard =
        catchThrowableOfType(
            ResourceNotFoundException.class,
            () ->
                streams.getShardIterator(
                    r ->
                        r.streamArn(arn)
                            .shardId("shardId-00000000000000000000-00000000")
                            .shardIteratorType(ShardIteratorType.LATEST)));
    assertThat(noShard.awsErrorDetails().errorMessage())
        .isEqualTo("Requested resource not found: Shard does not exist");

    DynamoDbException noNumber =
        catchThrowableOfType(
            DynamoDbException.class,
            () ->
                streams.getShardIterator(
                    r ->
                        r.streamArn(arn)
                            .shardId(shardId)
                            .shardIteratorType(ShardIteratorType.AT_SEQUENCE_NUMBER)));
    assertThat(noNumber.awsErrorDetails().errorMessage())
        .isEqualTo("One or more parameter values were invalid: Invalid SequenceNumber");

    DynamoDbException extraNumber =
        catchThrowableOfType(
            DynamoDbException.class,
            () ->
                streams.getShardIterator(
                    r ->
                        r.streamArn(arn)
                            .shardId(shardId)
                            .shardIteratorType(ShardIteratorType.LATEST)
                            .sequenceNumber("000000000000000000001")));
    assertThat(extraNumber.awsErrorDetails().errorMessage())
        .isEqualTo(
            "One or more parameter values were invalid: SequenceNumber should not be passed for"
                + " this iterator type");
  }
}
