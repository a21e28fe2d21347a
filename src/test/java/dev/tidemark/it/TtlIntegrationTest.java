package dev.tidemark.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tidemark.api.ItemKeys;
import dev.tidemark.changelog.ChangeRecord;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.WritePath;
import dev.tidemark.ttl.TtlSweeper;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveDescription;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;

/** Time to live: the settings API and the sweeper, with the clock driven by the test. */
class TtlIntegrationTest {
  private ClockedServer server;
  private DynamoDbClient ddb;

  @BeforeEach
  void start() throws Exception {
    server = new ClockedServer();
    ddb = server.client;
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private void createTable(String name, boolean stream) {
    CreateTableRequest.Builder b =
        CreateTableRequest.builder()
            .tableName(name)
            .attributeDefinitions(
                AttributeDefinition.builder()
                    .attributeName("pk")
                    .attributeType(ScalarAttributeType.S)
                    .build())
            .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
            .billingMode(BillingMode.PAY_PER_REQUEST);
    if (stream) {
      b.streamSpecification(
          s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_AND_OLD_IMAGES));
    }
    ddb.createTable(b.build());
  }

  private void enableTtl(String table) {
    ddb.updateTimeToLive(
        r -> r.tableName(table).timeToLiveSpecification(s -> s.enabled(true).attributeName("exp")));
  }

  private void put(String table, String pk, AttributeValue exp) {
    if (exp == null) {
      ddb.putItem(r -> r.tableName(table).item(Map.of("pk", AttributeValue.fromS(pk))));
    } else {
      ddb.putItem(r -> r.tableName(table).item(Map.of("pk", AttributeValue.fromS(pk), "exp", exp)));
    }
  }

  private boolean exists(String table, String pk) {
    return ddb.getItem(r -> r.tableName(table).key(Map.of("pk", AttributeValue.fromS(pk))))
        .hasItem();
  }

  private AttributeValue secondsFromNow(long delta) {
    return AttributeValue.fromN(Long.toString(server.nowSeconds() + delta));
  }

  private String errorMessage(Runnable call) {
    return catchThrowableOfType(DynamoDbException.class, call::run)
        .awsErrorDetails()
        .errorMessage();
  }

  // Protects the settings API: state reported back, and DynamoDB's non-idempotent refusals.
  @Test
  void updateAndDescribeTimeToLive() {
    createTable("ttl_settings", false);
    TimeToLiveDescription off =
        ddb.describeTimeToLive(r -> r.tableName("ttl_settings")).timeToLiveDescription();
    assertThat(off.timeToLiveStatus()).isEqualTo(TimeToLiveStatus.DISABLED);
    assertThat(off.attributeName()).isNull();

    var echoed =
        ddb.updateTimeToLive(
                r ->
                    r.tableName("ttl_settings")
                        .timeToLiveSpecification(s -> s.enabled(true).attributeName("exp")))
            .timeToLiveSpecification();
    assertThat(echoed.enabled()).isTrue();
    assertThat(echoed.attributeName()).isEqualTo("exp");
    TimeToLiveDescription on =
        ddb.describeTimeToLive(r -> r.tableName("ttl_settings")).timeToLiveDescription();
    assertThat(on.timeToLiveStatus()).isEqualTo(TimeToLiveStatus.ENABLED);
    assertThat(on.attributeName()).isEqualTo("exp");

    assertThat(errorMessage(() -> enableTtl("ttl_settings")))
        .isEqualTo("TimeToLive is already enabled");
    assertThat(
            errorMessage(
                () ->
                    ddb.updateTimeToLive(
                        r ->
                            r.tableName("ttl_settings")
                                .timeToLiveSpecification(
                                    s -> s.enabled(false).attributeName("other")))))
        .isEqualTo(
            "TimeToLive is active on a different AttributeName: current AttributeName is exp");
    ddb.updateTimeToLive(
        r ->
            r.tableName("ttl_settings")
                .timeToLiveSpecification(s -> s.enabled(false).attributeName("exp")));
    assertThat(
            ddb.describeTimeToLive(r -> r.tableName("ttl_settings"))
                .timeToLiveDescription()
                .timeToLiveStatus())
        .isEqualTo(TimeToLiveStatus.DISABLED);
    assertThat(
            errorMessage(
                () ->
                    ddb.updateTimeToLive(
                        r ->
                            r.tableName("ttl_settings")
                                .timeToLiveSpecification(
                                    s -> s.enabled(false).attributeName("exp")))))
        .isEqualTo("TimeToLive is already disabled");

    assertThat(
            errorMessage(
                () ->
                    ddb.updateTimeToLive(
                        r ->
                            r.tableName("ttl_settings")
                                .timeToLiveSpecification(s -> s.enabled(true).attributeName("")))))
        .isEqualTo(
            "1 validation error detected: Value '' at 'timeToLiveSpecification.attributeName'"
                + " failed to satisfy constraint: Member must have length greater than or equal"
                + " to 1");
    assertThat(errorMessage(() -> ddb.updateTimeToLive(r -> r.tableName("ttl_settings"))))
        .isEqualTo(
            "1 validation error detected: Value null at 'timeToLiveSpecification' failed to"
                + " satisfy constraint: Member must not be null");
    assertThat(
            catchThrowableOfType(
                ResourceNotFoundException.class,
                () -> ddb.describeTimeToLive(r -> r.tableName("no_such_table"))))
        .isNotNull();
  }

  // Protects the sweep: only expired numbers go, through the change log, marked as the service's.
  @Test
  void sweepDeletesExpiredItemsAndStreamsThemAsServiceDeletions() {
    createTable("ttl_sweep", true);
    put("ttl_sweep", "expired", secondsFromNow(-60));
    put("ttl_sweep", "future", secondsFromNow(3600));
    put("ttl_sweep", "now", secondsFromNow(0));
    put("ttl_sweep", "no_attribute", null);
    put("ttl_sweep", "string", AttributeValue.fromS("1"));
    put("ttl_sweep", "ancient", secondsFromNow(-6L * 365 * 24 * 3600));
    assertThat(server.sweeper.sweepOnce()).as("TTL still disabled").isZero();

    enableTtl("ttl_sweep");
    // Expired but not yet swept: still there, as on DynamoDB.
    assertThat(exists("ttl_sweep", "expired")).isTrue();
    assertThat(server.sweeper.sweepOnce()).isEqualTo(1);
    assertThat(exists("ttl_sweep", "expired")).isFalse();
    for (String kept : List.of("future", "now", "no_attribute", "string", "ancient")) {
      assertThat(exists("ttl_sweep", kept)).as(kept).isTrue();
    }
    assertThat(ddb.describeTable(r -> r.tableName("ttl_sweep")).table().itemCount()).isEqualTo(5);

    server.advance(Duration.ofHours(2));
    assertThat(server.sweeper.sweepOnce()).isEqualTo(2);
    assertThat(exists("ttl_sweep", "future")).isFalse();
    assertThat(exists("ttl_sweep", "now")).isFalse();

    String arn = ddb.describeTable(r -> r.tableName("ttl_sweep")).table().latestStreamArn();
    String shardId =
        server
            .streams
            .describeStream(r -> r.streamArn(arn))
            .streamDescription()
            .shards()
            .get(0)
            .shardId();
    String it =
        server
            .streams
            .getShardIterator(
                r ->
                    r.streamArn(arn)
                        .shardId(shardId)
                        .shardIteratorType(ShardIteratorType.TRIM_HORIZON))
            .shardIterator();
    List<Record> records = server.streams.getRecords(r -> r.shardIterator(it)).records();
    List<Record> removals =
        records.stream().filter(r -> r.eventName() == OperationType.REMOVE).toList();
    assertThat(removals)
        .extracting(r -> r.dynamodb().keys().get("pk").s())
        .containsExactly("expired", "future", "now");
    for (Record r : removals) {
      assertThat(r.userIdentity().type()).isEqualTo("Service");
      assertThat(r.userIdentity().principalId()).isEqualTo("dynamodb.amazonaws.com");
      assertThat(r.dynamodb().oldImage()).containsKey("exp");
    }
    assertThat(records.stream().filter(r -> r.eventName() == OperationType.INSERT))
        .allSatisfy(r -> assertThat(r.userIdentity()).isNull());
  }

  // Protects the re-check under the lock: an item rewritten with a later expiry is not deleted.
  @Test
  void sweeperDeleteYieldsToARewriteThatExtendsTheExpiry() {
    createTable("ttl_race", false);
    enableTtl("ttl_race");
    // The sweeper saw this item expired at `now`...
    BigDecimal now = BigDecimal.valueOf(server.nowSeconds());
    // ...but a client extended it before the sweeper's write got the lock.
    put("ttl_race", "extended", secondsFromNow(3600));
    put("ttl_race", "still_expired", secondsFromNow(-1));
    Table table = server.db.require("ttl_race");
    List<WritePath.Outcome> outcomes =
        server
            .db
            .writePath()
            .commit(
                List.of(
                    sweeperWrite(table, "extended", now),
                    sweeperWrite(table, "still_expired", now)),
                ChangeRecord.Origin.TTL_EXPIRY);
    assertThat(outcomes).extracting(WritePath.Outcome::changed).containsExactly(false, true);
    assertThat(exists("ttl_race", "extended")).isTrue();
    assertThat(exists("ttl_race", "still_expired")).isFalse();
  }

  private static WritePath.ItemWrite sweeperWrite(Table table, String pk, BigDecimal now) {
    Map<String, dev.tidemark.model.AttributeValue> key =
        Map.of("pk", new dev.tidemark.model.AttributeValue.S(pk));
    return new WritePath.ItemWrite(
        table,
        ItemKeys.storageKey(table.keySchema(), key),
        key,
        TtlSweeper.deleteIfExpired("exp", now));
  }

  // Protects incarnations: a re-created table does not inherit its predecessor's TTL setting.
  @Test
  void timeToLiveGoesWithItsTable() {
    createTable("ttl_reborn", false);
    enableTtl("ttl_reborn");
    ddb.deleteTable(r -> r.tableName("ttl_reborn"));
    createTable("ttl_reborn", false);
    assertThat(
            ddb.describeTimeToLive(r -> r.tableName("ttl_reborn"))
                .timeToLiveDescription()
                .timeToLiveStatus())
        .isEqualTo(TimeToLiveStatus.DISABLED);
  }
}
