package dev.tidemark.tables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.changelog.ChangeRecord;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.storage.KeyEncoding;
import dev.tidemark.storage.RocksStorage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The write path and the change log it feeds, below the API. */
class WritePathTest {
  private final AtomicLong clock = new AtomicLong(1_000_000);

  private Database open(Path dir) {
    return new Database(RocksStorage.open(dir), clock::get, true, "us-east-1", "000000000000");
  }

  private static Table createTable(Database db, String name) {
    return TestTables.create(db, name, null);
  }

  private static Map<String, AttributeValue> item(String pk, long v) {
    Map<String, AttributeValue> m = new LinkedHashMap<>();
    m.put("pk", AttributeValue.s(pk));
    m.put("v", AttributeValue.n(v));
    return m;
  }

  private static List<WritePath.Outcome> put(
      Database db, Table t, Map<String, AttributeValue> item) {
    Map<String, AttributeValue> key = Map.of("pk", item.get("pk"));
    byte[] storageKey = KeyEncoding.itemKey(item.get("pk"), null);
    return db.writePath()
        .commit(
            List.of(new WritePath.ItemWrite(t, storageKey, key, current -> item)),
            ChangeRecord.Origin.USER);
  }

  // Protects the change log contract: one record per change, with full old and new images.
  @Test
  void everyChangeIsLoggedWithImages(@TempDir Path dir) {
    try (Database db = open(dir)) {
      Table t = createTable(db, "log");
      put(db, t, item("a", 1));
      put(db, t, item("a", 2));
      put(db, t, item("a", 2)); // unchanged: no record, as DynamoDB Streams writes none
      List<ChangeRecord> log = db.changeLog().read(t.id(), 0, Long.MAX_VALUE, 100);
      assertThat(log).hasSize(2);
      assertThat(log.get(0).oldImage()).isNull();
      assertThat(log.get(0).newImage()).isEqualTo(item("a", 1));
      // No stream shows old images here: the log knows the item existed, not what it held.
      assertThat(log.get(1).oldImage()).isEmpty();
      assertThat(log.get(1).newImage()).isEqualTo(item("a", 2));
      assertThat(log.get(1).eventName()).isEqualTo("MODIFY");
      assertThat(t.itemCount()).isEqualTo(1);
    }
  }

  // Protects streams that show old images: the log keeps the whole old item for them.
  @Test
  void aStreamWithOldImagesGetsThemLogged(@TempDir Path dir) {
    try (Database db = open(dir)) {
      Table plain = createTable(db, "plain");
      Table t = TestTables.create(db, "streamed", "NEW_AND_OLD_IMAGES");
      put(db, t, item("a", 1));
      put(db, t, item("a", 2));
      db.writePath()
          .commit(
              List.of(
                  new WritePath.ItemWrite(
                      t,
                      KeyEncoding.itemKey(AttributeValue.s("a"), null),
                      Map.of("pk", AttributeValue.s("a")),
                      current -> null)),
              ChangeRecord.Origin.USER);
      List<ChangeRecord> log = db.changeLog().read(t.id(), 0, Long.MAX_VALUE, 100);
      assertThat(log)
          .extracting(ChangeRecord::eventName)
          .containsExactly("INSERT", "MODIFY", "REMOVE");
      assertThat(log.get(1).oldImage()).isEqualTo(item("a", 1));
      assertThat(log.get(2).oldImage()).isEqualTo(item("a", 2));
      assertThat(db.changeLog().read(plain.id(), 0, Long.MAX_VALUE, 100)).isEmpty();
    }
  }

  // Protects invariant I1: seq strictly increases and commit time never decreases, even when the
  // wall clock steps backwards.
  @Test
  void seqAndTimeAgreeWhenClockGoesBack(@TempDir Path dir) {
    try (Database db = open(dir)) {
      Table t = createTable(db, "clock");
      put(db, t, item("a", 1));
      clock.addAndGet(-500_000);
      put(db, t, item("b", 1));
      clock.addAndGet(1_000_000);
      put(db, t, item("c", 1));
      List<ChangeRecord> log = db.changeLog().read(t.id(), 0, Long.MAX_VALUE, 100);
      for (int i = 1; i < log.size(); i++) {
        assertThat(log.get(i).seq()).isGreaterThan(log.get(i - 1).seq());
        assertThat(log.get(i).commitTimeMillis())
            .isGreaterThanOrEqualTo(log.get(i - 1).commitTimeMillis());
      }
      assertThat(log.get(1).commitTimeMillis()).isEqualTo(1_000_000);
    }
  }

  // Protects atomicity: a mutation that refuses aborts the whole commit; nothing is written or
  // logged.
  @Test
  void refusedCommitWritesNothing(@TempDir Path dir) {
    try (Database db = open(dir)) {
      Table t = createTable(db, "atomic");
      Map<String, AttributeValue> ka = Map.of("pk", AttributeValue.s("a"));
      Map<String, AttributeValue> kb = Map.of("pk", AttributeValue.s("b"));
      assertThatThrownBy(
              () ->
                  db.writePath()
                      .commit(
                          List.of(
                              new WritePath.ItemWrite(
                                  t,
                                  KeyEncoding.itemKey(AttributeValue.s("a"), null),
                                  ka,
                                  c -> item("a", 1)),
                              new WritePath.ItemWrite(
                                  t,
                                  KeyEncoding.itemKey(AttributeValue.s("b"), null),
                                  kb,
                                  c -> {
                                    throw DynamoException.conditionalCheckFailed(null);
                                  })),
                          ChangeRecord.Origin.USER))
          .isInstanceOf(DynamoException.class);
      assertThat(db.changeLog().read(t.id(), 0, Long.MAX_VALUE, 100)).isEmpty();
      assertThat(db.storage().get(t.id(), KeyEncoding.itemKey(AttributeValue.s("a"), null)))
          .isNull();
    }
  }

  // Protects seq continuity across restarts: a reopened database never reuses a sequence number.
  @Test
  void sequenceSurvivesRestart(@TempDir Path dir) {
    long last;
    long tableId;
    try (Database db = open(dir)) {
      Table t = createTable(db, "restart");
      tableId = t.id();
      put(db, t, item("a", 1));
      put(db, t, item("a", 2));
      last = db.writePath().appliedSeq();
    }
    try (Database db = open(dir)) {
      Table t = db.catalog().find("restart").orElseThrow();
      assertThat(t.id()).isEqualTo(tableId);
      put(db, t, item("a", 3));
      List<ChangeRecord> log = db.changeLog().read(t.id(), 0, Long.MAX_VALUE, 100);
      assertThat(log).hasSize(3);
      assertThat(log.get(2).seq()).isEqualTo(last + 1);
      assertThat(t.itemCount()).isEqualTo(1);
    }
  }

  // Protects retention: trimming by time drops exactly the records older than the cutoff.
  @Test
  void trimDropsOnlyOlderRecords(@TempDir Path dir) {
    try (Database db = open(dir)) {
      Table t = createTable(db, "trim");
      put(db, t, item("a", 1));
      clock.addAndGet(10_000);
      long cutoff = clock.get();
      put(db, t, item("a", 2));
      put(db, t, item("a", 3));
      assertThat(db.changeLog().trimBefore(t.id(), cutoff)).isEqualTo(1);
      List<ChangeRecord> log = db.changeLog().read(t.id(), 0, Long.MAX_VALUE, 100);
      assertThat(log)
          .extracting(r -> r.newImage().get("v"))
          .containsExactly(AttributeValue.n(2), AttributeValue.n(3));
    }
  }

  // Protects group commit under concurrency: every concurrent writer's change is logged, in seq
  // order, with no gaps.
  @Test
  void concurrentWritersProduceGaplessLog(@TempDir Path dir) throws Exception {
    try (Database db = open(dir)) {
      Table t = createTable(db, "concurrent");
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<?>> futures = new ArrayList<>();
      for (int w = 0; w < 8; w++) {
        int writer = w;
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 100; i++) {
                    put(db, t, item("w" + writer + "-" + i, i));
                  }
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
      pool.shutdown();
      List<ChangeRecord> log = db.changeLog().read(t.id(), 0, Long.MAX_VALUE, 10_000);
      assertThat(log).hasSize(800);
      for (int i = 1; i < log.size(); i++) {
        assertThat(log.get(i).seq()).isEqualTo(log.get(i - 1).seq() + 1);
      }
      assertThat(t.itemCount()).isEqualTo(800);
    }
  }
}
