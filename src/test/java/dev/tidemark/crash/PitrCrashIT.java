package dev.tidemark.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.PointInTimeRecoveryDescription;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * Point-in-time recovery under SIGKILL in sync mode. Concurrent writers record every acknowledged
 * put, delete and counter increment; the server is killed mid-load several times. After each
 * restart the archive must reach past the kill, and a restore to the latest restorable time must
 * hold every acknowledged write and equal the live table exactly (no write is lost or doubled
 * across the kill: the archive has no gap). At the end, restores to an instant right after each
 * kill must equal the table as it was found after that kill. Cycles and seed come from {@code
 * -Dcrash.pitr.cycles} (default 3) and {@code -Dcrash.seed}.
 */
class PitrCrashIT {
  private static final int WRITERS = 6;
  private static final String TABLE = "ledger";
  private static final String DELETED = "\u0000deleted";

  /** What the test knows for sure, shared by the writers. */
  static final class Known {
    /** Key to acknowledged value, or {@link #DELETED}: the last acknowledged write of each key. */
    final Map<String, String> acked = new ConcurrentHashMap<>();

    /** Per writer: the key and value of a write sent but not answered (at most one). */
    final String[][] inFlight = new String[WRITERS][];

    final long[] counterAcked = new long[WRITERS];
    final long[] counterAttempted = new long[WRITERS];
    final AtomicLong ackedOps = new AtomicLong();
  }

  // Protects I2 and I5 together: every write acknowledged before a kill -9 is in a restore to the
  // latest restorable time after restart, and the archive has no gap across kills.
  @Test
  void restoresAfterKillNineHoldEveryAcknowledgedWrite(@TempDir Path dir) throws Exception {
    long seed = Long.getLong("crash.seed", System.nanoTime());
    int cycles = Integer.getInteger("crash.pitr.cycles", 3);
    System.out.println("PitrCrashIT seed=" + seed + " cycles=" + cycles);
    try {
      run(dir, seed, cycles);
    } catch (Throwable t) {
      throw new AssertionError(
          "PitrCrashIT failed with seed " + seed + " (rerun with -Dcrash.seed=" + seed + ")", t);
    }
  }

  private static ServerProcess start(Path dir, int port) throws Exception {
    return ServerProcess.start(
        dir.resolve("data"),
        port,
        "--durability",
        "sync",
        "--backup-dir",
        dir.resolve("backups").toString());
  }

  private void run(Path dir, long seed, int cycles) throws Exception {
    Random random = new Random(seed);
    int port = ServerProcess.freePort();
    Known known = new Known();
    List<Long> deadAt = new ArrayList<>();
    List<Map<String, String>> foundAfterKill = new ArrayList<>();
    long checkedWrites = 0;
    int restores = 0;
    Instant earliest;

    try (ServerProcess first = start(dir, port);
        DynamoDbClient c = first.client()) {
      createTable(c);
      c.updateContinuousBackups(
          r ->
              r.tableName(TABLE)
                  .pointInTimeRecoverySpecification(p -> p.pointInTimeRecoveryEnabled(true)));
      earliest = pitr(c).earliestRestorableDateTime();
      first.kill();
    }
    for (int cycle = 0; cycle <= cycles; cycle++) {
      ServerProcess server = start(dir, port);
      try (server;
          DynamoDbClient c = server.client()) {
        // After the restart nothing writes until the checks are done: the live table is the truth
        // for writes whose answer the kill cut off, and a restore must equal it.
        Map<String, String> live = scan(c, TABLE);
        settleInFlight(known, live, c);
        checkedWrites += checkAcked(known, live, seed, cycle, "live table");
        assertThat(pitr(c).earliestRestorableDateTime())
            .as("seed %d: the window survives the kill", seed)
            .isEqualTo(earliest);
        if (cycle > 0) {
          foundAfterKill.add(live);
          awaitLatestPast(c, deadAt.get(cycle - 1));
          String target = "latest_" + cycle;
          c.restoreTableToPointInTime(
              r -> r.sourceTableName(TABLE).targetTableName(target).useLatestRestorableTime(true));
          Map<String, String> restored = waitAndScan(c, target);
          restores++;
          checkedWrites += checkAcked(known, restored, seed, cycle, "restore to latest");
          assertThat(restored)
              .as("seed %d, cycle %d: the restore equals the live table (no gap)", seed, cycle)
              .isEqualTo(live);
          for (int w = 0; w < WRITERS; w++) {
            assertThat(countByWriter(c, target, w))
                .as("seed %d, cycle %d: GSI entries of writer %d", seed, cycle, w)
                .isEqualTo(countByWriter(c, TABLE, w));
          }
          c.deleteTable(r -> r.tableName(target));
        }
        if (cycle == cycles) {
          // Restores to an instant right after each kill equal the table found after it.
          for (int k = 0; k < deadAt.size(); k++) {
            long at = deadAt.get(k);
            String target = "after_kill_" + k;
            c.restoreTableToPointInTime(
                r ->
                    r.sourceTableName(TABLE)
                        .targetTableName(target)
                        .restoreDateTime(Instant.ofEpochMilli(at)));
            Map<String, String> restored = waitAndScan(c, target);
            restores++;
            assertThat(restored)
                .as("seed %d: restore to just after kill %d", seed, k)
                .isEqualTo(foundAfterKill.get(k));
            c.deleteTable(r -> r.tableName(target));
          }
          break;
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong next = new AtomicLong((cycle + 1) * 1_000_000L);
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
          int writer = w;
          long writerSeed = random.nextLong();
          futures.add(pool.submit(() -> write(c, writer, writerSeed, next, stop, known)));
        }
        Thread.sleep(600 + random.nextInt(1000));
        server.kill();
        deadAt.add(System.currentTimeMillis() + 1);
        stop.set(true);
        for (Future<?> f : futures) {
          f.get();
        }
        pool.shutdown();
        Thread.sleep(2);
      }
    }
    System.out.printf(
        "PitrCrashIT seed=%d: %d kills, %d acknowledged writes made, %d acknowledged-write checks"
            + " (live and restored), %d restores compared%n",
        seed, cycles, known.ackedOps.get(), checkedWrites, restores);
    assertThat(known.ackedOps.get()).as("the load produced acknowledged writes").isPositive();
  }

  private static void createTable(DynamoDbClient c) {
    c.createTable(
        r ->
            r.tableName(TABLE)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                    AttributeDefinition.builder()
                        .attributeName("pk")
                        .attributeType(ScalarAttributeType.S)
                        .build(),
                    AttributeDefinition.builder()
                        .attributeName("writer")
                        .attributeType(ScalarAttributeType.S)
                        .build())
                .keySchema(
                    KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                .globalSecondaryIndexes(
                    GlobalSecondaryIndex.builder()
                        .indexName("byWriter")
                        .keySchema(
                            KeySchemaElement.builder()
                                .attributeName("writer")
                                .keyType(KeyType.HASH)
                                .build())
                        .projection(
                            Projection.builder().projectionType(ProjectionType.KEYS_ONLY).build())
                        .build()));
  }

  private static PointInTimeRecoveryDescription pitr(DynamoDbClient c) {
    return c.describeContinuousBackups(r -> r.tableName(TABLE))
        .continuousBackupsDescription()
        .pointInTimeRecoveryDescription();
  }

  private static void awaitLatestPast(DynamoDbClient c, long millis) throws InterruptedException {
    for (int i = 0; i < 1500; i++) {
      if (pitr(c).latestRestorableDateTime().toEpochMilli() >= millis) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("LatestRestorableDateTime did not pass the kill at " + millis);
  }

  private static Map<String, String> waitAndScan(DynamoDbClient c, String table)
      throws InterruptedException {
    for (int i = 0; i < 3000; i++) {
      var t = c.describeTable(r -> r.tableName(table)).table();
      if (t.tableStatus() == TableStatus.ACTIVE) {
        return scan(c, table);
      }
      Thread.sleep(20);
    }
    throw new AssertionError("restored table " + table + " did not become ACTIVE");
  }

  /** Every item as key to value ("n=<count>" for counters). */
  private static Map<String, String> scan(DynamoDbClient c, String table) {
    Map<String, String> out = new HashMap<>();
    c.scanPaginator(r -> r.tableName(table))
        .items()
        .forEach(
            item -> {
              String pk = item.get("pk").s();
              out.put(pk, item.containsKey("n") ? "n=" + item.get("n").n() : item.get("v").s());
            });
    return out;
  }

  private static int countByWriter(DynamoDbClient c, String table, int writer) {
    int count = 0;
    for (var page :
        c.queryPaginator(
            r ->
                r.tableName(table)
                    .indexName("byWriter")
                    .select(Select.COUNT)
                    .keyConditionExpression("writer = :w")
                    .expressionAttributeValues(Map.of(":w", AttributeValue.fromS("w" + writer))))) {
      count += page.count();
    }
    return count;
  }

  /** Writes whose answer the kill cut off are decided now: the restarted table says how. */
  private static void settleInFlight(Known known, Map<String, String> live, DynamoDbClient c) {
    for (int w = 0; w < WRITERS; w++) {
      String[] f = known.inFlight[w];
      if (f != null) {
        String now = live.get(f[0]);
        assertThat(now == null ? DELETED : now)
            .as("a cut-off write leaves the old or the new value of %s", f[0])
            .isIn(known.acked.getOrDefault(f[0], DELETED), f[1]);
        known.acked.put(f[0], now == null ? DELETED : now);
        known.inFlight[w] = null;
      }
      String counter = live.get("counter-" + w);
      long value = counter == null ? 0 : Long.parseLong(counter.substring(2));
      assertThat(value).isBetween(known.counterAcked[w], known.counterAttempted[w]);
      known.counterAcked[w] = value;
      known.counterAttempted[w] = value;
    }
  }

  /** Every acknowledged write is in {@code table}, and nothing else is. */
  private static long checkAcked(
      Known known, Map<String, String> table, long seed, int cycle, String what) {
    long checked = 0;
    for (Map.Entry<String, String> e : known.acked.entrySet()) {
      String got = table.get(e.getKey());
      assertThat(got == null ? DELETED : got)
          .as("seed %d, cycle %d, %s: acknowledged write to %s", seed, cycle, what, e.getKey())
          .isEqualTo(e.getValue());
      checked++;
    }
    for (int w = 0; w < WRITERS; w++) {
      String counter = table.get("counter-" + w);
      long value = counter == null ? 0 : Long.parseLong(counter.substring(2));
      assertThat(value)
          .as("seed %d, cycle %d, %s: counter of writer %d", seed, cycle, what, w)
          .isBetween(known.counterAcked[w], known.counterAttempted[w]);
      checked++;
    }
    for (String key : table.keySet()) {
      if (!key.startsWith("counter-")) {
        assertThat(known.acked).as("seed %d, %s: %s was written", seed, what, key).containsKey(key);
      }
    }
    return checked;
  }

  private static void write(
      DynamoDbClient c, int writer, long seed, AtomicLong next, AtomicBoolean stop, Known known) {
    Random r = new Random(seed);
    List<String> mine = new ArrayList<>();
    while (!stop.get()) {
      try {
        int dice = r.nextInt(20);
        if (dice < 5) {
          synchronized (known) {
            known.counterAttempted[writer]++;
          }
          c.updateItem(
              u ->
                  u.tableName(TABLE)
                      .key(Map.of("pk", AttributeValue.fromS("counter-" + writer)))
                      .updateExpression("ADD n :one")
                      .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1"))));
          synchronized (known) {
            known.counterAcked[writer]++;
          }
        } else if (dice < 8 && !mine.isEmpty()) {
          String key = mine.remove(r.nextInt(mine.size()));
          known.inFlight[writer] = new String[] {key, DELETED};
          c.deleteItem(d -> d.tableName(TABLE).key(Map.of("pk", AttributeValue.fromS(key))));
          known.acked.put(key, DELETED);
          known.inFlight[writer] = null;
        } else {
          String key = "w" + writer + "-" + next.incrementAndGet();
          String value = Long.toHexString(r.nextLong());
          known.inFlight[writer] = new String[] {key, value};
          c.putItem(
              p ->
                  p.tableName(TABLE)
                      .item(
                          Map.of(
                              "pk", AttributeValue.fromS(key),
                              "writer", AttributeValue.fromS("w" + writer),
                              "v", AttributeValue.fromS(value))));
          known.acked.put(key, value);
          known.inFlight[writer] = null;
          mine.add(key);
        }
        known.ackedOps.incrementAndGet();
      } catch (RuntimeException e) {
        // The server died under us; the write in flight was never acknowledged.
        return;
      }
    }
  }
}
