package dev.tidemark.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.backup.BackupRepository;
import dev.tidemark.backup.crypto.KeyManager;
import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.keys.StoreKeys;
import dev.tidemark.backup.store.DirectoryObjectStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BackupSummary;
import software.amazon.awssdk.services.dynamodb.model.BackupTypeFilter;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * Issue 19, rule 3 end to end: {@code tidemark backup rotate-key} runs (as its own process) while
 * the server keeps backing up and archiving PITR, and is killed with SIGKILL at random points; each
 * time the store must still be readable with its current key. Then the rotation completes, the
 * server is killed too and restarted on the new key, and finally a fresh server with an empty data
 * directory and only the new key restores and verifies every backup and the PITR window. Kills:
 * {@code -Dcrash.rotate.kills} (default 2), seed {@code -Dcrash.seed}.
 */
class KeyRotationCrashIT {
  private static final String JAR = System.getProperty("tidemark.jar", "target/tidemark.jar");

  @Test
  void rotationSurvivesKillNineUnderBackupsAndPitr(@TempDir Path dir) throws Exception {
    long seed = Long.getLong("crash.seed", System.nanoTime());
    int kills = Integer.getInteger("crash.rotate.kills", 2);
    System.out.println("KeyRotationCrashIT seed=" + seed + " kills=" + kills);
    try {
      run(dir, new Random(seed), kills);
    } catch (Throwable t) {
      throw new AssertionError("KeyRotationCrashIT failed with seed " + seed, t);
    }
  }

  private void run(Path dir, Random random, int kills) throws Exception {
    Path backups = dir.resolve("backups");
    Path oldKeyFile = dir.resolve("old.key");
    Path newKeyFile = dir.resolve("new.key");
    SymmetricKey oldKey = SymmetricKey.random();
    KeyManager.writeKeyFile(oldKeyFile, oldKey);
    int port = ServerProcess.freePort();
    ServerProcess server = start(dir.resolve("data"), port, backups, oldKeyFile);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger backupsMade = new AtomicInteger();
    Thread load;
    try (DynamoDbClient c = server.client()) {
      for (String t : List.of("pitr_tbl", "bk_one", "bk_two")) {
        ServerProcess.createTable(c, t);
        for (int i = 0; i < 20; i++) {
          put(c, t, "k" + i);
        }
      }
      c.updateContinuousBackups(
          r ->
              r.tableName("pitr_tbl")
                  .pointInTimeRecoverySpecification(p -> p.pointInTimeRecoveryEnabled(true)));
      load = startLoad(port, stop, backupsMade);
      for (int k = 0; k < kills; k++) {
        if (Files.exists(newKeyFile)
            && currentKey(backups).equals(KeyManager.readKeyFile(newKeyFile).id())) {
          break; // A kill landed after the commit: the rotation is complete.
        }
        Process rotate = rotate(backups, oldKeyFile, newKeyFile);
        awaitLine(rotate, "1/4");
        // The steps take about 150 ms each (5 of them): kills land before, inside and after the
        // commit.
        Thread.sleep(random.nextInt(900));
        rotate.destroyForcibly();
        rotate.waitFor();
        // Whatever step the kill cut: the store's current key reads every backup there is.
        assertEverythingReadable(backups, oldKeyFile, newKeyFile);
        DirectoryObjectStore store = DirectoryObjectStore.forReading(backups);
        System.out.printf(
            "kill %d: current key %s, %d key objects, %d re-wrapped table keys%n",
            k + 1,
            currentKey(backups),
            store.list("keys/").size(),
            store.list("tables/").stream().filter(n -> n.contains("/keys/")).count());
      }
      Process rotate = rotate(backups, oldKeyFile, newKeyFile);
      assertThat(rotate.waitFor()).as("the resumed rotation completes").isZero();
      assertThat(currentKey(backups)).isEqualTo(KeyManager.readKeyFile(newKeyFile).id());
      // The server still writes with the old key until restarted; then kill -9 it mid-load.
      Thread.sleep(300 + random.nextInt(300));
      server.kill();
    }
    stop.set(true);
    load.join();
    // The same data directory on the new key: the store now requires it.
    server = start(dir.resolve("data"), port, backups, newKeyFile);
    stop.set(false);
    load = startLoad(port, stop, backupsMade);
    Thread.sleep(400);
    server.kill();
    stop.set(true);
    load.join();
    assertEverythingReadable(backups, oldKeyFile, newKeyFile);

    // A fresh host: empty data directory, the store, and only the new key.
    try (ServerProcess fresh = start(dir.resolve("fresh"), port, backups, newKeyFile);
        DynamoDbClient c = fresh.client()) {
      List<BackupSummary> all =
          c.listBackups(r -> r.backupType(BackupTypeFilter.ALL)).backupSummaries();
      assertThat(all).noneMatch(b -> b.backupName().startsWith("UNREADABLE"));
      assertThat(all.size()).as("backups made before and after the rotation").isGreaterThan(3);
      int n = 0;
      for (BackupSummary b : all) {
        String target = "restored_" + n++;
        long items =
            c.describeBackup(r -> r.backupArn(b.backupArn()))
                .backupDescription()
                .sourceTableDetails()
                .itemCount();
        c.restoreTableFromBackup(r -> r.backupArn(b.backupArn()).targetTableName(target));
        awaitActive(c, target);
        assertThat((long) c.scan(r -> r.tableName(target)).count()).isEqualTo(items);
      }
      String tableArn = "arn:aws:dynamodb:us-east-1:000000000000:table/pitr_tbl";
      c.restoreTableToPointInTime(
          r ->
              r.sourceTableArn(tableArn)
                  .targetTableName("pitr_latest")
                  .useLatestRestorableTime(true));
      awaitActive(c, "pitr_latest");
      assertThat(c.scan(r -> r.tableName("pitr_latest")).count()).isGreaterThanOrEqualTo(20);
    }
  }

  private static ServerProcess start(Path data, int port, Path backups, Path key) throws Exception {
    return ServerProcess.start(
        data, port, "--backup-dir", backups.toString(), "--backup-key-file", key.toString());
  }

  /** Writes to the PITR table and takes backups of the others until told to stop. */
  private static Thread startLoad(int port, AtomicBoolean stop, AtomicInteger made) {
    Thread t =
        new Thread(
            () -> {
              try (DynamoDbClient c = clientFor(port)) {
                int i = 0;
                while (!stop.get()) {
                  put(c, "pitr_tbl", "load" + i);
                  if (i++ % 10 == 0) {
                    String table = i % 20 == 1 ? "bk_one" : "bk_two";
                    c.createBackup(r -> r.tableName(table).backupName("load-" + made.get()));
                    made.incrementAndGet();
                  }
                  Thread.sleep(20);
                }
              } catch (Exception e) {
                // The server was killed under us: expected.
              }
            },
            "rotation-load");
    t.start();
    return t;
  }

  private static DynamoDbClient clientFor(int port) {
    return software.amazon.awssdk.services.dynamodb.DynamoDbClient.builder()
        .endpointOverride(java.net.URI.create("http://127.0.0.1:" + port))
        .region(software.amazon.awssdk.regions.Region.US_EAST_1)
        .credentialsProvider(
            software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("x", "x")))
        .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
        .build();
  }

  private static Process rotate(Path backups, Path oldKey, Path newKey) throws Exception {
    return new ProcessBuilder(
            "java",
            "-Xmx128m",
            "-Dtidemark.keys.rotation-pause-ms=150",
            "-jar",
            JAR,
            "backup",
            "rotate-key",
            "--backup-dir",
            backups.toString(),
            "--backup-key-file",
            oldKey.toString(),
            "--new-key-file",
            newKey.toString())
        .redirectErrorStream(true)
        .start();
  }

  private static void awaitLine(Process p, String marker) throws Exception {
    BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    List<String> seen = new ArrayList<>();
    for (String line = r.readLine(); line != null; line = r.readLine()) {
      seen.add(line);
      if (line.startsWith(marker)) {
        // Keep draining so the child never blocks on a full pipe.
        Thread drain = new Thread(() -> r.lines().forEach(l -> {}));
        drain.setDaemon(true);
        drain.start();
        return;
      }
    }
    throw new AssertionError("rotate-key ended before '" + marker + "': " + seen);
  }

  private static String currentKey(Path backups) throws Exception {
    return StoreKeys.inspect(DirectoryObjectStore.forReading(backups))
        .current()
        .orElseThrow()
        .keyId();
  }

  /** The store's current key (old or new) verifies every backup; every PITR state decrypts. */
  private static void assertEverythingReadable(Path backups, Path oldKeyFile, Path newKeyFile)
      throws Exception {
    DirectoryObjectStore store = DirectoryObjectStore.forReading(backups);
    String current = currentKey(backups);
    SymmetricKey key = KeyManager.readKeyFile(oldKeyFile);
    if (!key.id().equals(current)) {
      key = KeyManager.readKeyFile(newKeyFile);
    }
    assertThat(key.id()).isEqualTo(current);
    BackupRepository repo = new BackupRepository(store, StoreKeys.ring(store, key));
    for (String m : repo.listManifests()) {
      assertThat(repo.verify(m).ok()).as("%s with key %s", m, key.id()).isTrue();
    }
    for (String name : store.list("pitr/")) {
      if (name.contains("/state/")) {
        String uuid = name.split("/")[1];
        assertThat(repo.getTableObject(uuid, name)).isNotEmpty();
      }
    }
  }

  private static void put(DynamoDbClient c, String table, String pk) {
    c.putItem(
        r ->
            r.tableName(table)
                .item(
                    Map.of(
                        "pk",
                        AttributeValue.fromS(pk),
                        "v",
                        AttributeValue.fromS("value of " + pk))));
  }

  private static void awaitActive(DynamoDbClient c, String table) throws Exception {
    for (int i = 0; i < 1500; i++) {
      if (c.describeTable(r -> r.tableName(table)).table().tableStatus() == TableStatus.ACTIVE) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError(table + " did not become ACTIVE");
  }
}
