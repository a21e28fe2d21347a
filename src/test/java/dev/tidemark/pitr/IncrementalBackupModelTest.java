package dev.tidemark.pitr;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.api.RequestContext;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.backup.BackupRecord;
import dev.tidemark.backup.Manifest;
import dev.tidemark.backup.VerifyResult;
import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.store.MemoryObjectStore;
import dev.tidemark.changelog.ChangeRecord;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.TableDefinition;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model-based test of incremental backups (docs/backup-format.md, section 5): a seeded workload
 * changes a table between backups; every backup after the first is an incremental one (format 2,
 * one more delta layer), and each must verify and restore to exactly the model's table at its
 * position, items and index entries alike, after any other backup is deleted (the base first, one
 * in the middle, the last). {@code -Dpitr.seed=N} replays a run.
 */
class IncrementalBackupModelTest {
  private static final ObjectMapper WIRE = new ObjectMapper();
  private static final RequestContext CTX =
      new RequestContext("incremental-test", CallerIdentity.anonymous("us-east-1"), 0);
  private static final long START = Instant.parse("2026-11-20T10:00:00Z").toEpochMilli();

  /** A backup taken, and the model's table at its position. */
  record Taken(BackupRecord record, NavigableMap<byte[], Map<String, AttributeValue>> expected) {}

  static NavigableMap<byte[], Map<String, AttributeValue>> copy(
      NavigableMap<byte[], Map<String, AttributeValue>> m) {
    NavigableMap<byte[], Map<String, AttributeValue>> c = new TreeMap<>(Arrays::compareUnsigned);
    c.putAll(m);
    return c;
  }

  static void changeSome(PitrModelTest.Workload w, Random random, int commits) {
    for (int i = 0; i < commits; i++) {
      List<PitrModelTest.Op> ops = new ArrayList<>();
      Set<String> used = new LinkedHashSet<>();
      for (int n = 1 + random.nextInt(3), j = 0; j < n; j++) {
        ops.add(w.randomMainOp(used));
      }
      if (random.nextInt(5) == 0) {
        ops.add(w.otherWrite());
      }
      w.commit(ops, ChangeRecord.Origin.USER);
      w.server.clock.addAndGet(random.nextInt(3));
    }
  }

  static Taken backup(PitrModelTest.Server s, PitrModelTest.Workload w, String name)
      throws Exception {
    s.clock.addAndGet(1);
    BackupRecord r = s.backups.create(w.main, name, "USER", null);
    s.observed();
    s.awaitIdle();
    BackupRecord done = s.backups.find(r.arn()).orElseThrow();
    assertThat(done.status()).isEqualTo("AVAILABLE");
    return new Taken(done, copy(w.model.current));
  }

  static Manifest manifest(PitrModelTest.Server s, Taken t) throws Exception {
    return s.backups.repository().readManifest(t.record().manifestName());
  }

  static int targets;

  /** The model's "orders" table (indexed) and "other" table on {@code s}, and their workload. */
  static PitrModelTest.Workload workload(PitrModelTest.Server s, long seed, Random random) {
    Table main = s.db.catalog().create(PitrModelTest.definition(s.db, "orders"), Map.of());
    Table other = s.db.catalog().create(PitrModelTest.plainDefinition(s.db, "other"), Map.of());
    return new PitrModelTest.Workload(seed, random, s, main, other);
  }

  /**
   * Verifies the backup, restores it through RestoreTableFromBackup and compares with the model.
   */
  static void verifyAndRestore(
      PitrModelTest.Server s,
      Taken t,
      TableDefinition shape,
      PitrModelTest.Tally tally,
      String what)
      throws Exception {
    VerifyResult v = s.backups.verify(t.record());
    assertThat(v.ok()).as("%s: verify: %s", what, v.summary()).isTrue();
    String target = "inc-restored-" + (++targets);
    s.restoreFromBackup.execute(
        CTX,
        WIRE.createObjectNode().put("BackupArn", t.record().arn()).put("TargetTableName", target));
    s.awaitIdle();
    Table restored =
        s.db
            .catalog()
            .find(target)
            .orElseThrow(() -> new AssertionError(what + ": the restore created no table"));
    assertThat(restored.status()).as(what).isEqualTo("ACTIVE");
    PitrModelTest.compareTable(s.db, restored, t.expected(), shape, tally, what);
    s.db.writePath().exclusive(() -> s.db.catalog().delete(restored));
  }

  // Protects part 4 of issue 11: each backup after the first stores only a delta layer, yet
  // restores exactly, verifies, and survives the deletion of any other backup (base, middle, last).
  @Test
  void incrementalsRestoreExactlyAndSurviveDeletingAnyBackup(@TempDir Path dir) throws Exception {
    long seed = Long.getLong("pitr.seed", System.nanoTime());
    try {
      run(dir, seed);
    } catch (Throwable t) {
      throw new AssertionError(
          "IncrementalBackupModelTest failed with seed "
              + seed
              + " (rerun with -Dpitr.seed="
              + seed
              + ")",
          t);
    }
  }

  // Protects the base check of an incremental backup (one listing of the table's data objects,
  // not a size request per object): a base object that is gone or has another size must make the
  // next backup full, never a layer over damaged data, and that backup must restore exactly.
  @Test
  void damagedBaseMakesTheNextBackupFull(@TempDir Path dir) throws Exception {
    for (boolean truncate : new boolean[] {false, true}) {
      Random random = new Random(7);
      MemoryObjectStore store = new MemoryObjectStore();
      PitrModelTest.Tally tally = new PitrModelTest.Tally();
      try (PitrModelTest.Server s =
          new PitrModelTest.Server(
              dir.resolve("truncate-" + truncate), store, SymmetricKey.random(), START)) {
        s.backups.setIncrementalLimits(100.0, 64);
        PitrModelTest.Workload w = IncrementalBackupModelTest.workload(s, 7, random);
        changeSome(w, random, 120);
        Taken full = backup(s, w, "full");
        String victim = manifest(s, full).objects().get(0).name();
        if (truncate) {
          store.tamper(victim, Arrays.copyOf(store.rawBytes(victim), 10));
        } else {
          store.delete(victim);
        }
        changeSome(w, random, 20);
        Taken next = backup(s, w, "after-damage");
        Manifest m = manifest(s, next);
        assertThat(m.incremental())
            .as("truncated=%s: a full backup, not a layer", truncate)
            .isNull();
        assertThat(m.formatVersion()).isEqualTo(1);
        verifyAndRestore(s, next, w.main.definition(), tally, "after a damaged base");
      }
    }
  }

  private void run(Path dir, long seed) throws Exception {
    Random random = new Random(seed);
    MemoryObjectStore store = new MemoryObjectStore();
    PitrModelTest.Tally tally = new PitrModelTest.Tally();
    try (PitrModelTest.Server s =
        new PitrModelTest.Server(dir, store, SymmetricKey.random(), START)) {
      // The table is tiny, so deltas are large next to it; the size rule is tested elsewhere.
      s.backups.setIncrementalLimits(100.0, 64);
      PitrModelTest.Workload w = IncrementalBackupModelTest.workload(s, seed, random);
      Table main = w.main;
      TableDefinition shape = main.definition();
      changeSome(w, random, 250);
      List<Taken> taken = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        taken.add(backup(s, w, "b" + i));
        Manifest m = manifest(s, taken.get(i));
        if (i == 0) {
          assertThat(m.formatVersion()).as("a full backup stays format 1").isEqualTo(1);
          assertThat(m.incremental()).isNull();
        } else {
          assertThat(m.formatVersion()).as("backup %d is incremental", i).isEqualTo(2);
          assertThat(m.incremental().layers()).hasSize(i);
          assertThat(m.incremental().baseBackupId()).isEqualTo(taken.get(0).record().backupId());
        }
        // Sometimes nothing changes between two backups: an empty layer.
        changeSome(w, random, i == 2 ? 0 : 10 + random.nextInt(40));
      }
      for (int i = 0; i < taken.size(); i++) {
        verifyAndRestore(s, taken.get(i), shape, tally, "seed " + seed + ", backup " + i);
      }
      // Delete the full base, then one in the middle, then the last: the others stay whole.
      for (int victim : new int[] {0, 3, 5}) {
        Taken t = taken.get(victim);
        s.backups.delete(s.backups.find(t.record().arn()).orElseThrow());
        for (int i = 0; i < taken.size(); i++) {
          if (i == 0 || i == 3 || (i == 5 && victim == 5)) {
            continue;
          }
          if (s.backups.find(taken.get(i).record().arn()).isPresent()) {
            verifyAndRestore(
                s,
                taken.get(i),
                shape,
                tally,
                "seed " + seed + ", backup " + i + " after deleting backup " + victim);
          }
        }
      }
      // A new backup builds on the newest one left (backup 4: five layers), and restores too.
      Taken next = backup(s, w, "after-deletes");
      Manifest m = manifest(s, next);
      assertThat(m.incremental()).isNotNull();
      assertThat(m.incremental().layers()).hasSize(5);
      verifyAndRestore(s, next, shape, tally, "seed " + seed + ", backup after the deletes");
      // Deleting everything leaves no data object behind.
      for (BackupRecord r : s.backups.list()) {
        s.backups.delete(r);
      }
      assertThat(store.list("tables/" + main.definition().tableId() + "/data/"))
          .as("every data object is collected once no manifest references it")
          .isEmpty();
      System.out.printf(
          "IncrementalBackupModelTest seed=%d: %d restores compared (%d items, %d index"
              + " entries)%n",
          seed, targets, tally.itemsCompared, tally.indexEntriesCompared);
    }
  }

  // Protects the bounds on a restore's work: a backup is full again once the layers would pass the
  // maximum count or the deltas a fraction of the base, and what follows builds on that new base.
  @Test
  void fallsBackToFullPastTheLimits(@TempDir Path dir) throws Exception {
    long seed = Long.getLong("pitr.seed", System.nanoTime());
    Random random = new Random(seed);
    PitrModelTest.Tally tally = new PitrModelTest.Tally();
    try (PitrModelTest.Server s =
        new PitrModelTest.Server(dir, new MemoryObjectStore(), SymmetricKey.random(), START)) {
      PitrModelTest.Workload w = IncrementalBackupModelTest.workload(s, seed, random);
      Table main = w.main;
      changeSome(w, random, 200);
      s.backups.setIncrementalLimits(100.0, 2);
      List<Integer> layers = new ArrayList<>();
      List<Taken> taken = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        taken.add(backup(s, w, "l" + i));
        Manifest m = manifest(s, taken.get(i));
        layers.add(m.incremental() == null ? 0 : m.incremental().layers().size());
        changeSome(w, random, 5);
      }
      assertThat(layers)
          .as("seed %d: at most two layers, then full", seed)
          .containsExactly(0, 1, 2, 0, 1);
      // Deltas may not pass a thousandth of the base: every backup is full.
      s.backups.setIncrementalLimits(0.001, 64);
      changeSome(w, random, 20);
      Taken big = backup(s, w, "big-delta");
      assertThat(manifest(s, big).incremental()).as("seed %d", seed).isNull();
      for (Taken t : List.of(taken.get(2), taken.get(4), big)) {
        verifyAndRestore(s, t, main.definition(), tally, "seed " + seed + ", " + t.record().name());
      }
    }
  }

  // Protects incrementals over a base whose indexes differ: a GSI deleted since the full base, and
  // a new one that takes its storage number, restore with exactly the entries of the restored items
  // (the base's entries under that number belong to another index and must not leak in).
  @Test
  void incrementalAfterIndexChangesRestoresExactIndexes(@TempDir Path dir) throws Exception {
    long seed = Long.getLong("pitr.seed", System.nanoTime());
    Random random = new Random(seed);
    PitrModelTest.Tally tally = new PitrModelTest.Tally();
    try (PitrModelTest.Server s =
        new PitrModelTest.Server(dir, new MemoryObjectStore(), SymmetricKey.random(), START)) {
      s.backups.setIncrementalLimits(100.0, 64);
      PitrModelTest.Workload w = IncrementalBackupModelTest.workload(s, seed, random);
      Table main = w.main;
      TableDefinition before = main.definition();
      changeSome(w, random, 120);
      Taken full = backup(s, w, "full");
      int ownerNumber = before.index("byOwner").orElseThrow().number();
      PitrIndexChangeTest.deleteGsi(s, "byOwner");
      PitrIndexChangeTest.createGsi(s, "byV", "v");
      TableDefinition after = s.db.catalog().find("orders").orElseThrow().definition();
      assertThat(after.index("byV").orElseThrow().number()).isEqualTo(ownerNumber);
      changeSome(w, random, 30);
      Taken inc = backup(s, w, "after-index-changes");
      assertThat(manifest(s, inc).incremental()).as("seed %d", seed).isNotNull();
      verifyAndRestore(s, inc, after, tally, "seed " + seed + ", incremental with new indexes");
      verifyAndRestore(s, full, before, tally, "seed " + seed + ", full with the old indexes");
    }
  }
}
