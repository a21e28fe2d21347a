package dev.tidemark.tables;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Turns at the write lock: a commit applying another region's writes goes before local commits that
 * arrive while it waits. The lock is not fair (fairness would cost every commit a hand-off), so
 * without this a server overloaded with client writes lets each new client commit barge past a
 * waiting replicated batch, again and again, and replication lag grows without bound exactly when a
 * region is busiest. A local commit that finds a replicated one waiting parks briefly instead of
 * joining the lock, at most {@code stepAsideNanos} in all, so local writes cannot starve either.
 *
 * <p>The hot path of a local commit pays one volatile read while no replicated commit waits.
 */
final class WriteTurns {
  /** How long a local commit steps aside in all before it takes its chance at the lock anyway. */
  static final long STEP_ASIDE_NANOS = 5_000_000L;

  private static final long PARK_NANOS = 50_000L;

  private final ReentrantLock lock;
  private final long stepAsideNanos;
  private final AtomicInteger replicatedWaiting = new AtomicInteger();

  WriteTurns(ReentrantLock lock, long stepAsideNanos) {
    this.lock = lock;
    this.stepAsideNanos = stepAsideNanos;
  }

  /** Takes the lock; {@code replicated} for a commit of another region's writes. */
  void lock(boolean replicated) {
    if (replicated) {
      replicatedWaiting.incrementAndGet();
      try {
        lock.lock();
      } finally {
        replicatedWaiting.decrementAndGet();
      }
      return;
    }
    if (replicatedWaiting.get() > 0) {
      long until = System.nanoTime() + stepAsideNanos;
      while (replicatedWaiting.get() > 0 && System.nanoTime() - until < 0) {
        LockSupport.parkNanos(this, PARK_NANOS);
      }
    }
    lock.lock();
  }
}
