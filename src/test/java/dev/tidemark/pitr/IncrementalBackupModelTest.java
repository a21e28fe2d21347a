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

  private void run(Path dir, long seed) throws Exception {
    Random random = new Random(seed);
    MemoryObjectStore store = new MemoryObjectStore();
    PitrModelTest.Tally tally = new PitrModelTest.Tally();
    try (PitrModelTest.Server s =
        new PitrModelTest.Server(dir, store, SymmetricKey.random(), START)) {
      // The table is tiny, so deltas are large next to it; the size rule is tested elsewhere.
      s.backups.setIncrementalLimits(100.0, 64);
      Table main = s.db.catalog().create(PitrModelTest.definition(s.db, "orders"), Map.of());
      Table other = s.db.catalog().create(PitrModelTest.plainDefinition(s.db, "other"), Map.of());
      PitrModelTest.Workload w = new PitrModelTest.Workload(seed, random, s, main, other);
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
}
