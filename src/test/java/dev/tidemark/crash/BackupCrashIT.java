package dev.tidemark.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BackupNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.BackupStatus;
import software.amazon.awssdk.services.dynamodb.model.BackupTypeFilter;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * kill -9 in the middle of a backup and of a restore: after restart a backup is complete or does
 * not exist, and a restore's table is complete or does not exist (invariant I4).
 */
class BackupCrashIT {
  private static final int ITEMS = 6000;

  private static void fill(DynamoDbClient c) throws Exception {
    c.createTable(
        r ->
            r.tableName("big")
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                    AttributeDefinition.builder()
                        .attributeName("pk")
                        .attributeType(ScalarAttributeType.S)
                        .build())
                .keySchema(
                    KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build()));
    String blob = "b".repeat(3000);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> futures = new ArrayList<>();
    for (int w = 0; w < 8; w++) {
      int writer = w;
      futures.add(
          pool.submit(
              () -> {
                for (int i = writer; i < ITEMS; i += 8) {
                  int n = i;
                  c.putItem(
                      p ->
                          p.tableName("big")
                              .item(
                                  Map.of(
                                      "pk",
                                      AttributeValue.fromS("item-" + n),
                                      "blob",
                                      AttributeValue.fromS(blob + n))));
                }
              }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    pool.shutdown();
  }

  // Protects backup crash safety: a backup cut by kill -9 is never listed as AVAILABLE while
  // incomplete; any backup that is listed restores completely.
  @Test
  void killDuringBackupAndRestore(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    Path backups = dir.resolve("backups");
    int port = ServerProcess.freePort();
    String[] flags = {"--backup-dir", backups.toString()};
    String killedBackup;
    ServerProcess server = ServerProcess.start(data, port, flags);
    try (DynamoDbClient c = server.client()) {
      fill(c);
      killedBackup =
          c.createBackup(r -> r.tableName("big").backupName("cut-short"))
              .backupDetails()
              .backupArn();
      server.kill();
    }
    String goodBackup;
    server = ServerProcess.start(data, port, flags);
    try (DynamoDbClient c = server.client()) {
      boolean listed =
          c.listBackups(r -> r.backupType(BackupTypeFilter.ALL)).backupSummaries().stream()
              .anyMatch(b -> b.backupArn().equals(killedBackup));
      System.out.println(
          "BackupCrashIT: backup cut by kill -9 " + (listed ? "had completed" : "was discarded"));
      if (listed) {
        assertThat(
                c.describeBackup(r -> r.backupArn(killedBackup))
                    .backupDescription()
                    .backupDetails()
                    .backupStatus())
            .isEqualTo(BackupStatus.AVAILABLE);
      } else {
        try {
          c.describeBackup(r -> r.backupArn(killedBackup));
          throw new AssertionError("an interrupted backup must not be described");
        } catch (BackupNotFoundException expected) {
          // the interrupted backup was discarded
        }
      }
      goodBackup =
          c.createBackup(r -> r.tableName("big").backupName("complete"))
              .backupDetails()
              .backupArn();
      waitAvailable(c, goodBackup);
      c.restoreTableFromBackup(r -> r.backupArn(goodBackup).targetTableName("big_restored"));
      server.kill();
    }
    server = ServerProcess.start(data, port, flags);
    try (DynamoDbClient c = server.client()) {
      boolean survived = c.listTables().tableNames().contains("big_restored");
      System.out.println(
          "BackupCrashIT: restore cut by kill -9 "
              + (survived ? "had completed" : "left no table"));
      if (survived) {
        assertThat(c.describeTable(r -> r.tableName("big_restored")).table().tableStatus())
            .isEqualTo(TableStatus.ACTIVE);
        assertThat(c.scan(r -> r.tableName("big_restored").select("COUNT")).count()).isPositive();
        c.deleteTable(r -> r.tableName("big_restored"));
      }
      c.restoreTableFromBackup(r -> r.backupArn(goodBackup).targetTableName("big_restored"));
      for (int i = 0; i < 1500; i++) {
        if (c.describeTable(r -> r.tableName("big_restored")).table().tableStatus()
            == TableStatus.ACTIVE) {
          break;
        }
        Thread.sleep(20);
      }
      assertThat(c.describeTable(r -> r.tableName("big_restored")).table().itemCount())
          .isEqualTo(ITEMS);
      int counted = 0;
      for (var page : c.scanPaginator(r -> r.tableName("big_restored").select("COUNT"))) {
        counted += page.count();
      }
      assertThat(counted).isEqualTo(ITEMS);
    } finally {
      server.close();
    }
    assertThat(
            Files.exists(data.resolve("scratch")) ? Files.list(data.resolve("scratch")).count() : 0)
        .as("no restore scratch files are left behind")
        .isZero();
  }

  private static void waitAvailable(DynamoDbClient c, String arn) throws InterruptedException {
    for (int i = 0; i < 1500; i++) {
      if (c.describeBackup(r -> r.backupArn(arn)).backupDescription().backupDetails().backupStatus()
          == BackupStatus.AVAILABLE) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("backup did not become AVAILABLE: " + arn);
  }
}
