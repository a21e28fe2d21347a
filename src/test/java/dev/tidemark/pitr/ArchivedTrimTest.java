package dev.tidemark.pitr;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.api.RequestContext;
import dev.tidemark.api.actions.GetRecords;
import dev.tidemark.api.actions.GetShardIterator;
import dev.tidemark.api.actions.UpdateTable;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.backup.Manifest;
import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.store.MemoryObjectStore;
import dev.tidemark.retention.ChangeLogRetention;
import dev.tidemark.streams.ShardIterators;
import dev.tidemark.streams.StreamDescriptor;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.TableDefinition;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Part 5 of issue 11 and its tension with part 4: under PITR the data directory drops archived
 * change records long before the retention period ({@link ChangeLogRetention#trimArchivedOnce}),
 * yet a stream still reads every record of its window, point-in-time restores stay exact, an
 * incremental backup finds what changed in the PITR archive, and a backup whose changes neither the
 * log nor the archive holds any more falls back to a full one. {@code -Dpitr.seed=N} replays.
 */
class ArchivedTrimTest {
  private static final ObjectMapper WIRE = new ObjectMapper();
  private static final RequestContext CTX =
      new RequestContext("trim-test", CallerIdentity.anonymous("us-east-1"), 0);
  private static final long START = Instant.parse("2026-11-20T10:00:00Z").toEpochMilli();

  @Test
  void archivedRecordsGoEarlyWithoutBreakingStreamsPitrOrIncrementals(@TempDir Path dir)
      throws Exception {
    long seed = Long.getLong("pitr.seed", System.nanoTime());
    try {
      run(dir, seed);
    } catch (Throwable t) {
      throw new AssertionError(
          "ArchivedTrimTest failed with seed " + seed + " (rerun with -Dpitr.seed=" + seed + ")",
          t);
    }
  }

  private void run(Path dir, long seed) throws Exception {
    Random random = new Random(seed);
    PitrModelTest.Tally tally = new PitrModelTest.Tally();
    try (PitrModelTest.Server s =
        new PitrModelTest.Server(dir, new MemoryObjectStore(), SymmetricKey.random(), START)) {
      s.backups.setIncrementalLimits(100.0, 64);
      ChangeLogRetention retention = new ChangeLogRetention(s.db, Duration.ofHours(24), s::now);
      retention.addFloor(s.pitr::retentionFloor);
      retention.addArchive(s.pitr::archivedBelow);
      PitrModelTest.Workload w = IncrementalBackupModelTest.workload(s, seed, random);
      Table main = w.main;
      TableDefinition shape = main.definition();
      IncrementalBackupModelTest.changeSome(w, random, 60);
      IncrementalBackupModelTest.Taken first = IncrementalBackupModelTest.backup(s, w, "first");

      s.pitr.enable(main, 35);
      s.archiving = true;
      s.observed();
      s.awaitIdle();
      long windowStart = s.now();
      // Few enough records (at most 36) that the archiver takes no new base (every 50 records):
      // the next backup's newest base is the window's first, and what changed since is archived.
      IncrementalBackupModelTest.changeSome(w, random, 12);
      s.sealAll();
      long unarchivedBefore = s.db.changeLog().read(main.id(), 0, Long.MAX_VALUE, 100_000).size();
      assertThat(retention.trimArchivedOnce())
          .as("archived records are dropped early")
          .isPositive();
      assertThat(s.db.changeLog().read(main.id(), 0, Long.MAX_VALUE, 100_000))
          .as("only records the archiver has not shipped stay (of %d)", unarchivedBefore)
          .isEmpty();
      assertThat(s.now() - START).as("long before the retention period").isLessThan(3_600_000);
      assertThat(retention.trimOnce()).as("time-based retention has nothing to do yet").isZero();

      // The log since the first backup is gone; the PITR archive tells what changed after the
      // window opened, so the next backup is incremental over the PITR base.
      IncrementalBackupModelTest.Taken second = IncrementalBackupModelTest.backup(s, w, "second");
      Manifest m = IncrementalBackupModelTest.manifest(s, second);
      assertThat(m.incremental()).as("incremental from the archive").isNotNull();
      assertThat(m.incremental().layers().get(m.incremental().layers().size() - 1).afterSeq())
          .as("its layer starts before the trimmed range")
          .isLessThan(s.db.changeLog().trimmedBefore(main.id()) - 1);
      IncrementalBackupModelTest.verifyAndRestore(s, second, shape, tally, "from the archive");
      IncrementalBackupModelTest.verifyAndRestore(s, first, shape, tally, "the first backup");

      // A stream opens: from now on its window is kept for the whole retention period.
      JsonNode updated =
          new UpdateTable(s.db)
              .execute(
                  CTX,
                  WIRE.readTree(
                      "{\"TableName\":\"orders\",\"StreamSpecification\":"
                          + "{\"StreamEnabled\":true,\"StreamViewType\":\"NEW_IMAGE\"}}"));
      String streamArn = updated.path("TableDescription").path("LatestStreamArn").asText();
      Table live = s.db.catalog().find("orders").orElseThrow();
      StreamDescriptor stream = s.db.streams().latest(live.definition()).orElseThrow();
      int historyBefore = w.model.history.size();
      IncrementalBackupModelTest.changeSome(w, random, 80);
      s.sealAll();
      retention.trimArchivedOnce();
      List<Long> expected = new ArrayList<>();
      w.model
          .history
          .subList(historyBefore, w.model.history.size())
          .forEach(c -> expected.add(c.seq()));
      assertThat(readStream(s, streamArn, stream.shardId()))
          .as("a stream reader sees every record of its window after the early trim")
          .isEqualTo(expected);
      assertThat(s.db.changeLog().trimmedBefore(main.id()))
          .as("the early trim stopped at the stream's start")
          .isLessThanOrEqualTo(stream.startSeq());

      // Point-in-time restores stay exact across the trimmed range.
      long latest = s.pitr.window(s.pitr.sources("orders", null).get(0))[1];
      for (long t : new long[] {windowStart, (windowStart + latest) / 2, latest}) {
        PitrModelTest.restoreAndCompare(
            s, "orders", null, t, w.model.at(t), shape, tally, "seed " + seed + ", T=" + t);
      }

      // The stream is disabled and PITR turned off, which deletes the archive; then everything
      // before the stream's end is dropped (as after 24 h): the next backup must be full.
      new UpdateTable(s.db)
          .execute(
              CTX,
              WIRE.readTree(
                  "{\"TableName\":\"orders\",\"StreamSpecification\":{\"StreamEnabled\":false}}"));
      IncrementalBackupModelTest.changeSome(w, random, 40);
      s.pitr.disable(s.db.catalog().find("orders").orElseThrow());
      s.clock.addAndGet(Duration.ofHours(25).toMillis());
      assertThat(retention.trimOnce()).isPositive();
      IncrementalBackupModelTest.changeSome(w, random, 20);
      IncrementalBackupModelTest.Taken third = IncrementalBackupModelTest.backup(s, w, "third");
      Manifest full = IncrementalBackupModelTest.manifest(s, third);
      assertThat(full.incremental()).as("no source of the changes: a full backup").isNull();
      assertThat(full.formatVersion()).isEqualTo(1);
      IncrementalBackupModelTest.verifyAndRestore(s, third, shape, tally, "the full fallback");
      IncrementalBackupModelTest.verifyAndRestore(s, second, shape, tally, "second, at the end");
    }
  }

  /** Every sequence number a TRIM_HORIZON reader of the stream gets, in order. */
  private static List<Long> readStream(PitrModelTest.Server s, String arn, String shardId)
      throws Exception {
    ShardIterators iterators = new ShardIterators(s.db.streams());
    String it =
        new GetShardIterator(s.db, iterators)
            .execute(
                CTX,
                WIRE.createObjectNode()
                    .put("StreamArn", arn)
                    .put("ShardId", shardId)
                    .put("ShardIteratorType", "TRIM_HORIZON"))
            .path("ShardIterator")
            .asText();
    List<Long> seqs = new ArrayList<>();
    GetRecords get = new GetRecords(s.db, iterators);
    for (int page = 0; page < 1000; page++) {
      JsonNode out = get.execute(CTX, WIRE.createObjectNode().put("ShardIterator", it));
      if (out.path("Records").isEmpty()) {
        return seqs;
      }
      for (JsonNode r : out.path("Records")) {
        seqs.add(Long.parseLong(r.path("dynamodb").path("SequenceNumber").asText()));
      }
      it = out.path("NextShardIterator").asText();
    }
    throw new AssertionError("the stream did not end");
  }
}
