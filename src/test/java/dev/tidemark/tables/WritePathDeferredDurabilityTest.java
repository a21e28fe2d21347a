package dev.tidemark.tables;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.changelog.ChangeRecord;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.storage.KeyEncoding;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Acknowledgements of deferred writes: the HTTP handler answers a write only when {@link
 * WritePath#whenDurable} says so, so these tests protect the sync-mode promise that nothing is
 * acknowledged before the WAL sync covering it has returned, and nothing at all when it failed.
 */
class WritePathDeferredDurabilityTest {

  private static Table createTable(Database db) {
    return TestTables.create(db, "t", null);
  }

  /** Writes one item with durability deferred; returns the seq its answer must wait for. */
  private static long deferredPut(Database db, Table t, String pk) {
    Map<String, AttributeValue> item = Map.of("pk", AttributeValue.s(pk));
    db.writePath().deferDurability();
    db.writePath()
        .commit(
            List.of(
                new WritePath.ItemWrite(
                    t, KeyEncoding.itemKey(item.get("pk"), null), item, current -> item)),
            ChangeRecord.Origin.USER);
    return db.writePath().endDeferral();
  }

  @Test
  void anAcknowledgementWaitsForTheSyncThatCoversTheWrite() throws Exception {
    GatedStorage storage = new GatedStorage();
    try (Database db = new Database(storage, System::currentTimeMillis, true, "r", "1")) {
      Table t = createTable(db);
      storage.gate = new CountDownLatch(1);
      long seq = deferredPut(db, t, "a");
      assertThat(seq).isPositive();

      CountDownLatch acked = new CountDownLatch(1);
      AtomicReference<RuntimeException> failed = new AtomicReference<>();
      db.writePath().whenDurable(seq, acked::countDown, failed::set);

      // The commit returned without syncing; the sync thread is now held at the gate.
      assertThat(acked.await(200, TimeUnit.MILLISECONDS)).isFalse();
      storage.gate.countDown();
      assertThat(acked.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(storage.syncs.get()).isGreaterThanOrEqualTo(1);
      assertThat(failed.get()).isNull();
    }
  }

  @Test
  void aFailedSyncFailsTheAcknowledgementAndNeverSendsIt() throws Exception {
    GatedStorage storage = new GatedStorage();
    try (Database db = new Database(storage, System::currentTimeMillis, true, "r", "1")) {
      Table t = createTable(db);
      storage.failure = new IllegalStateException("disk gone");
      long seq = deferredPut(db, t, "a");

      AtomicInteger sent = new AtomicInteger();
      CountDownLatch failed = new CountDownLatch(1);
      AtomicReference<RuntimeException> cause = new AtomicReference<>();
      db.writePath()
          .whenDurable(
              seq,
              sent::incrementAndGet,
              e -> {
                cause.set(e);
                failed.countDown();
              });

      assertThat(failed.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(cause.get()).hasMessage("disk gone");
      assertThat(sent.get()).isZero();
      storage.failure = null;
    }
  }

  @Test
  void aRequestThatWroteNothingIsAnsweredAtOnceOnItsOwnThread() {
    GatedStorage storage = new GatedStorage();
    try (Database db = new Database(storage, System::currentTimeMillis, true, "r", "1")) {
      int syncsBefore = storage.syncs.get();
      db.writePath().deferDurability();
      long seq = db.writePath().endDeferral();
      assertThat(seq).isZero();

      AtomicReference<Thread> ranOn = new AtomicReference<>();
      db.writePath().whenDurable(seq, () -> ranOn.set(Thread.currentThread()), e -> {});
      assertThat(ranOn.get()).isSameAs(Thread.currentThread());
      assertThat(storage.syncs.get()).isEqualTo(syncsBefore);
    }
  }

  @Test
  void oneSyncReleasesEveryAcknowledgementItCovers() throws Exception {
    GatedStorage storage = new GatedStorage();
    try (Database db = new Database(storage, System::currentTimeMillis, true, "r", "1")) {
      Table t = createTable(db);
      int syncsBefore = storage.syncs.get();
      storage.gate = new CountDownLatch(1);
      CountDownLatch acked = new CountDownLatch(20);
      for (int i = 0; i < 20; i++) {
        long seq = deferredPut(db, t, "k" + i);
        db.writePath().whenDurable(seq, acked::countDown, e -> {});
      }
      storage.gate.countDown();
      assertThat(acked.await(10, TimeUnit.SECONDS)).isTrue();
      // The first sync may cover only the first write; the next covers all that queued behind it.
      assertThat(storage.syncs.get() - syncsBefore).isBetween(1, 3);
    }
  }

  @Test
  void closingLetsWaitingAcknowledgementsFinish() throws Exception {
    GatedStorage storage = new GatedStorage();
    Database db = new Database(storage, System::currentTimeMillis, true, "r", "1");
    Table t = createTable(db);
    storage.gate = new CountDownLatch(1);
    long seq = deferredPut(db, t, "a");
    CountDownLatch acked = new CountDownLatch(1);
    db.writePath().whenDurable(seq, acked::countDown, e -> {});

    Thread closer = new Thread(db::close);
    closer.start();
    storage.gate.countDown();
    closer.join(10_000);
    assertThat(closer.isAlive()).isFalse();
    assertThat(acked.getCount()).isZero();
  }
}
