package dev.tidemark.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.backup.BackupRecord;
import dev.tidemark.backup.BackupService;
import dev.tidemark.backup.DataObjectRef;
import dev.tidemark.backup.Manifest;
import dev.tidemark.backup.RestoreProgress;
import dev.tidemark.managed.ColdTierTest;
import dev.tidemark.managed.CoreFixture;
import dev.tidemark.storage.BulkLoader;
import dev.tidemark.tables.RestoreSummary;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.TableDefinition;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Protects a restore's measured progress, which the console shows while the new table is CREATING:
 * the total is the plaintext size of every data object the backup's manifest lists, the loaded
 * bytes are exactly the objects loaded so far (paused inside the load, so no timing decides it),
 * the console operation {@code DescribeRestoreProgress} answers them, and the progress is gone once
 * the table is ACTIVE.
 */
class RestoreProgressTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void progressIsTheManifestsObjectsLoadedSoFar() throws Exception {
    try (CoreFixture f = new CoreFixture(dir.resolve("scratch"))) {
      BackupService backups = f.backups;
      Table table = f.db.catalog().create(ColdTierTest.definition(f.db, "Orders"), Map.of());
      // About 3 MiB of items and as much of their index's entries: several 1 MiB objects.
      String payload = "x".repeat(4000);
      for (int i = 0; i < 800; i++) {
        ColdTierTest.put(f.db, table, String.format("item-%04d", i), "c" + (i % 5), payload);
      }
      CountDownLatch backedUp = new CountDownLatch(1);
      BackupRecord creating = backups.create(table, "b", "USER", null, backedUp::countDown);
      assertThat(backedUp.await(60, TimeUnit.SECONDS)).isTrue();
      BackupRecord backup = backups.find(creating.arn()).orElseThrow();
      Manifest manifest = backups.restorable(backup);
      List<DataObjectRef> objects = manifest.objects();
      assertThat(objects.size()).isGreaterThan(2);
      long total = objects.stream().mapToLong(DataObjectRef::plaintextSize).sum();
      List<Long> prefixSums = new ArrayList<>();
      long sum = 0;
      for (DataObjectRef ref : objects) {
        sum += ref.plaintextSize();
        prefixSums.add(sum);
      }

      TableDefinition target = ColdTierTest.definition(f.db, "Restored").withIndexNumbers();
      Pause atFirstEntry = new Pause();
      Pause atFirstIndexEntry = new Pause();
      CountDownLatch restored = new CountDownLatch(1);
      Table t =
          backups.startRestore(
              target,
              new RestoreSummary(backup.arn(), backup.tableArn(), backup.creationMillis()),
              loader ->
                  backups.load(
                      manifest, target, new PausingLoader(loader, atFirstEntry, atFirstIndexEntry)),
              restored::countDown);
      RestoreProgress progress = backups.restoreProgress();

      atFirstEntry.awaitReached();
      RestoreProgress.Snapshot first = progress.of(t.id()).orElseThrow();
      assertThat(first.bytesTotal()).isEqualTo(total);
      assertThat(first.bytesLoaded()).isZero();
      assertThat(first.fraction()).isZero();
      atFirstEntry.release();

      // The index's entries come after every item, in later objects.
      atFirstIndexEntry.awaitReached();
      RestoreProgress.Snapshot middle = progress.of(t.id()).orElseThrow();
      assertThat(middle.bytesTotal()).isEqualTo(total);
      assertThat(middle.bytesLoaded()).isPositive().isLessThan(total).isIn(prefixSums);
      assertThat(middle.fraction())
          .isEqualTo((double) middle.bytesLoaded() / total)
          .isStrictlyBetween(0.0, 1.0);
      assertThat(f.db.catalog().find("Restored").orElseThrow().status()).isEqualTo("CREATING");
      DescribeRestoreProgress op = new DescribeRestoreProgress(f.db, progress);
      JsonNode answer = op.execute(JSON.readTree("{\"TableName\":\"Restored\"}"));
      assertThat(answer.get("TableStatus").asText()).isEqualTo("CREATING");
      assertThat(answer.get("RestoreInProgress").asBoolean()).isTrue();
      assertThat(answer.get("BytesLoaded").asLong()).isEqualTo(middle.bytesLoaded());
      assertThat(answer.get("BytesTotal").asLong()).isEqualTo(total);
      assertThat(answer.get("FractionLoaded").asDouble()).isEqualTo(middle.fraction());
      atFirstIndexEntry.release();

      assertThat(restored.await(60, TimeUnit.SECONDS)).isTrue();
      assertThat(f.db.catalog().find("Restored").orElseThrow().status()).isEqualTo("ACTIVE");
      assertThat(progress.of(t.id())).isEmpty();
      JsonNode after = op.execute(JSON.readTree("{\"TableName\":\"Restored\"}"));
      assertThat(after.get("TableStatus").asText()).isEqualTo("ACTIVE");
      assertThat(after.get("RestoreInProgress").asBoolean()).isFalse();
      assertThat(after.has("BytesLoaded")).isFalse();
    }
  }

  /** A point the restore thread stops at until the test lets it go on. */
  private static final class Pause {
    final CountDownLatch reached = new CountDownLatch(1);
    final CountDownLatch released = new CountDownLatch(1);

    void stopHere() {
      reached.countDown();
      try {
        released.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    void awaitReached() throws InterruptedException {
      assertThat(reached.await(60, TimeUnit.SECONDS)).as("the restore reached the pause").isTrue();
    }

    void release() {
      released.countDown();
    }
  }

  /** Passes entries on, stopping at the first one and at the first index entry. */
  private record PausingLoader(BulkLoader inner, Pause first, Pause firstIndexEntry)
      implements BulkLoader {
    @Override
    public void add(byte[] key, byte[] value) {
      if (first.reached.getCount() > 0) {
        first.stopHere();
      }
      if (key[0] != 0x01 && firstIndexEntry.reached.getCount() > 0) {
        firstIndexEntry.stopHere();
      }
      inner.add(key, value);
    }

    @Override
    public void finish() {
      inner.finish();
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}
