package dev.tidemark.fault;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tidemark.backup.BackupRecord;
import dev.tidemark.backup.BackupService;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BackupNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.BackupStatus;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * What the fault tests share: one table of random writes driven through the SDK, waits for backups,
 * restores and PITR progress, and the server's log captured for assertions.
 */
abstract class FaultTestBase {
  static final String TABLE = "faults";

  DynamoDbClient c;
  Random random;
  ListAppender<ILoggingEvent> log;

  @BeforeEach
  void attachLog() {
    log = new ListAppender<>();
    log.start();
    ((Logger) LoggerFactory.getLogger("dev.tidemark")).addAppender(log);
  }

  @AfterEach
  void detachLog() {
    ((Logger) LoggerFactory.getLogger("dev.tidemark")).detachAppender(log);
  }

  void createTable() {
    c.createTable(
        r ->
            r.tableName(TABLE)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                    AttributeDefinition.builder()
                        .attributeName("pk")
                        .attributeType(ScalarAttributeType.S)
                        .build())
                .keySchema(
                    KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build()));
  }

  void put(String pk, String v) {
    c.putItem(
        r ->
            r.tableName(TABLE)
                .item(Map.of("pk", AttributeValue.fromS(pk), "v", AttributeValue.fromS(v))));
  }

  /** Random writes (puts, overwrites, deletes); returns nothing, the table is the reference. */
  void writes(int n, String prefix) {
    for (int i = 0; i < n; i++) {
      String pk = prefix + random.nextInt(Math.max(1, n / 2));
      if (random.nextInt(5) == 0) {
        c.deleteItem(r -> r.tableName(TABLE).key(Map.of("pk", AttributeValue.fromS(pk))));
      } else {
        put(pk, Long.toHexString(random.nextLong()) + "y".repeat(random.nextInt(2000)));
      }
    }
  }

  Map<String, String> scan(String table) {
    Map<String, String> out = new TreeMap<>();
    for (var page : c.scanPaginator(r -> r.tableName(table).consistentRead(true))) {
      page.items().forEach(i -> out.put(i.get("pk").s(), i.get("v").s()));
    }
    return out;
  }

  Instant latestRestorable() {
    return c.describeContinuousBackups(r -> r.tableName(TABLE))
        .continuousBackupsDescription()
        .pointInTimeRecoveryDescription()
        .latestRestorableDateTime();
  }

  void awaitRestorable(Instant instant) throws InterruptedException {
    for (int i = 0; i < 1500; i++) {
      if (!latestRestorable().isBefore(instant)) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("latest restorable time stuck at " + latestRestorable());
  }

  /**
   * Waits until the table's PITR window has a base snapshot in the store: until then an outage can
   * fail the base, and the window restores nothing from before the base taken after it.
   */
  void awaitPitrBase(BackupService backups) throws InterruptedException {
    String uuid = c.describeTable(r -> r.tableName(TABLE)).table().tableId();
    for (int i = 0; i < 3000; i++) {
      List<BackupRecord> bases = backups.bases(uuid);
      if (!bases.isEmpty() && bases.stream().allMatch(b -> "AVAILABLE".equals(b.status()))) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no PITR base snapshot of " + TABLE + " became AVAILABLE");
  }

  void awaitActive(String table) throws InterruptedException {
    for (int i = 0; i < 3000; i++) {
      if (c.describeTable(r -> r.tableName(table)).table().tableStatus() == TableStatus.ACTIVE) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError(table + " did not become ACTIVE");
  }

  /** Waits until the backup is no longer CREATING; returns its final status, or null if gone. */
  BackupStatus settle(String arn) throws InterruptedException {
    for (int i = 0; i < 3000; i++) {
      BackupStatus st;
      try {
        st =
            c.describeBackup(r -> r.backupArn(arn))
                .backupDescription()
                .backupDetails()
                .backupStatus();
      } catch (BackupNotFoundException e) {
        return null;
      }
      if (st != BackupStatus.CREATING) {
        return st;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("backup " + arn + " stayed CREATING");
  }

  boolean listed(String arn) {
    return c.listBackups(r -> r.tableName(TABLE)).backupSummaries().stream()
        .anyMatch(b -> b.backupArn().equals(arn));
  }

  boolean tableExists(String table) {
    try {
      c.describeTable(r -> r.tableName(table));
      return true;
    } catch (ResourceNotFoundException e) {
      return false;
    }
  }

  String logText() {
    return log.list.stream()
        .map(
            e ->
                e.getFormattedMessage()
                    + " "
                    + (e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage()))
        .collect(Collectors.joining("\n"));
  }

  String availableBackup(String name) throws InterruptedException {
    String arn =
        c.createBackup(r -> r.tableName(TABLE).backupName(name)).backupDetails().backupArn();
    assertThat(settle(arn)).isEqualTo(BackupStatus.AVAILABLE);
    return arn;
  }

  /**
   * After the store came back from an outage: the PITR archive catches up with no gap, so a restore
   * to the latest time equals the table now and one to {@code mid}, an instant inside the outage,
   * equals {@code atMid}.
   */
  void assertPitrCaughtUp(Instant mid, Map<String, String> atMid) throws InterruptedException {
    awaitRestorable(Instant.now());
    Map<String, String> now = scan(TABLE);
    c.restoreTableToPointInTime(
        r -> r.sourceTableName(TABLE).targetTableName("after_heal").useLatestRestorableTime(true));
    c.restoreTableToPointInTime(
        r -> r.sourceTableName(TABLE).targetTableName("mid_outage").restoreDateTime(mid));
    awaitActive("after_heal");
    awaitActive("mid_outage");
    assertThat(scan("after_heal")).as("restore to latest after the outage").isEqualTo(now);
    assertThat(scan("mid_outage")).as("restore to an instant inside the outage").isEqualTo(atMid);
  }
}
