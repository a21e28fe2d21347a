package dev.tidemark.tables;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Protects replication's precedence at the write lock (bounded lag on an overloaded server): a
 * local commit that arrives while a replicated commit waits does not join the lock queue, so it
 * cannot barge in when the lock is released and the replicated commit goes first; and a local
 * commit steps aside only for a bounded time, so local writes cannot starve.
 */
class WriteTurnsTest {

  private static Thread commit(
      WriteTurns turns, ReentrantLock lock, boolean replicated, List<String> order) {
    Thread t =
        new Thread(
            () -> {
              turns.lock(replicated);
              try {
                order.add(replicated ? "replicated" : "local");
              } finally {
                lock.unlock();
              }
            });
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Test
  void aLocalCommitWaitsForAWaitingReplicatedCommit() throws Exception {
    ReentrantLock lock = new ReentrantLock();
    WriteTurns turns = new WriteTurns(lock, 60_000_000_000L);
    List<String> order = new CopyOnWriteArrayList<>();
    lock.lock();
    Thread replicated = commit(turns, lock, true, order);
    await(() -> lock.hasQueuedThread(replicated));
    Thread local = commit(turns, lock, false, order);
    // Parked beside the lock (stepping aside), or queued on it (the defect).
    await(() -> local.getState() == Thread.State.TIMED_WAITING || lock.hasQueuedThread(local));
    assertThat(lock.hasQueuedThread(local)).as("the local commit joined the lock queue").isFalse();
    lock.unlock();
    replicated.join(10_000);
    local.join(10_000);
    assertThat(order).containsExactly("replicated", "local");
  }

  @Test
  void aLocalCommitStepsAsideOnlyForABoundedTime() throws Exception {
    ReentrantLock lock = new ReentrantLock();
    WriteTurns turns = new WriteTurns(lock, 1_000_000L);
    List<String> order = new CopyOnWriteArrayList<>();
    lock.lock();
    Thread replicated = commit(turns, lock, true, order);
    await(() -> lock.hasQueuedThread(replicated));
    Thread local = commit(turns, lock, false, order);
    // The replicated commit still waits, yet the local one takes its place in the queue.
    await(() -> lock.hasQueuedThread(local));
    assertThat(lock.hasQueuedThread(local)).isTrue();
    lock.unlock();
    replicated.join(10_000);
    local.join(10_000);
    assertThat(order).containsExactlyInAnyOrder("replicated", "local");
  }

  @Test
  void withNothingReplicatedWaitingALocalCommitTakesTheLockAtOnce() {
    ReentrantLock lock = new ReentrantLock();
    WriteTurns turns = new WriteTurns(lock, 60_000_000_000L);
    turns.lock(false);
    assertThat(lock.isHeldByCurrentThread()).isTrue();
    lock.unlock();
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    for (int i = 0; i < 1_000 && !condition.getAsBoolean(); i++) {
      Thread.sleep(10);
    }
  }
}
