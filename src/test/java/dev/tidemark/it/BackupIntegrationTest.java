package dev.tidemark.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BackupDescription;
import software.amazon.awssdk.services.dynamodb.model.BackupNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.BackupStatus;
import software.amazon.awssdk.services.dynamodb.model.BackupSummary;
import software.amazon.awssdk.services.dynamodb.model.BackupTypeFilter;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.TableAlreadyExistsException;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/** On-demand backups and restores through the AWS SDK v2. */
class BackupIntegrationTest {

  static Map<String, AttributeValue> item(String pk, int sk, String v) {
    return Map.of(
        "pk",
        AttributeValue.fromS(pk),
        "sk",
        AttributeValue.fromN(Integer.toString(sk)),
        "v",
        AttributeValue.fromS(v));
  }

  static String backupAndWait(DynamoDbClient ddb, String table, String name)
      throws InterruptedException {
    String arn =
        ddb.createBackup(r -> r.tableName(table).backupName(name)).backupDetails().backupArn();
    for (int i = 0; i < 600; i++) {
      BackupStatus s =
          ddb.describeBackup(r -> r.backupArn(arn))
              .backupDescription()
              .backupDetails()
              .backupStatus();
      if (s == BackupStatus.AVAILABLE) {
        return arn;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("backup " + arn + " did not become AVAILABLE");
  }

  static TableDescription waitActive(DynamoDbClient ddb, String table) throws InterruptedException {
    for (int i = 0; i < 1000; i++) {
      TableDescription d = ddb.describeTable(r -> r.tableName(table)).table();
      if (d.tableStatus() == TableStatus.ACTIVE) {
        return d;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("table " + table + " did not become ACTIVE");
  }

  static Map<String, Map<String, AttributeValue>> scanAll(DynamoDbClient ddb, String table) {
    Map<String, Map<String, AttributeValue>> out = new HashMap<>();
    ddb.scanPaginator(r -> r.tableName(table))
        .items()
        .forEach(i -> out.put(i.get("pk").s() + "/" + i.get("sk").n(), i));
    return out;
  }

  // Protects the backup lifecycle and shapes: ARN format, CREATING then AVAILABLE, describe, list
  // filters, delete answering DELETED.
  @Test
  void backupLifecycleMatchesDynamoDb() throws Exception {
    try (LiveServer s = LiveServer.inMemory()) {
      DynamoDbClient ddb = s.client;
      ddb.createTable(ControlPlaneIntegrationTest.table("music").build());
      for (int i = 0; i < 50; i++) {
        ddb.putItem(r -> r.tableName("music").item(item("a", 0, "x")));
      }
      ddb.putItem(r -> r.tableName("music").item(item("b", 1, "y")));
      long before = System.currentTimeMillis();
      String arn = backupAndWait(ddb, "music", "music-backup-1");
      assertThat(arn)
          .matches(
              "arn:aws:dynamodb:us-east-1:000000000000:table/music/backup/\\d{14}-[0-9a-f]{8}");
      BackupDescription d = ddb.describeBackup(r -> r.backupArn(arn)).backupDescription();
      assertThat(d.backupDetails().backupName()).isEqualTo("music-backup-1");
      assertThat(d.backupDetails().backupTypeAsString()).isEqualTo("USER");
      assertThat(d.backupDetails().backupSizeBytes()).isPositive();
      assertThat(d.backupDetails().backupCreationDateTime().toEpochMilli())
          .isGreaterThanOrEqualTo(before - 1000);
      assertThat(d.sourceTableDetails().tableName()).isEqualTo("music");
      assertThat(d.sourceTableDetails().itemCount()).isEqualTo(2);
      assertThat(d.sourceTableDetails().keySchema()).hasSize(2);
      List<BackupSummary> listed = ddb.listBackups(r -> r.tableName("music")).backupSummaries();
      assertThat(listed).extracting(BackupSummary::backupArn).containsExactly(arn);
      assertThat(ddb.listBackups(r -> r.backupType(BackupTypeFilter.SYSTEM)).backupSummaries())
          .isEmpty();
      assertThat(
              ddb.listBackups(r -> r.timeRangeLowerBound(java.time.Instant.now().plusSeconds(60)))
                  .backupSummaries())
          .isEmpty();
      BackupDescription deleted = ddb.deleteBackup(r -> r.backupArn(arn)).backupDescription();
      assertThat(deleted.backupDetails().backupStatus()).isEqualTo(BackupStatus.DELETED);
      BackupNotFoundException gone =
          catchThrowableOfType(
              BackupNotFoundException.class, () -> ddb.describeBackup(r -> r.backupArn(arn)));
      assertThat(gone.awsErrorDetails().errorCode()).isEqualTo("BackupNotFoundException");
      TableNotFoundException noTable =
          catchThrowableOfType(
              TableNotFoundException.class,
              () -> ddb.createBackup(r -> r.tableName("nope_table").backupName("bk1")));
      assertThat(noTable.awsErrorDetails().errorMessage()).isEqualTo("Table not found: nope_table");
    }
  }

  // Protects restores: every item back, RestoreSummary, overrides, and DynamoDB's errors.
  @Test
  void restoreBringsBackEveryItem() throws Exception {
    try (LiveServer s = LiveServer.inMemory()) {
      DynamoDbClient ddb = s.client;
      ddb.createTable(
          ControlPlaneIntegrationTest.table("orders").deletionProtectionEnabled(true).build());
      for (int i = 0; i < 300; i++) {
        int sk = i;
        ddb.putItem(r -> r.tableName("orders").item(item("p" + (sk % 7), sk, "value-" + sk)));
      }
      Map<String, Map<String, AttributeValue>> original = scanAll(ddb, "orders");
      String arn = backupAndWait(ddb, "orders", "orders-bk");
      for (int i = 0; i < 100; i++) {
        int sk = i;
        ddb.deleteItem(
            r ->
                r.tableName("orders")
                    .key(
                        Map.of(
                            "pk",
                            AttributeValue.fromS("p" + (sk % 7)),
                            "sk",
                            AttributeValue.fromN(Integer.toString(sk)))));
      }
      TableDescription restoring =
          ddb.restoreTableFromBackup(
                  r ->
                      r.backupArn(arn)
                          .targetTableName("orders_restored")
                          .billingModeOverride(BillingMode.PAY_PER_REQUEST))
              .tableDescription();
      assertThat(restoring.restoreSummary().sourceBackupArn()).isEqualTo(arn);
      assertThat(restoring.restoreSummary().sourceTableArn()).endsWith(":table/orders");
      TableDescription active = waitActive(ddb, "orders_restored");
      assertThat(active.restoreSummary().restoreInProgress()).isFalse();
      assertThat(active.itemCount()).isEqualTo(300);
      assertThat(active.deletionProtectionEnabled())
          .as("deletion protection is not carried over")
          .isFalse();
      assertThat(active.tableId())
          .isNotEqualTo(ddb.describeTable(r -> r.tableName("orders")).table().tableId());
      assertThat(scanAll(ddb, "orders_restored")).isEqualTo(original);
      TableAlreadyExistsException exists =
          catchThrowableOfType(
              TableAlreadyExistsException.class,
              () -> ddb.restoreTableFromBackup(r -> r.backupArn(arn).targetTableName("orders")));
      assertThat(exists.awsErrorDetails().errorMessage()).isEqualTo("Table already exists: orders");
      DynamoDbException badIndex =
          catchThrowableOfType(
              DynamoDbException.class,
              () ->
                  ddb.restoreTableFromBackup(
                      r ->
                          r.backupArn(arn)
                              .targetTableName("orders_x")
                              .globalSecondaryIndexOverride(
                                  software.amazon.awssdk.services.dynamodb.model
                                      .GlobalSecondaryIndex.builder()
                                      .indexName("no_such_index")
                                      .keySchema(
                                          software.amazon.awssdk.services.dynamodb.model
                                              .KeySchemaElement.builder()
                                              .attributeName("v")
                                              .keyType("HASH")
                                              .build())
                                      .projection(p -> p.projectionType("ALL"))
                                      .build())));
      assertThat(badIndex.awsErrorDetails().errorMessage())
          .isEqualTo(
              "Index no_such_index does not match a secondary index that existed in the source table"
                  + " and cannot be created during the restore operation");
      assertThat(ddb.listTables().tableNames()).doesNotContain("orders_x");
      BackupNotFoundException unknown =
          catchThrowableOfType(
              BackupNotFoundException.class,
              () ->
                  ddb.restoreTableFromBackup(
                      r -> r.backupArn(arn.replace("-", "-0")).targetTableName("orders_y")));
      assertThat(unknown.awsErrorDetails().errorCode()).isEqualTo("BackupNotFoundException");
    }
  }

  // Protects snapshot consistency: with a writer running, the backup equals the table at one
  // instant — every write up to some point, none after it, no torn items.
  @Test
  void backupUnderWritesIsOneInstant() throws Exception {
    try (LiveServer s = LiveServer.inMemory()) {
      DynamoDbClient ddb = s.client;
      ddb.createTable(ControlPlaneIntegrationTest.table("busy").build());
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong stamp = new AtomicLong();
      // key -> list of (stamp) written in order; one writer so stamps are in commit order.
      Map<String, List<Long>> history = new ConcurrentHashMap<>();
      Random random = new Random(42);
      Thread writer =
          new Thread(
              () -> {
                while (!stop.get()) {
                  long st = stamp.incrementAndGet();
                  String k = "k" + random.nextInt(40);
                  ddb.putItem(
                      r ->
                          r.tableName("busy")
                              .item(
                                  Map.of(
                                      "pk",
                                      AttributeValue.fromS(k),
                                      "sk",
                                      AttributeValue.fromN("0"),
                                      "stamp",
                                      AttributeValue.fromN(Long.toString(st)),
                                      "copy",
                                      AttributeValue.fromN(Long.toString(st)))));
                  history
                      .computeIfAbsent(k, x -> new java.util.concurrent.CopyOnWriteArrayList<>())
                      .add(st);
                }
              });
      writer.start();
      Thread.sleep(200);
      String arn = backupAndWait(ddb, "busy", "busy-bk");
      Thread.sleep(100);
      stop.set(true);
      writer.join();
      ddb.restoreTableFromBackup(r -> r.backupArn(arn).targetTableName("busy_restored"));
      waitActive(ddb, "busy_restored");
      Map<String, Map<String, AttributeValue>> restored = scanAll(ddb, "busy_restored");
      long cut =
          restored.values().stream()
              .mapToLong(i -> Long.parseLong(i.get("stamp").n()))
              .max()
              .orElse(0);
      assertThat(cut).as("the backup saw some writes").isPositive();
      assertThat(cut).as("writes continued after the backup").isLessThan(stamp.get());
      for (Map.Entry<String, List<Long>> e : history.entrySet()) {
        long expected =
            e.getValue().stream()
                .filter(st -> st <= cut)
                .mapToLong(Long::longValue)
                .max()
                .orElse(-1);
        Map<String, AttributeValue> got = restored.get(e.getKey() + "/0");
        if (expected < 0) {
          assertThat(got).as("key %s written only after the instant", e.getKey()).isNull();
        } else {
          assertThat(got).as("key %s", e.getKey()).isNotNull();
          assertThat(Long.parseLong(got.get("stamp").n()))
              .as("key %s", e.getKey())
              .isEqualTo(expected);
          assertThat(got.get("copy")).isEqualTo(got.get("stamp"));
        }
      }
    }
  }

  // Protects I3: backups outlive their table, and a fresh server with an empty data directory,
  // the same store and the same key, lists and restores them.
  @Test
  void backupsOutliveTableAndHost(@TempDir Path dir) throws Exception {
    Path backups = dir.resolve("backups");
    String arn;
    try (LiveServer s = LiveServer.start(dir.resolve("host1"), false, backups)) {
      DynamoDbClient ddb = s.client;
      ddb.createTable(ControlPlaneIntegrationTest.table("precious").build());
      for (int i = 0; i < 20; i++) {
        int sk = i;
        ddb.putItem(r -> r.tableName("precious").item(item("p", sk, "secret-" + sk)));
      }
      arn = backupAndWait(ddb, "precious", "precious-bk");
      ddb.deleteTable(r -> r.tableName("precious"));
      assertThat(ddb.listBackups(r -> r.tableName("precious")).backupSummaries()).hasSize(1);
      ddb.restoreTableFromBackup(r -> r.backupArn(arn).targetTableName("precious_again"));
      assertThat(waitActive(ddb, "precious_again").itemCount()).isEqualTo(20);
    }
    try (LiveServer fresh = LiveServer.start(dir.resolve("host2"), false, backups)) {
      DynamoDbClient ddb = fresh.client;
      assertThat(ddb.listTables().tableNames()).isEmpty();
      assertThat(ddb.listBackups(r -> r.backupType(BackupTypeFilter.ALL)).backupSummaries())
          .extracting(BackupSummary::backupArn)
          .containsExactly(arn);
      ddb.restoreTableFromBackup(r -> r.backupArn(arn).targetTableName("precious"));
      waitActive(ddb, "precious");
      assertThat(scanAll(ddb, "precious")).hasSize(20);
    }
  }

  // Protects encryption at rest: no known value appears in plaintext anywhere in the store.
  @Test
  void noPlaintextInStore(@TempDir Path dir) throws Exception {
    Path backups = dir.resolve("backups");
    try (LiveServer s = LiveServer.start(dir.resolve("data"), false, backups)) {
      DynamoDbClient ddb = s.client;
      ddb.createTable(ControlPlaneIntegrationTest.table("Confidential_Table").build());
      for (int i = 0; i < 30; i++) {
        int sk = i;
        ddb.putItem(
            r ->
                r.tableName("Confidential_Table")
                    .item(item("SSN-123-45-6789", sk, "TOP-SECRET-VALUE-" + sk)));
      }
      backupAndWait(ddb, "Confidential_Table", "bk-confidential");
    }
    List<Path> files = new ArrayList<>();
    try (var walk = Files.walk(backups)) {
      walk.filter(Files::isRegularFile).forEach(files::add);
    }
    assertThat(files).isNotEmpty();
    for (Path f : files) {
      String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
      assertThat(content)
          .as("file %s", f)
          .doesNotContain("TOP-SECRET-VALUE")
          .doesNotContain("SSN-123-45-6789")
          .doesNotContain("Confidential_Table");
    }
  }

  // Protects space sharing: many backups of an unchanged table store its data once.
  @Test
  void backupsOfStaticTableShareData(@TempDir Path dir) throws Exception {
    Path backups = dir.resolve("backups");
    try (LiveServer s = LiveServer.start(dir.resolve("data"), false, backups)) {
      DynamoDbClient ddb = s.client;
      ddb.createTable(ControlPlaneIntegrationTest.table("static_table").build());
      String blob = "z".repeat(2000);
      for (int i = 0; i < 1500; i++) {
        int sk = i;
        ddb.putItem(r -> r.tableName("static_table").item(item("p" + (sk % 50), sk, blob + sk)));
      }
      backupAndWait(ddb, "static_table", "first");
      long afterOne = dataBytes(backups);
      for (int i = 0; i < 9; i++) {
        ddb.putItem(r -> r.tableName("static_table").item(item("p1", 1, "changed")));
        backupAndWait(ddb, "static_table", "again-" + i);
      }
      long afterTen = dataBytes(backups);
      assertThat(afterOne).isGreaterThan(1_000_000);
      assertThat(afterTen).as("ten backups of a nearly static table").isLessThan(afterOne * 2);
    }
  }

  static long dataBytes(Path backups) throws IOException {
    try (var walk = Files.walk(backups)) {
      return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  // Protects I7 on restore: a corrupted data object fails the restore, naming nothing half-made:
  // the target table never becomes ACTIVE and is gone afterwards.
  @Test
  void corruptBackupCreatesNoTable(@TempDir Path dir) throws Exception {
    Path backups = dir.resolve("backups");
    try (LiveServer s = LiveServer.start(dir.resolve("data"), false, backups)) {
      DynamoDbClient ddb = s.client;
      ddb.createTable(ControlPlaneIntegrationTest.table("fragile").build());
      for (int i = 0; i < 50; i++) {
        int sk = i;
        ddb.putItem(r -> r.tableName("fragile").item(item("p", sk, "v" + sk)));
      }
      String arn = backupAndWait(ddb, "fragile", "fragile-bk");
      Path data;
      try (var walk = Files.walk(backups.resolve("tables"))) {
        data =
            walk.filter(p -> p.getParent().getFileName().toString().equals("data"))
                .findFirst()
                .orElseThrow();
      }
      byte[] bytes = Files.readAllBytes(data);
      bytes[bytes.length / 2] ^= 0x01;
      Files.write(data, bytes);
      ddb.restoreTableFromBackup(r -> r.backupArn(arn).targetTableName("fragile_restored"));
      for (int i = 0; i < 500; i++) {
        TableStatus status;
        try {
          status = ddb.describeTable(r -> r.tableName("fragile_restored")).table().tableStatus();
        } catch (ResourceNotFoundException gone) {
          break;
        }
        assertThat(status)
            .as("a restore that fails never becomes ACTIVE")
            .isEqualTo(TableStatus.CREATING);
        Thread.sleep(20);
      }
      assertThat(ddb.listTables().tableNames()).doesNotContain("fragile_restored");
      catchThrowableOfType(
          ResourceNotFoundException.class,
          () -> ddb.describeTable(r -> r.tableName("fragile_restored")));
    }
  }

  // Protects ListBackups paging with Limit, ExclusiveStartBackupArn and LastEvaluatedBackupArn.
  @Test
  void listBackupsPages() throws Exception {
    try (LiveServer s = LiveServer.inMemory()) {
      DynamoDbClient ddb = s.client;
      ddb.createTable(ControlPlaneIntegrationTest.table("paged").build());
      List<String> created = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        created.add(backupAndWait(ddb, "paged", "paged-" + i));
      }
      List<String> seen = new ArrayList<>();
      String start = null;
      int pages = 0;
      do {
        String from = start;
        var page =
            ddb.listBackups(r -> r.tableName("paged").limit(2).exclusiveStartBackupArn(from));
        page.backupSummaries().forEach(b -> seen.add(b.backupArn()));
        start = page.lastEvaluatedBackupArn();
        pages++;
      } while (start != null);
      assertThat(seen).containsExactlyElementsOf(created);
      assertThat(pages).isEqualTo(3);
    }
  }
}
