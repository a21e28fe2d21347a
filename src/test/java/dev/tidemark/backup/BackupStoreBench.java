package dev.tidemark.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.store.DirectoryObjectStore;
import dev.tidemark.backup.store.ObjectStore;
import dev.tidemark.backup.store.S3ObjectStore;
import dev.tidemark.pitr.PitrService;
import dev.tidemark.retention.ChangeLogRetention;
import dev.tidemark.storage.RocksStorage;
import dev.tidemark.testkit.AssembledServer;
import dev.tidemark.testkit.S3ProxyServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BackupStatus;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Not part of the suite (its name matches no surefire pattern): the backup store on a directory
 * against the store in an S3 bucket (S3Proxy on this machine, over loopback HTTP with SigV4), back
 * to back in one run so that the ratio survives a busy machine. For each store: load a table of
 * {@code -Dbench.mib} MiB (default 256) of 4 KB items into a server with its data directory on
 * disk, then time CreateBackup to AVAILABLE and RestoreTableFromBackup to ACTIVE (after one
 * uncounted of each, the median of three), then ten backups with 1% of the items rewritten before
 * each and the store's growth over them. Run with {@code mvn -o -B test -Dtest=BackupStoreBench
 * -Dbench.mib=256}; {@code -Dbench.stores=dir,s3} picks the stores.
 */
class BackupStoreBench {
  private static final int ITEM_BYTES = 4096;
  private static final String TABLE = "bench";

  @TempDir Path dir;

  @Test
  void directoryAgainstS3() throws Exception {
    int mib = Integer.getInteger("bench.mib", 256);
    int items = mib * 256;
    Map<String, Map<String, Double>> results = new LinkedHashMap<>();
    for (String kind : System.getProperty("bench.stores", "dir,s3").split(",")) {
      Path work = Files.createDirectories(dir.resolve(kind));
      if (kind.equals("s3")) {
        try (S3ProxyServer s3 = S3ProxyServer.startForBenchmark(work.resolve("s3proxy"));
            S3ObjectStore store =
                S3ObjectStore.open(
                    s3.storeConfig(s3.newBucket(), "bench").toBuilder()
                        .retries(
                            dev.tidemark.backup.store.S3StoreConfig.DEFAULT_MAX_ATTEMPTS,
                            dev.tidemark.backup.store.S3StoreConfig.DEFAULT_MAX_BACKOFF)
                        .build())) {
          results.put(kind, run(store, work, items, s3::cpuTime));
        }
      } else {
        results.put(
            kind,
            run(new DirectoryObjectStore(work.resolve("store")), work, items, () -> Duration.ZERO));
      }
    }
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(Locale.ROOT, "%nBackupStoreBench: %d MiB, %d items of 4 KB%n", mib, items));
    List<String> kinds = new ArrayList<>(results.keySet());
    out.append(String.format(Locale.ROOT, "%-40s", "measurement"));
    kinds.forEach(k -> out.append(String.format(Locale.ROOT, "%14s", k)));
    if (kinds.size() == 2) {
      out.append(String.format(Locale.ROOT, "%10s", "ratio"));
    }
    out.append('\n');
    for (String m : results.get(kinds.get(0)).keySet()) {
      out.append(String.format(Locale.ROOT, "%-40s", m));
      for (String k : kinds) {
        out.append(String.format(Locale.ROOT, "%14.2f", results.get(k).get(m)));
      }
      if (kinds.size() == 2) {
        out.append(
            String.format(
                Locale.ROOT,
                "%10.2f",
                results.get(kinds.get(1)).get(m) / results.get(kinds.get(0)).get(m)));
      }
      out.append('\n');
    }
    System.out.println(out);
  }

  /**
   * The data directory under PITR: a table of {@code -Dbench.pitr.mib} MiB (default 32) of 4 KB
   * items, every item then rewritten {@code -Dbench.pitr.rounds} times (default 11, about the 3 M
   * changes per 1 GiB the issue names), with the early trim of archived change records running
   * every 2 s as the server runs it. Prints the table's size and the data directory's after the
   * load, at its largest while the changes run, and at the end once the archive has caught up. Run
   * with {@code mvn -o -B test -Dtest=BackupStoreBench#pitrDataDirectory}.
   */
  @Test
  void pitrDataDirectory() throws Exception {
    int mib = Integer.getInteger("bench.pitr.mib", 32);
    int rounds = Integer.getInteger("bench.pitr.rounds", 11);
    int items = mib * 256;
    Path work = Files.createDirectories(dir.resolve("pitr"));
    Path data = work.resolve("data");
    ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
    try (AssembledServer server =
        AssembledServer.start(
            RocksStorage.open(data),
            new DirectoryObjectStore(work.resolve("store")),
            SymmetricKey.random(),
            work.resolve("scratch"),
            PitrService.Config.defaults())) {
      ChangeLogRetention retention =
          new ChangeLogRetention(server.db, Duration.ofHours(24), System::currentTimeMillis);
      retention.addFloor(server.pitr::retentionFloor);
      retention.addArchive(server.pitr::archivedBelow);
      timers.scheduleWithFixedDelay(retention::trimArchivedOnce, 2, 2, TimeUnit.SECONDS);
      DynamoDbClient c = server.client;
      createTable(c);
      write(c, items, i -> i, 1);
      long afterLoad = du(data);
      c.updateContinuousBackups(
          u ->
              u.tableName(TABLE)
                  .pointInTimeRecoverySpecification(p -> p.pointInTimeRecoveryEnabled(true)));
      AtomicLong peak = new AtomicLong(afterLoad);
      timers.scheduleWithFixedDelay(
          () -> peak.accumulateAndGet(du(data), Math::max), 1, 1, TimeUnit.SECONDS);
      long t0 = System.nanoTime();
      for (int r = 0; r < rounds; r++) {
        write(c, items, i -> i, 100 + r);
      }
      double changeSeconds = seconds(t0);
      java.time.Instant written = java.time.Instant.now();
      while (true) {
        var latest =
            c.describeContinuousBackups(d -> d.tableName(TABLE))
                .continuousBackupsDescription()
                .pointInTimeRecoveryDescription()
                .latestRestorableDateTime();
        if (latest != null && !latest.isBefore(written)) {
          break;
        }
        Thread.sleep(200);
      }
      Thread.sleep(5000); // two trim passes
      long end = du(data);
      long endWal = du(data, ".log");
      long endSst = du(data, ".sst");
      long table = c.describeTable(d -> d.tableName(TABLE)).table().tableSizeBytes();
      System.out.printf(
          Locale.ROOT,
          "%nBackupStoreBench#pitrDataDirectory: %d items of 4 KB, %d changes in %.1f s%n"
              + "table size %.1f MiB; data directory after load %.1f MiB, largest during the"
              + " changes %.1f MiB, at the end %.1f MiB (%.2fx the table: %.1f MiB of SST files,"
              + " %.1f MiB of write-ahead log)%n",
          items,
          (long) items * rounds,
          changeSeconds,
          table / 1048576.0,
          afterLoad / 1048576.0,
          peak.get() / 1048576.0,
          end / 1048576.0,
          (double) end / table,
          endSst / 1048576.0,
          endWal / 1048576.0);
    } finally {
      timers.shutdownNow();
    }
  }

  private static long du(Path root) {
    return du(root, "");
  }

  /** Bytes of the regular files under {@code root} whose names end with {@code suffix}. */
  private static long du(Path root, String suffix) {
    try (var files = Files.walk(root)) {
      return files
          .filter(f -> Files.isRegularFile(f) && f.getFileName().toString().endsWith(suffix))
          .mapToLong(
              f -> {
                try {
                  return Files.size(f);
                } catch (IOException e) {
                  return 0; // deleted meanwhile (a compaction)
                }
              })
          .sum();
    } catch (IOException | java.io.UncheckedIOException e) {
      return 0;
    }
  }

  /**
   * One store's figures; {@code serviceCpu} is the S3 service's CPU time so far, to show how much
   * of the machine's two cores a service on the same machine takes (real S3 takes none of it).
   */
  private Map<String, Double> run(
      ObjectStore store, Path work, int items, Supplier<Duration> serviceCpu) throws Exception {
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    Map<String, Double> r = new LinkedHashMap<>();
    try (AssembledServer server =
        AssembledServer.start(
            RocksStorage.open(work.resolve("data")),
            store,
            SymmetricKey.random(),
            work.resolve("scratch"),
            PitrService.Config.defaults())) {
      DynamoDbClient c = server.client;
      createTable(c);
      long t0 = System.nanoTime();
      write(c, items, i -> i, 1);
      r.put("load, s", seconds(t0));
      // One uncounted full backup and restore first, then the median of three of each: neither
      // store's figure then carries JIT compilation or first use (a deployed S3 service is warm,
      // and the store measured first would otherwise warm the backup code for the second). Each
      // timed backup is full: the one before it is deleted and its objects collected first.
      String arn = backup(c, "warm-up");
      String data =
          store.list("tables/").stream()
              .filter(n -> n.contains("/data/"))
              .map(n -> n.substring(0, n.indexOf("/data/") + "/data/".length()))
              .findFirst()
              .orElseThrow();
      restore(c, arn, "warm-restored");
      c.deleteTable(d -> d.tableName("warm-restored"));
      c.deleteBackup(d -> d.backupArn(arn));
      awaitNoTableData(store, data);
      List<double[]> backups = new ArrayList<>();
      String last = null;
      for (int i = 0; i < 3; i++) {
        if (last != null) {
          String previous = last;
          c.deleteBackup(d -> d.backupArn(previous));
          awaitNoTableData(store, data);
        }
        t0 = System.nanoTime();
        long cpu0 = os.getProcessCpuTime();
        Duration service0 = serviceCpu.get();
        last = backup(c, "first-" + i);
        backups.add(
            new double[] {
              seconds(t0),
              (os.getProcessCpuTime() - cpu0) / 1e9,
              serviceCpu.get().minus(service0).toMillis() / 1e3
            });
      }
      double[] mb = median(backups);
      r.put("CreateBackup to AVAILABLE, s (median of 3)", mb[0]);
      r.put("  CPU s: Tidemark (whole JVM)", mb[1]);
      r.put("  CPU s: S3 service", mb[2]);
      long afterFirst = storeBytes(store);
      String full = last;
      List<double[]> restores = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        t0 = System.nanoTime();
        long cpu0 = os.getProcessCpuTime();
        Duration service0 = serviceCpu.get();
        restore(c, full, "restored-" + i);
        restores.add(
            new double[] {
              seconds(t0),
              (os.getProcessCpuTime() - cpu0) / 1e9,
              serviceCpu.get().minus(service0).toMillis() / 1e3
            });
        String name = "restored-" + i;
        assertThat(c.describeTable(d -> d.tableName(name)).table().itemCount()).isEqualTo(items);
        c.deleteTable(d -> d.tableName(name));
      }
      double[] mr = median(restores);
      r.put("RestoreTableFromBackup to ACTIVE, s (median of 3)", mr[0]);
      r.put("  CPU s: Tidemark (whole JVM) ", mr[1]);
      r.put("  CPU s: S3 service ", mr[2]);
      List<Double> times = new ArrayList<>();
      int changed = Math.max(1, items / 100);
      for (int b = 0; b < 10; b++) {
        Random pick = new Random(1000 + b);
        int[] picks = pick.ints(changed, 0, items).toArray();
        write(c, changed, j -> picks[j], 2 + b);
        t0 = System.nanoTime();
        backup(c, "inc-" + b);
        times.add(seconds(t0));
      }
      long afterTen = storeBytes(store);
      times.sort(Double::compare);
      r.put("10 backups, 1% rewritten: median s", times.get(5));
      r.put("store after first backup, MiB", afterFirst / 1048576.0);
      r.put("store growth over 10 backups, MiB", (afterTen - afterFirst) / 1048576.0);
      r.put("rewritten item bytes (10 x 1%), MiB", 10.0 * changed * ITEM_BYTES / 1048576.0);
    }
    return r;
  }

  /** Writes {@code n} items (the {@code i}th is item {@code key.apply(i)}) with 4 writers. */
  private static void write(DynamoDbClient c, int n, IntFunction<Integer> key, int version)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int start = 0; start < n; start += 25) {
        int from = start;
        done.add(
            pool.submit(
                () -> {
                  Random random = new Random(from * 31L + version);
                  Map<String, WriteRequest> batch = new HashMap<>();
                  for (int i = from; i < Math.min(n, from + 25); i++) {
                    byte[] payload = new byte[ITEM_BYTES - 40];
                    random.nextBytes(payload);
                    String pk = String.format(Locale.ROOT, "item-%09d", key.apply(i));
                    batch.put(
                        pk,
                        WriteRequest.builder()
                            .putRequest(
                                PutRequest.builder()
                                    .item(
                                        Map.of(
                                            "pk", AttributeValue.fromS(pk),
                                            "v",
                                                AttributeValue.fromB(
                                                    SdkBytes.fromByteArray(payload))))
                                    .build())
                            .build());
                  }
                  Map<String, List<WriteRequest>> requests =
                      Map.of(TABLE, List.copyOf(batch.values()));
                  while (!requests.isEmpty()) {
                    Map<String, List<WriteRequest>> now = requests;
                    requests = c.batchWriteItem(b -> b.requestItems(now)).unprocessedItems();
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  private static void createTable(DynamoDbClient c) {
    c.createTable(
        t ->
            t.tableName(TABLE)
                .billingMode("PAY_PER_REQUEST")
                .keySchema(
                    software.amazon.awssdk.services.dynamodb.model.KeySchemaElement.builder()
                        .attributeName("pk")
                        .keyType("HASH")
                        .build())
                .attributeDefinitions(
                    software.amazon.awssdk.services.dynamodb.model.AttributeDefinition.builder()
                        .attributeName("pk")
                        .attributeType("S")
                        .build()));
  }

  private static String backup(DynamoDbClient c, String name) throws InterruptedException {
    String arn =
        c.createBackup(b -> b.tableName(TABLE).backupName(name)).backupDetails().backupArn();
    while (true) {
      BackupStatus st =
          c.describeBackup(d -> d.backupArn(arn))
              .backupDescription()
              .backupDetails()
              .backupStatus();
      if (st == BackupStatus.AVAILABLE) {
        return arn;
      }
      assertThat(st).as("backup " + name).isEqualTo(BackupStatus.CREATING);
      Thread.sleep(20);
    }
  }

  private static void restore(DynamoDbClient c, String arn, String target) throws Exception {
    c.restoreTableFromBackup(b -> b.backupArn(arn).targetTableName(target));
    while (c.describeTable(d -> d.tableName(target)).table().tableStatus() != TableStatus.ACTIVE) {
      Thread.sleep(20);
    }
  }

  /** Waits until a deleted backup's data objects are collected, so the next backup is full. */
  private static void awaitNoTableData(ObjectStore store, String dataPrefix) throws Exception {
    for (int i = 0; i < 3000; i++) {
      if (store.list(dataPrefix).isEmpty()) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the deleted backup's data objects were not collected");
  }

  /** The row whose first column (the time) is the median of three. */
  private static double[] median(List<double[]> rows) {
    List<double[]> sorted = new ArrayList<>(rows);
    sorted.sort((x, y) -> Double.compare(x[0], y[0]));
    return sorted.get(sorted.size() / 2);
  }

  private static long storeBytes(ObjectStore store) throws IOException {
    long total = 0;
    for (String name : store.list("")) {
      total += store.size(name).orElse(0);
    }
    return total;
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }
}
