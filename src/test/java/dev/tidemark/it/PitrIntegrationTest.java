package dev.tidemark.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BackupSummary;
import software.amazon.awssdk.services.dynamodb.model.BackupTypeFilter;
import software.amazon.awssdk.services.dynamodb.model.ContinuousBackupsDescription;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.InvalidRestoreTimeException;
import software.amazon.awssdk.services.dynamodb.model.PointInTimeRecoveryDescription;
import software.amazon.awssdk.services.dynamodb.model.PointInTimeRecoveryStatus;
import software.amazon.awssdk.services.dynamodb.model.PointInTimeRecoveryUnavailableException;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableNotFoundException;

/** Point-in-time recovery through the AWS SDK v2, with the real clock and archiver. */
class PitrIntegrationTest {

  static PointInTimeRecoveryDescription pitr(DynamoDbClient ddb, String table) {
    return ddb.describeContinuousBackups(r -> r.tableName(table))
        .continuousBackupsDescription()
        .pointInTimeRecoveryDescription();
  }

  static void enable(DynamoDbClient ddb, String table) {
    ddb.updateContinuousBackups(
        r ->
            r.tableName(table)
                .pointInTimeRecoverySpecification(p -> p.pointInTimeRecoveryEnabled(true)));
  }

  /** Waits until the archive covers {@code instant}. */
  static void awaitRestorable(DynamoDbClient ddb, String table, Instant instant)
      throws InterruptedException {
    for (int i = 0; i < 500; i++) {
      if (!pitr(ddb, table).latestRestorableDateTime().isBefore(instant)) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("latest restorable time did not reach " + instant);
  }

  static Map<String, AttributeValue> item(String pk, int sk, String v) {
    return BackupIntegrationTest.item(pk, sk, v);
  }

  /** A millisecond instant strictly between two writes. */
  static Instant between() throws InterruptedException {
    Thread.sleep(3);
    Instant t = Instant.ofEpochMilli(System.currentTimeMillis());
    Thread.sleep(3);
    return t;
  }

  // Protects the settings API shapes Terraform reads, and DynamoDB's errors for it.
  @Test
  void settingsApiMatchesDynamoDb() throws Exception {
    try (LiveServer s = LiveServer.inMemory()) {
      DynamoDbClient ddb = s.client;
      ddb.createTable(ControlPlaneIntegrationTest.table("settings").build());
      ContinuousBackupsDescription off =
          ddb.describeContinuousBackups(r -> r.tableName("settings"))
              .continuousBackupsDescription();
      assertThat(off.continuousBackupsStatusAsString()).isEqualTo("ENABLED");
      assertThat(off.pointInTimeRecoveryDescription().pointInTimeRecoveryStatus())
          .isEqualTo(PointInTimeRecoveryStatus.DISABLED);
      assertThat(off.pointInTimeRecoveryDescription().earliestRestorableDateTime()).isNull();
      Instant before = Instant.now().minusSeconds(1);
      enable(ddb, "settings");
      PointInTimeRecoveryDescription on = pitr(ddb, "settings");
      assertThat(on.pointInTimeRecoveryStatus()).isEqualTo(PointInTimeRecoveryStatus.ENABLED);
      assertThat(on.recoveryPeriodInDays()).isEqualTo(35);
      assertThat(on.earliestRestorableDateTime()).isAfter(before);
      assertThat(on.latestRestorableDateTime()).isAfterOrEqualTo(on.earliestRestorableDateTime());
      ddb.updateContinuousBackups(
          r ->
              r.tableName("settings")
                  .pointInTimeRecoverySpecification(
                      p -> p.pointInTimeRecoveryEnabled(true).recoveryPeriodInDays(7)));
      assertThat(pitr(ddb, "settings").recoveryPeriodInDays()).isEqualTo(7);
      DynamoDbException period =
          catchThrowableOfType(
              DynamoDbException.class,
              () ->
                  ddb.updateContinuousBackups(
                      r ->
                          r.tableName("settings")
                              .pointInTimeRecoverySpecification(
                                  p ->
                                      p.pointInTimeRecoveryEnabled(false)
                                          .recoveryPeriodInDays(3))));
      assertThat(period.awsErrorDetails().errorMessage())
          .isEqualTo(
              "Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time recovery.");
      DynamoDbException range =
          catchThrowableOfType(
              DynamoDbException.class,
              () ->
                  ddb.updateContinuousBackups(
                      r ->
                          r.tableName("settings")
                              .pointInTimeRecoverySpecification(
                                  p ->
                                      p.pointInTimeRecoveryEnabled(true)
                                          .recoveryPeriodInDays(36))));
      assertThat(range.awsErrorDetails().errorMessage())
          .isEqualTo(
              "1 validation error detected: Value '36' at 'pointInTimeRecoverySpecification.recoveryPeriodInDays'"
                  + " failed to satisfy constraint: Member must have value less than or equal to 35");
      TableNotFoundException missing =
          catchThrowableOfType(
              TableNotFoundException.class,
              () -> ddb.describeContinuousBackups(r -> r.tableName("no_such")));
      assertThat(missing.awsErrorDetails().errorMessage()).isEqualTo("Table not found: no_such");
      catchThrowableOfType(TableNotFoundException.class, () -> enable(ddb, "no_such"));
      ddb.updateContinuousBackups(
          r ->
              r.tableName("settings")
                  .pointInTimeRecoverySpecification(p -> p.pointInTimeRecoveryEnabled(false)));
      assertThat(pitr(ddb, "settings").pointInTimeRecoveryStatus())
          .isEqualTo(PointInTimeRecoveryStatus.DISABLED);
    }
  }

  // Protects I5 through the API: a restore holds exactly the writes at or before the instant.
  @Test
  void restoreToInstantIsExact() throws Exception {
    try (LiveServer s = LiveServer.inMemory()) {
      DynamoDbClient ddb = s.client;
      ddb.createTable(ControlPlaneIntegrationTest.table("ledger").build());
      for (int i = 0; i < 20; i++) {
        int sk = i;
        ddb.putItem(r -> r.tableName("ledger").item(item("acct", sk, "v1")));
      }
      enable(ddb, "ledger");
      ddb.putItem(r -> r.tableName("ledger").item(item("acct", 100, "after-enable")));
      Instant t1 = between();
      for (int i = 0; i < 10; i++) {
        int sk = i;
        ddb.deleteItem(
            r ->
                r.tableName("ledger")
                    .key(
                        Map.of(
                            "pk",
                            AttributeValue.fromS("acct"),
                            "sk",
                            AttributeValue.fromN(Integer.toString(sk)))));
      }
      ddb.putItem(r -> r.tableName("ledger").item(item("acct", 15, "v2")));
      Instant t2 = between();
      ddb.putItem(r -> r.tableName("ledger").item(item("acct", 200, "late")));
      awaitRestorable(ddb, "ledger", t2);

      TableDescription restoring =
          ddb.restoreTableToPointInTime(
                  r -> r.sourceTableName("ledger").targetTableName("ledger_t1").restoreDateTime(t1))
              .tableDescription();
      assertThat(restoring.restoreSummary().restoreDateTime()).isEqualTo(t1);
      assertThat(restoring.restoreSummary().sourceTableArn()).endsWith(":table/ledger");
      BackupIntegrationTest.waitActive(ddb, "ledger_t1");
      Map<String, Map<String, AttributeValue>> atT1 =
          BackupIntegrationTest.scanAll(ddb, "ledger_t1");
      assertThat(atT1).hasSize(21).containsKey("acct/100").doesNotContainKey("acct/200");
      assertThat(atT1.get("acct/15").get("v").s()).isEqualTo("v1");

      ddb.restoreTableToPointInTime(
          r -> r.sourceTableName("ledger").targetTableName("ledger_t2").restoreDateTime(t2));
      BackupIntegrationTest.waitActive(ddb, "ledger_t2");
      Map<String, Map<String, AttributeValue>> atT2 =
          BackupIntegrationTest.scanAll(ddb, "ledger_t2");
      assertThat(atT2).hasSize(11).doesNotContainKey("acct/0").doesNotContainKey("acct/200");
      assertThat(atT2.get("acct/15").get("v").s()).isEqualTo("v2");

      ddb.restoreTableToPointInTime(
          r ->
              r.sourceTableName("ledger")
                  .targetTableName("ledger_latest")
                  .useLatestRestorableTime(true));
      BackupIntegrationTest.waitActive(ddb, "ledger_latest");
      assertThat(BackupIntegrationTest.scanAll(ddb, "ledger_latest")).containsKey("acct/200");
    }
  }

  // Protects DynamoDB's restore errors, verbatim.
  @Test
  void restoreErrorsMatchDynamoDb() throws Exception {
    try (LiveServer s = LiveServer.inMemory()) {
      DynamoDbClient ddb = s.client;
      ddb.createTable(ControlPlaneIntegrationTest.table("plain").build());
      PointInTimeRecoveryUnavailableException off =
          catchThrowableOfType(
              PointInTimeRecoveryUnavailableException.class,
              () ->
                  ddb.restoreTableToPointInTime(
                      r ->
                          r.sourceTableName("plain")
                              .targetTableName("plain2")
                              .useLatestRestorableTime(true)));
      assertThat(off.awsErrorDetails().errorMessage())
          .isEqualTo("Point in time recovery is not enabled for table 'plain'");
      enable(ddb, "plain");
      InvalidRestoreTimeException early =
          catchThrowableOfType(
              InvalidRestoreTimeException.class,
              () ->
                  ddb.restoreTableToPointInTime(
                      r ->
                          r.sourceTableName("plain")
                              .targetTableName("plain2")
                              .restoreDateTime(Instant.now().minusSeconds(3600))));
      assertThat(early.awsErrorDetails().errorMessage())
          .isEqualTo(
              "RestoreDateTime must be between EarliestRestorableDateTime and LatestRestorableDateTime.");
      catchThrowableOfType(
          InvalidRestoreTimeException.class,
          () ->
              ddb.restoreTableToPointInTime(
                  r ->
                      r.sourceTableName("plain")
                          .targetTableName("plain2")
                          .restoreDateTime(Instant.now().plusSeconds(3600))));
      DynamoDbException both =
          catchThrowableOfType(
              DynamoDbException.class,
              () ->
                  ddb.restoreTableToPointInTime(
                      r ->
                          r.sourceTableName("plain")
                              .targetTableName("plain2")
                              .useLatestRestorableTime(true)
                              .restoreDateTime(Instant.now())));
      assertThat(both.awsErrorDetails().errorMessage())
          .isEqualTo(
              "Invalid Request: Either one of RestoreDateTime or UseLatestRestorableTime must be specified, but not both");
      DynamoDbException sources =
          catchThrowableOfType(
              DynamoDbException.class,
              () ->
                  ddb.restoreTableToPointInTime(
                      r -> r.targetTableName("plain2").useLatestRestorableTime(true)));
      assertThat(sources.awsErrorDetails().errorMessage())
          .isEqualTo("Must provide exactly one of: sourceTableArn, sourceTableName");
      assertThat(ddb.listTables().tableNames()).doesNotContain("plain2");
    }
  }

  // Protects deleted tables: a SYSTEM backup is left, the window stays restorable by ARN, and a
  // re-created table of the same name has its own history.
  @Test
  void deletedTableStaysRestorable() throws Exception {
    try (LiveServer s = LiveServer.inMemory()) {
      DynamoDbClient ddb = s.client;
      String arn =
          ddb.createTable(ControlPlaneIntegrationTest.table("doomed").build())
              .tableDescription()
              .tableArn();
      enable(ddb, "doomed");
      for (int i = 0; i < 5; i++) {
        int sk = i;
        ddb.putItem(r -> r.tableName("doomed").item(item("p", sk, "old-" + sk)));
      }
      Instant t = between();
      ddb.putItem(r -> r.tableName("doomed").item(item("p", 99, "just-before-delete")));
      ddb.deleteTable(r -> r.tableName("doomed"));

      BackupSummary system =
          ddb.listBackups(r -> r.backupType(BackupTypeFilter.SYSTEM)).backupSummaries().stream()
              .filter(b -> b.tableName().equals("doomed"))
              .findFirst()
              .orElseThrow();
      assertThat(system.backupName()).isEqualTo("doomed$DeletedTableBackup");
      assertThat(system.backupExpiryDateTime()).isAfter(Instant.now().plusSeconds(34L * 86400));
      DynamoDbException refuse =
          catchThrowableOfType(
              DynamoDbException.class,
              () -> ddb.deleteBackup(r -> r.backupArn(system.backupArn())));
      assertThat(refuse.awsErrorDetails().errorMessage())
          .startsWith(
              "Invalid Request: User is not allowed to delete the system backup with arn "
                  + system.backupArn());

      // A new table of the same name must not mix its history with the deleted one.
      ddb.createTable(ControlPlaneIntegrationTest.table("doomed").build());
      enable(ddb, "doomed");
      ddb.putItem(r -> r.tableName("doomed").item(item("p", 500, "new-incarnation")));

      ddb.restoreTableToPointInTime(
          r -> r.sourceTableArn(arn).targetTableName("doomed_at_t").restoreDateTime(t));
      BackupIntegrationTest.waitActive(ddb, "doomed_at_t");
      assertThat(BackupIntegrationTest.scanAll(ddb, "doomed_at_t").keySet())
          .containsExactlyInAnyOrder("p/0", "p/1", "p/2", "p/3", "p/4");

      for (int i = 0; i < 500; i++) {
        var st =
            ddb.describeBackup(r -> r.backupArn(system.backupArn()))
                .backupDescription()
                .backupDetails()
                .backupStatusAsString();
        if (st.equals("AVAILABLE")) {
          break;
        }
        Thread.sleep(20);
      }
      ddb.restoreTableFromBackup(
          r -> r.backupArn(system.backupArn()).targetTableName("doomed_from_backup"));
      BackupIntegrationTest.waitActive(ddb, "doomed_from_backup");
      assertThat(BackupIntegrationTest.scanAll(ddb, "doomed_from_backup"))
          .hasSize(6)
          .containsKey("p/99");
    }
  }

  // Protects restores of indexes the base snapshot lacks: a GSI added after PITR was enabled is
  // rebuilt from the restored items, and answers queries completely.
  @Test
  void indexAddedAfterBaseIsRebuilt() throws Exception {
    try (LiveServer s = LiveServer.inMemory()) {
      DynamoDbClient ddb = s.client;
      ddb.createTable(ControlPlaneIntegrationTest.table("late_index").build());
      for (int i = 0; i < 30; i++) {
        int sk = i;
        ddb.putItem(
            r ->
                r.tableName("late_index")
                    .item(
                        Map.of(
                            "pk",
                            AttributeValue.fromS("p"),
                            "sk",
                            AttributeValue.fromN(Integer.toString(sk)),
                            "color",
                            AttributeValue.fromS(sk % 3 == 0 ? "red" : "blue"))));
      }
      enable(ddb, "late_index");
      ddb.updateTable(
          r ->
              r.tableName("late_index")
                  .attributeDefinitions(
                      Indexed.attr(
                          "pk",
                          software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType.S),
                      Indexed.attr(
                          "sk",
                          software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType.N),
                      Indexed.attr(
                          "color",
                          software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType.S))
                  .globalSecondaryIndexUpdates(
                      software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexUpdate
                          .builder()
                          .create(
                              software.amazon.awssdk.services.dynamodb.model
                                  .CreateGlobalSecondaryIndexAction.builder()
                                  .indexName("by_color")
                                  .keySchema(
                                      software.amazon.awssdk.services.dynamodb.model
                                          .KeySchemaElement.builder()
                                          .attributeName("color")
                                          .keyType("HASH")
                                          .build())
                                  .projection(p -> p.projectionType("ALL"))
                                  .build())
                          .build()));
      for (int i = 0; i < 500; i++) {
        if ("ACTIVE"
            .equals(
                ddb.describeTable(r -> r.tableName("late_index"))
                    .table()
                    .globalSecondaryIndexes()
                    .get(0)
                    .indexStatusAsString())) {
          break;
        }
        Thread.sleep(20);
      }
      ddb.putItem(
          r ->
              r.tableName("late_index")
                  .item(
                      Map.of(
                          "pk",
                          AttributeValue.fromS("p"),
                          "sk",
                          AttributeValue.fromN("100"),
                          "color",
                          AttributeValue.fromS("red"))));
      Instant t = between();
      awaitRestorable(ddb, "late_index", t);
      ddb.restoreTableToPointInTime(
          r -> r.sourceTableName("late_index").targetTableName("late_index_r").restoreDateTime(t));
      BackupIntegrationTest.waitActive(ddb, "late_index_r");
      int count = 0;
      for (int i = 0; i < 500; i++) {
        var gsi =
            ddb.describeTable(r -> r.tableName("late_index_r"))
                .table()
                .globalSecondaryIndexes()
                .get(0);
        if ("ACTIVE".equals(gsi.indexStatusAsString())) {
          count =
              ddb.query(
                      r ->
                          r.tableName("late_index_r")
                              .indexName("by_color")
                              .keyConditionExpression("color = :c")
                              .expressionAttributeValues(Map.of(":c", AttributeValue.fromS("red"))))
                  .count();
          break;
        }
        Thread.sleep(20);
      }
      assertThat(count).as("red items in the rebuilt index").isEqualTo(11);
    }
  }
}
