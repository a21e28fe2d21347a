package dev.tidemark.managed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.api.ItemKeys;
import dev.tidemark.backup.BackupRepository;
import dev.tidemark.backup.BackupService;
import dev.tidemark.backup.Manifest;
import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.store.DirectoryObjectStore;
import dev.tidemark.changelog.ChangeRecord;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.storage.RocksStorage;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.WritePath;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Not part of the suite (its name matches no surefire pattern): what the cold tier costs on a small
 * table, in process, both stores in directories on this machine's disk. Loads {@code -Dbench.mib}
 * MiB (default 16) of 1 KB items (half random base64, half repeated text, about as compressible as
 * typical JSON-ish attributes), takes a full recovery point and five incremental ones with 2% of
 * the items rewritten before each, then times the last point's restore from WARM, its cold
 * transition (repack, verify, switch, warm deletion) and its restore from COLD, and compares the
 * bytes the point occupies in each store. Run with {@code mvn -o -B test -Dtest=ColdTierBench
 * -Dbench.mib=16}.
 */
class ColdTierBench {
  static final long DAY = 86_400_000L;

  @TempDir Path dir;

  @Test
  void coldTransitionAndRestores() throws Exception {
    int mib = Integer.getInteger("bench.mib", 16);
    int items = mib * 1024;
    AtomicLong clock = new AtomicLong(CoreFixture.START);
    SymmetricKey key = SymmetricKey.random();
    try (Database db =
            new Database(RocksStorage.inMemory(), clock::get, false, "us-east-1", "000000000000");
        BackupService backups =
            new BackupService(
                db,
                new BackupRepository(new DirectoryObjectStore(dir.resolve("warm")), key),
                dir.resolve("scratch"));
        ColdTier cold =
            new ColdTier(
                db.storage(),
                backups,
                new BackupRepository(new DirectoryObjectStore(dir.resolve("cold")), key),
                "bench")) {
      backups.start();
      Table table = db.catalog().create(ColdTierTest.definition(db, "bench"), Map.of());
      Random random = new Random(7);
      write(db, table, random, 0, items, 1);
      ManagedBackups core = new ManagedBackups(db, backups, clock::get);
      core.useColdTier(cold);
      core.load();
      RecoveryPoint point = null;
      for (int b = 0; b < 6; b++) {
        if (b > 0) {
          write(db, table, random, b, items, 50);
        }
        long t0 = System.nanoTime();
        BackupJob j =
            core.startBackupJob(
                new ManagedBackups.BackupRequest(
                    "Default",
                    db.tableArn("bench"),
                    ColdTierTest.ROLE,
                    null,
                    480L,
                    null,
                    b == 5 ? new Lifecycle(1, 91) : Lifecycle.NONE,
                    Map.of()));
        core.runOnce();
        assertThat(backups.awaitIdle(600_000)).isTrue();
        point = core.point(core.backupJob(j.id()).recoveryPointArn());
        System.out.printf(
            Locale.ROOT, "backup %d (%s): %d ms%n", b, b == 0 ? "full" : "incremental", ms(t0));
      }
      Manifest warm =
          backups
              .repository()
              .readManifest(backups.find(point.backupArn()).orElseThrow().manifestName());
      // One restore first, not counted: the JIT's warm-up would otherwise be charged to WARM.
      restore(core, backups, point, "warmup");
      List<Long> warmRestores = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        warmRestores.add(restore(core, backups, point, "warm" + i));
      }
      clock.addAndGet(DAY);
      long t0 = System.nanoTime();
      core.runOnce();
      assertThat(cold.awaitIdle(600_000)).isTrue();
      long transition = ms(t0);
      assertThat(core.storageClass(core.point(point.arn()))).isEqualTo("COLD");
      ColdCopy copy = cold.copy(point.id()).orElseThrow();
      List<Long> coldRestores = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        coldRestores.add(restore(core, backups, point, "cold" + i));
      }
      System.out.printf(
          Locale.ROOT,
          "table: %d items, %.1f MiB; point: base + %d delta layers%n",
          items,
          point.sizeBytes() / 1048576.0,
          warm.incremental() == null ? 0 : warm.incremental().layers().size());
      System.out.printf(
          Locale.ROOT,
          "warm point: %d objects, %.1f MiB stored; cold copy: %d objects, %.1f MiB stored"
              + " (%.2fx)%n",
          warm.objectNames().size(),
          warm.storedBytes() / 1048576.0,
          copy.objects(),
          copy.storedBytes() / 1048576.0,
          copy.storedBytes() / (double) warm.storedBytes());
      System.out.printf(
          Locale.ROOT,
          "cold transition (repack, verify, switch, warm delete): %d ms%n"
              + "restore from WARM: %s ms (median %d); from COLD: %s ms (median %d)%n",
          transition,
          warmRestores,
          median(warmRestores),
          coldRestores,
          median(coldRestores));
      core.close();
    }
  }

  /** Writes every {@code step}-th item of {@code items}, one commit of 64 at a time. */
  static void write(Database db, Table table, Random random, int round, int items, int step) {
    List<WritePath.ItemWrite> batch = new ArrayList<>();
    byte[] noise = new byte[384];
    for (int i = round % step; i < items; i += step) {
      random.nextBytes(noise);
      Map<String, AttributeValue> key = Map.of("pk", new AttributeValue.S("item-" + i));
      Map<String, AttributeValue> item = new LinkedHashMap<>(key);
      item.put("cat", new AttributeValue.S("category-" + (i % 17)));
      item.put("noise", new AttributeValue.S(Base64.getEncoder().encodeToString(noise)));
      item.put(
          "text",
          new AttributeValue.S(
              ("order " + i + " of round " + round + ", status shipped, warehouse north; ")
                  .repeat(6)));
      Map<String, AttributeValue> image = Map.copyOf(item);
      batch.add(
          new WritePath.ItemWrite(
              table, ItemKeys.storageKey(ColdTierTest.KEYS, key), key, current -> image));
      if (batch.size() == 64) {
        db.writePath().commit(List.copyOf(batch), ChangeRecord.Origin.USER);
        batch.clear();
      }
    }
    if (!batch.isEmpty()) {
      db.writePath().commit(batch, ChangeRecord.Origin.USER);
    }
  }

  static long restore(ManagedBackups core, BackupService backups, RecoveryPoint p, String target)
      throws Exception {
    long t0 = System.nanoTime();
    RestoreJob j =
        core.startRestoreJob(p.arn(), Map.of("targetTableName", target), ColdTierTest.ROLE, null);
    core.runOnce();
    assertThat(backups.awaitIdle(600_000)).isTrue();
    core.runOnce();
    assertThat(core.restoreJob(j.id()).status()).isEqualTo("COMPLETED");
    return ms(t0);
  }

  static long ms(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }

  static long median(List<Long> values) {
    Long[] sorted = values.toArray(new Long[0]);
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
