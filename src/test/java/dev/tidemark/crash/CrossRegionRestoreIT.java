package dev.tidemark.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BackupNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Cross-region restores between two server processes (us-east-1 and eu-west-1, peers of each other
 * with a shared secret; eu-west-1 also names a third peer that is never started). Protects: a
 * RestoreTableToPointInTime sent to eu-west-1 with a us-east-1 SourceTableArn creates there a table
 * holding exactly the source's items (and index entries) as of the instant, streamed in several
 * frames; a RestoreTableFromBackup with a us-east-1 BackupArn does the same for the backup; both
 * tables are ordinary regional tables with their RestoreSummary; an unknown region, an unreachable
 * one, and a source the other region does not have are refused with DynamoDB's error types.
 */
class CrossRegionRestoreIT {
  private static final List<String> JVM = List.of("-Xmx192m", "-XX:+UseSerialGC");
  private static final String EAST = "us-east-1";
  private static final String WEST = "eu-west-1";
  private static final String ACCOUNT = "000000000000";
  private static final String TABLE = "orders";

  private static ServerProcess east;
  private static ServerProcess west;
  private static DynamoDbClient eastClient;
  private static DynamoDbClient westClient;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("secret"), "cross-region-restore-secret-0123456789");
    int eastPort = ServerProcess.freePort();
    int westPort = ServerProcess.freePort();
    int deadPort = ServerProcess.freePort();
    east = start(dir, EAST, eastPort, "--peer", WEST + "=http://127.0.0.1:" + westPort);
    west =
        start(
            dir,
            WEST,
            westPort,
            "--peer",
            EAST + "=http://127.0.0.1:" + eastPort,
            "--peer",
            "sa-east-1=http://127.0.0.1:" + deadPort);
    eastClient = east.client();
    westClient = west.client();
  }

  private static ServerProcess start(Path dir, String region, int port, String... peers)
      throws Exception {
    Path home = dir.resolve(region);
    Files.createDirectories(home);
    List<String> args = new ArrayList<>(List.of("--region", region));
    args.addAll(List.of("--replication-secret-file", dir.resolve("secret").toString()));
    args.addAll(List.of(peers));
    return ServerProcess.start(
        JVM, home.resolve("data"), home.resolve("server.log"), port, args.toArray(String[]::new));
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {eastClient, westClient, east, west}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // closing the rest matters more
      }
    }
  }

  private static String arn(String region, String table) {
    return "arn:aws:dynamodb:" + region + ":" + ACCOUNT + ":table/" + table;
  }

  /** About 1 KB, so that a few thousand items need several restore frames. */
  private static Map<String, AttributeValue> item(int n, String version) {
    return Map.of(
        "pk", AttributeValue.fromS(String.format("k%05d", n)),
        "g", AttributeValue.fromS("g" + (n % 7)),
        "v", AttributeValue.fromS(version),
        "pad", AttributeValue.fromS("x".repeat(1000)));
  }

  private static void putAll(List<Map<String, AttributeValue>> items) {
    for (int i = 0; i < items.size(); i += 25) {
      List<WriteRequest> batch = new ArrayList<>();
      for (Map<String, AttributeValue> it : items.subList(i, Math.min(items.size(), i + 25))) {
        batch.add(WriteRequest.builder().putRequest(PutRequest.builder().item(it).build()).build());
      }
      Map<String, List<WriteRequest>> left = Map.of(TABLE, batch);
      while (!left.isEmpty()) {
        Map<String, List<WriteRequest>> l = left;
        left = eastClient.batchWriteItem(r -> r.requestItems(l)).unprocessedItems();
      }
    }
  }

  private static TreeMap<String, Map<String, AttributeValue>> scan(DynamoDbClient c, String t) {
    TreeMap<String, Map<String, AttributeValue>> out = new TreeMap<>();
    c.scanPaginator(r -> r.tableName(t).consistentRead(true))
        .items()
        .forEach(i -> out.put(i.get("pk").s(), i));
    return out;
  }

  private static List<String> queryIndex(DynamoDbClient c, String t, String g) {
    List<String> keys = new ArrayList<>();
    c.queryPaginator(
            r ->
                r.tableName(t)
                    .indexName("byG")
                    .keyConditionExpression("g = :g")
                    .expressionAttributeValues(Map.of(":g", AttributeValue.fromS(g))))
        .items()
        .forEach(i -> keys.add(i.get("pk").s() + "/" + i.get("v").s()));
    keys.sort(Comparator.naturalOrder());
    return keys;
  }

  private static TableDescription awaitActive(DynamoDbClient c, String t) throws Exception {
    for (int n = 0; n < 600; n++) {
      TableDescription d = c.describeTable(r -> r.tableName(t)).table();
      if (d.tableStatusAsString().equals("ACTIVE")) {
        return d;
      }
      Thread.sleep(50);
    }
    throw new AssertionError(t + " did not become ACTIVE");
  }

  // Protects: the point-in-time restore into another region reproduces exactly the instant's
  // items and index entries; the backup restore across regions reproduces the backup; both are
  // ordinary regional tables that say where they came from.
  @Test
  void restoresPointInTimeAndBackupIntoTheOtherRegion() throws Exception {
    eastClient.createTable(
        r ->
            r.tableName(TABLE)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                    AttributeDefinition.builder()
                        .attributeName("pk")
                        .attributeType(ScalarAttributeType.S)
                        .build(),
                    AttributeDefinition.builder()
                        .attributeName("g")
                        .attributeType(ScalarAttributeType.S)
                        .build())
                .keySchema(
                    KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                .globalSecondaryIndexes(
                    GlobalSecondaryIndex.builder()
                        .indexName("byG")
                        .keySchema(
                            KeySchemaElement.builder()
                                .attributeName("g")
                                .keyType(KeyType.HASH)
                                .build())
                        .projection(p -> p.projectionType(ProjectionType.ALL))
                        .build()));
    awaitActive(eastClient, TABLE);
    eastClient.updateContinuousBackups(
        r ->
            r.tableName(TABLE)
                .pointInTimeRecoverySpecification(s -> s.pointInTimeRecoveryEnabled(true)));
    List<Map<String, AttributeValue>> first = new ArrayList<>();
    for (int n = 0; n < 6000; n++) {
      first.add(item(n, "v1"));
    }
    putAll(first);
    Thread.sleep(5);
    long instant = System.currentTimeMillis();
    Thread.sleep(5);
    TreeMap<String, Map<String, AttributeValue>> atInstant = scan(eastClient, TABLE);
    assertThat(atInstant).hasSize(6000);
    // After the instant: updates, deletes and new items, none of which the restore may show.
    List<Map<String, AttributeValue>> later = new ArrayList<>();
    for (int n = 0; n < 6000; n += 3) {
      later.add(item(n, "v2"));
    }
    for (int n = 6000; n < 6100; n++) {
      later.add(item(n, "v2"));
    }
    putAll(later);
    for (int n = 1; n < 6000; n += 50) {
      String pk = String.format("k%05d", n);
      eastClient.deleteItem(r -> r.tableName(TABLE).key(Map.of("pk", AttributeValue.fromS(pk))));
    }
    TreeMap<String, Map<String, AttributeValue>> now = scan(eastClient, TABLE);
    for (int n = 0; n < 200; n++) {
      Instant latest =
          eastClient
              .describeContinuousBackups(r -> r.tableName(TABLE))
              .continuousBackupsDescription()
              .pointInTimeRecoveryDescription()
              .latestRestorableDateTime();
      if (latest.toEpochMilli() >= instant) {
        break;
      }
      Thread.sleep(50);
    }

    TableDescription started =
        westClient
            .restoreTableToPointInTime(
                r ->
                    r.sourceTableArn(arn(EAST, TABLE))
                        .targetTableName("ordersThen")
                        .restoreDateTime(Instant.ofEpochMilli(instant)))
            .tableDescription();
    assertThat(started.tableStatusAsString()).isEqualTo("CREATING");
    TableDescription then = awaitActive(westClient, "ordersThen");
    assertThat(then.tableArn()).isEqualTo(arn(WEST, "ordersThen"));
    assertThat(then.restoreSummary().sourceTableArn()).isEqualTo(arn(EAST, TABLE));
    assertThat(then.restoreSummary().restoreDateTime()).isEqualTo(Instant.ofEpochMilli(instant));
    assertThat(then.replicas()).isEmpty();
    assertThat(then.globalTableVersion()).isNull();
    assertThat(then.itemCount()).isEqualTo(6000);
    assertThat(scan(westClient, "ordersThen")).isEqualTo(atInstant);
    assertThat(queryIndex(westClient, "ordersThen", "g3"))
        .isEqualTo(
            atInstant.values().stream()
                .filter(i -> i.get("g").s().equals("g3"))
                .map(i -> i.get("pk").s() + "/" + i.get("v").s())
                .sorted()
                .toList());

    String backupArn =
        eastClient
            .createBackup(r -> r.tableName(TABLE).backupName("now"))
            .backupDetails()
            .backupArn();
    for (int n = 0; n < 600; n++) {
      String status =
          eastClient
              .describeBackup(r -> r.backupArn(backupArn))
              .backupDescription()
              .backupDetails()
              .backupStatusAsString();
      if (status.equals("AVAILABLE")) {
        break;
      }
      Thread.sleep(50);
    }
    assertThat(westClient.listBackups(r -> r.tableName(TABLE)).backupSummaries()).isEmpty();
    westClient.restoreTableFromBackup(
        r -> r.backupArn(backupArn).targetTableName("ordersFromBackup"));
    TableDescription fromBackup = awaitActive(westClient, "ordersFromBackup");
    assertThat(fromBackup.restoreSummary().sourceBackupArn()).isEqualTo(backupArn);
    assertThat(fromBackup.restoreSummary().sourceTableArn()).isEqualTo(arn(EAST, TABLE));
    assertThat(scan(westClient, "ordersFromBackup")).isEqualTo(now);
    assertThat(queryIndex(westClient, "ordersFromBackup", "g1"))
        .isEqualTo(queryIndex(eastClient, TABLE, "g1"));

    // The restored tables are regional and writable, and nothing reached the source region.
    westClient.putItem(r -> r.tableName("ordersThen").item(item(99_999, "west")));
    assertThat(eastClient.listTables().tableNames()).containsExactly(TABLE);
  }

  // Protects: an unknown region, an unreachable one, and a source that region does not have are
  // refused with DynamoDB's types before any table is created, and the server keeps serving.
  @Test
  void refusesUnknownUnreachableAndMissingSources() {
    assertThatThrownBy(
            () ->
                westClient.restoreTableToPointInTime(
                    r ->
                        r.sourceTableArn(arn("ap-south-1", TABLE))
                            .targetTableName("nope1")
                            .useLatestRestorableTime(true)))
        .isInstanceOf(TableNotFoundException.class)
        .hasMessageContaining("ap-south-1 is not a peer");
    assertThatThrownBy(
            () ->
                westClient.restoreTableFromBackup(
                    r ->
                        r.backupArn(arn("ap-south-1", TABLE) + "/backup/01700000000000-0123abcd")
                            .targetTableName("nope2")))
        .isInstanceOf(BackupNotFoundException.class);
    assertThatThrownBy(
            () ->
                westClient.restoreTableToPointInTime(
                    r ->
                        r.sourceTableArn(arn("sa-east-1", TABLE))
                            .targetTableName("nope3")
                            .useLatestRestorableTime(true)))
        .isInstanceOfSatisfying(
            DynamoDbException.class,
            e -> {
              assertThat(e.statusCode()).isEqualTo(500);
              assertThat(e.getMessage()).contains("sa-east-1").contains("unreachable");
            });
    assertThatThrownBy(
            () ->
                westClient.restoreTableToPointInTime(
                    r ->
                        r.sourceTableArn(arn(EAST, "noSuchTable"))
                            .targetTableName("nope4")
                            .useLatestRestorableTime(true)))
        .isInstanceOf(TableNotFoundException.class);
    assertThatThrownBy(
            () ->
                westClient.restoreTableFromBackup(
                    r ->
                        r.backupArn(arn(EAST, TABLE) + "/backup/01700000000000-0123abcd")
                            .targetTableName("nope5")))
        .isInstanceOf(BackupNotFoundException.class);
    assertThat(westClient.listTables().tableNames())
        .doesNotContain("nope1", "nope2", "nope3", "nope4", "nope5");
  }
}
