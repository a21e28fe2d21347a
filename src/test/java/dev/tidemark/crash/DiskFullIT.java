package dev.tidemark.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BackupNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * Issue 18, a full disk as an operator meets it: the data directory, and separately the backup
 * store, on a small tmpfs this test mounts (skipped with the reason where it cannot mount), filled
 * under a steady PutItem load.
 *
 * <p>Protects: writes refused with the retryable ServiceUnavailable (HTTP 503) and a message saying
 * what is wrong, never InternalServerError; reads, DescribeTable and DeleteTable working while
 * full; one log warning per episode; a restart, and a kill -9, on a full volume; writes resuming by
 * themselves when space is freed; every acknowledged write present afterwards; a backup that runs
 * out of space leaving nothing behind; the PITR archive falling behind without losing records and
 * catching up.
 */
class DiskFullIT {
  private static final String DATA_FULL =
      "The data directory's disk is full; writes resume when space is freed.";
  private static final String STORE_FULL =
      "The backup store's disk is full; backups resume when space is freed.";

  /** PutItem from several threads; remembers exactly what was acknowledged. */
  private static final class Load implements AutoCloseable {
    final Map<String, String> acked = new ConcurrentHashMap<>();
    final Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
    final AtomicBoolean stop = new AtomicBoolean();
    final List<Thread> threads = new ArrayList<>();

    Load(ServerProcess server, String table, String prefix, int valueBytes, int writers) {
      for (int w = 0; w < writers; w++) {
        int id = w;
        Thread t =
            new Thread(
                () -> {
                  Random random = new Random(id);
                  byte[] raw = new byte[valueBytes / 2];
                  try (DynamoDbClient c = server.client()) {
                    for (long n = 0; !stop.get(); n++) {
                      String key = prefix + "-" + id + "-" + n;
                      random.nextBytes(raw);
                      // Random, so that compression cannot make the disk look larger than it is.
                      String value = HexFormat.of().formatHex(raw);
                      try {
                        c.putItem(
                            r ->
                                r.tableName(table)
                                    .item(
                                        Map.of(
                                            "pk", AttributeValue.fromS(key),
                                            "v", AttributeValue.fromS(value))));
                        acked.put(key, value);
                        count("200");
                      } catch (AwsServiceException e) {
                        count(e.statusCode() + " " + e.awsErrorDetails().errorCode());
                        if (e.statusCode() == 503
                            && !DATA_FULL.equals(e.awsErrorDetails().errorMessage())) {
                          count("unexpected message: " + e.awsErrorDetails().errorMessage());
                        }
                        sleep(20);
                      } catch (RuntimeException e) {
                        // The server was killed under us: nothing was acknowledged.
                        count("io");
                        sleep(50);
                      }
                    }
                  }
                },
                "disk-full-writer-" + w);
        threads.add(t);
        t.start();
      }
    }

    void count(String outcome) {
      outcomes.computeIfAbsent(outcome, k -> new AtomicLong()).incrementAndGet();
    }

    long count(String outcome, boolean reset) {
      AtomicLong n = outcomes.get(outcome);
      return n == null ? 0 : reset ? n.getAndSet(0) : n.get();
    }

    /** Every answer was a success or the documented refusal: no 500, no other message. */
    void assertOnlyExpectedOutcomes() {
      assertThat(outcomes.keySet())
          .as("outcomes %s", outcomes)
          .allMatch(o -> o.equals("200") || o.equals("503 ServiceUnavailable") || o.equals("io"));
    }

    @Override
    public void close() {
      stop.set(true);
      for (Thread t : threads) {
        try {
          t.join(30_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  @Test
  void dataDirectoryFull(@TempDir Path dir) throws Exception {
    try (SmallVolume vol = SmallVolume.mount(dir.resolve("vol"), 96)) {
      Path data = vol.dir().resolve("data");
      Path log = dir.resolve("server.log");
      int port = ServerProcess.freePort();
      String[] args = {
        "--min-free-space", "16m", "--backup-dir", dir.resolve("backups").toString()
      };
      ServerProcess server = ServerProcess.start(data, log, port, args);
      Map<String, String> acked = new ConcurrentHashMap<>();
      try (DynamoDbClient c = server.client()) {
        ServerProcess.createTable(c, "disk");
        ServerProcess.createTable(c, "spare");
        Load load = new Load(server, "disk", "a", 1024, 4);
        waitFor("first writes", () -> load.acked.size() > 200);
        // Below the reserve, but not empty: the refusal must come from the guard.
        vol.fillLeaving(8L << 20);
        waitFor(
            "ServiceUnavailable answers", () -> load.count("503 ServiceUnavailable", false) > 5);
        String someKey = load.acked.keySet().iterator().next();
        // Reads, DescribeTable and DeleteTable keep working; a new table is refused.
        assertThat(
                c.getItem(r -> r.tableName("disk").key(key(someKey)).consistentRead(true)).item())
            .containsEntry("v", AttributeValue.fromS(load.acked.get(someKey)));
        assertThat(c.scan(r -> r.tableName("disk").limit(10)).items()).hasSize(10);
        assertThat(
                c.query(
                        r ->
                            r.tableName("disk")
                                .keyConditionExpression("pk = :k")
                                .expressionAttributeValues(
                                    Map.of(":k", AttributeValue.fromS(someKey))))
                    .count())
            .isEqualTo(1);
        assertThat(c.describeTable(r -> r.tableName("disk")).table().tableStatus())
            .isEqualTo(TableStatus.ACTIVE);
        c.deleteTable(r -> r.tableName("spare"));
        assertThatThrownBy(() -> ServerProcess.createTable(c, "another"))
            .isInstanceOfSatisfying(
                AwsServiceException.class,
                e -> {
                  assertThat(e.statusCode()).isEqualTo(503);
                  assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ServiceUnavailable");
                  assertThat(e.awsErrorDetails().errorMessage()).isEqualTo(DATA_FULL);
                });

        // kill -9 while full and under load, then take the last byte: the restart must still work.
        server.kill();
        load.close();
        vol.fillLeaving(0);
        server = ServerProcess.start(data, log, port, args);
        // The restart released the reserve file, and RocksDB gave back the unused tail of its
        // preallocated log: there may be room now, so fill again below the reserve.
        Load during = new Load(server, "disk", "b", 1024, 2);
        vol.fillLeaving(8L << 20);
        waitFor(
            "refusals after the restart", () -> during.count("503 ServiceUnavailable", false) > 5);
        during.close();
        load.assertOnlyExpectedOutcomes();
        during.assertOnlyExpectedOutcomes();
        acked.putAll(load.acked);
        acked.putAll(during.acked);
        verify(server, "disk", acked);

        // The operator frees space: writes resume without a restart.
        vol.freeFillers();
        Load after = new Load(server, "disk", "c", 1024, 4);
        waitFor("writes after space was freed", () -> after.acked.size() > 200);
        after.close();
        after.assertOnlyExpectedOutcomes();
        acked.putAll(after.acked);
        verify(server, "disk", acked);
      } finally {
        server.close();
      }
      // And after a clean restart.
      try (ServerProcess again = ServerProcess.start(data, log, port, args)) {
        verify(again, "disk", acked);
        assertThat(Files.readString(log)).contains("released");
        long warnings =
            Files.readAllLines(log).stream()
                .filter(l -> l.contains("WARN") && l.contains("data directory's disk is full"))
                .count();
        // One episode before the kill, one in the restarted server: never one per request.
        assertThat(warnings).isEqualTo(2);
        assertThat(Files.readString(log)).doesNotContain("failed unexpectedly");
      }
    }
  }

  @Test
  void storageEngineOutOfSpaceIsTheSameRetryableRefusal(@TempDir Path dir) throws Exception {
    try (SmallVolume vol = SmallVolume.mount(dir.resolve("vol"), 64)) {
      Path data = vol.dir().resolve("data");
      Path log = dir.resolve("server.log");
      int port = ServerProcess.freePort();
      // No reserve: the disk fills under RocksDB itself, which must still be answered with 503.
      String[] args = {"--min-free-space", "0", "--backup-dir", dir.resolve("backups").toString()};
      Load load;
      boolean resumed;
      try (ServerProcess server = ServerProcess.start(data, log, port, args);
          DynamoDbClient c = server.client()) {
        ServerProcess.createTable(c, "enospc");
        vol.fillLeaving(1L << 20);
        load = new Load(server, "enospc", "a", 60_000, 4);
        waitFor("ENOSPC refusals", () -> load.count("503 ServiceUnavailable", false) > 5);
        vol.freeFillers();
        long before = load.acked.size();
        // Usually RocksDB resumes by itself once there is room. In about one run in five here it
        // has recorded the failed WAL append as an error no free space undoes (a WAL sync that
        // raced the failed append is the suspect); the server then says a restart is needed, and
        // that path must keep every acknowledged write too.
        resumed = waitUntil(() -> load.acked.size() > before + 20);
        load.close();
        load.assertOnlyExpectedOutcomes();
        if (resumed) {
          verify(server, "enospc", load.acked);
        }
      }
      assertThat(Files.readString(log))
          .contains("the storage engine reported that the disk is full");
      assertThat(Files.readString(log)).doesNotContain("failed unexpectedly");
      if (!resumed) {
        assertThat(Files.readString(log)).contains("restart Tidemark to resume writes");
        try (ServerProcess restarted =
            ServerProcess.start(data, dir.resolve("restart.log"), ServerProcess.freePort(), args)) {
          Load after = new Load(restarted, "enospc", "b", 60_000, 2);
          try {
            waitFor("writes after the restart", () -> after.acked.size() > 20);
          } finally {
            after.close();
          }
          after.assertOnlyExpectedOutcomes();
          Map<String, String> all = new java.util.HashMap<>(load.acked);
          all.putAll(after.acked);
          verify(restarted, "enospc", all);
        }
      }
    }
  }

  private static boolean waitUntil(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(50);
    }
    return true;
  }

  @Test
  void backupStoreFull(@TempDir Path dir) throws Exception {
    try (SmallVolume vol = SmallVolume.mount(dir.resolve("store"), 40)) {
      Path store = vol.dir().resolve("backups");
      Path log = dir.resolve("server.log");
      int port = ServerProcess.freePort();
      try (ServerProcess server =
              ServerProcess.start(
                  dir.resolve("data"),
                  log,
                  port,
                  "--min-free-space",
                  "8m",
                  "--backup-dir",
                  store.toString(),
                  "--backup-key-file",
                  writeKey(dir).toString(),
                  // Short, so that records the archiver has not shipped would be gone if
                  // retention did not wait for it.
                  "--change-log-retention",
                  "1s");
          DynamoDbClient c = server.client()) {
        ServerProcess.createTable(c, "big");
        try (Load big = new Load(server, "big", "big", 60_000, 4)) {
          waitFor("a table larger than the store's room", () -> big.acked.size() >= 250);
        }
        String bigId = c.describeTable(r -> r.tableName("big")).table().tableId();

        // A backup that runs out of space half way is discarded and leaves nothing behind.
        vol.fillLeaving(10L << 20);
        String arn =
            c.createBackup(r -> r.tableName("big").backupName("too-big"))
                .backupDetails()
                .backupArn();
        waitFor(
            "the backup to be discarded",
            () -> {
              try {
                c.describeBackup(r -> r.backupArn(arn));
                return false;
              } catch (BackupNotFoundException e) {
                return true;
              }
            });
        try (Stream<Path> files = Files.walk(store)) {
          assertThat(files.map(Path::toString))
              .noneMatch(f -> f.contains("/.tmp-"))
              .noneMatch(f -> f.contains("/tables/" + bigId + "/data/"));
        }
        ServerProcess.createTable(c, "pitr");
        // The failed backup filled the store for a moment; the client retries until the guard
        // has seen the space come back.
        waitFor(
            "PITR enabled",
            () -> {
              try {
                c.updateContinuousBackups(
                    r ->
                        r.tableName("pitr")
                            .pointInTimeRecoverySpecification(
                                p -> p.pointInTimeRecoveryEnabled(true)));
                return true;
              } catch (AwsServiceException e) {
                assertThat(e.awsErrorDetails().errorMessage()).isEqualTo(STORE_FULL);
                return false;
              }
            });

        // Below the reserve: backups are refused up front; writes to tables go on.
        vol.fillLeaving(4L << 20);
        waitFor(
            "backups refused",
            () -> {
              try {
                c.createBackup(r -> r.tableName("pitr").backupName("refused"));
                return false;
              } catch (AwsServiceException e) {
                assertThat(e.statusCode()).isEqualTo(503);
                assertThat(e.awsErrorDetails().errorMessage()).isEqualTo(STORE_FULL);
                return true;
              }
            });
        // Full to the last byte: the PITR archive falls behind, writes still succeed.
        vol.fillLeaving(0);
        Load writes = new Load(server, "pitr", "p", 2048, 2);
        waitFor("writes while the store is full", () -> writes.acked.size() > 300);
        writes.close();
        writes.assertOnlyExpectedOutcomes();
        Instant lastWrite = Instant.now();
        Thread.sleep(2_500);
        assertThat(latestRestorable(c)).isBefore(lastWrite);
        assertThat(Files.readString(log)).contains("LatestRestorableDateTime stops advancing");

        // Space returns: the archive catches up, and a restore of the latest instant has every
        // acknowledged write, although retention (1 s) would long have trimmed them.
        vol.freeFillers();
        waitFor("the archive to catch up", () -> latestRestorable(c).isAfter(lastWrite));
        c.restoreTableToPointInTime(
            r ->
                r.sourceTableName("pitr")
                    .targetTableName("pitr-restored")
                    .useLatestRestorableTime(true));
        waitFor(
            "the restore",
            () ->
                c.describeTable(r -> r.tableName("pitr-restored")).table().tableStatus()
                    == TableStatus.ACTIVE);
        verifyTable(c, "pitr-restored", writes.acked);
        long warnings =
            Files.readAllLines(log).stream()
                .filter(l -> l.contains("PITR archiving of table pitr fails"))
                .count();
        assertThat(warnings).isEqualTo(1);
      }
    }
  }

  private static Instant latestRestorable(DynamoDbClient c) {
    return c.describeContinuousBackups(r -> r.tableName("pitr"))
        .continuousBackupsDescription()
        .pointInTimeRecoveryDescription()
        .latestRestorableDateTime();
  }

  private static Path writeKey(Path dir) throws Exception {
    byte[] key = new byte[32];
    new Random(18).nextBytes(key);
    Path file = dir.resolve("backup.key");
    Files.writeString(file, java.util.Base64.getEncoder().encodeToString(key));
    return file;
  }

  private static Map<String, AttributeValue> key(String k) {
    return Map.of("pk", AttributeValue.fromS(k));
  }

  private static void verify(ServerProcess server, String table, Map<String, String> acked) {
    try (DynamoDbClient c = server.client()) {
      verifyTable(c, table, acked);
    }
  }

  private static void verifyTable(DynamoDbClient c, String table, Map<String, String> acked) {
    assertThat(acked).isNotEmpty();
    Map<String, String> found = new ConcurrentHashMap<>();
    c.scanPaginator(r -> r.tableName(table).consistentRead(true))
        .items()
        .forEach(i -> found.put(i.get("pk").s(), i.get("v").s()));
    for (Map.Entry<String, String> e : acked.entrySet()) {
      assertThat(found.get(e.getKey()))
          .as("acknowledged write %s", e.getKey())
          .isEqualTo(e.getValue());
    }
  }

  private static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("gave up waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
