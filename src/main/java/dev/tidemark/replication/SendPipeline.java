package dev.tidemark.replication;

import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Keeps up to {@code width} requests of one replica fill in flight, so that the source reads and
 * encodes the next batch while the receiver applies the previous ones (one at a time, source and
 * receiver each wait for the other). Safe for a fill because its records are applied by the merge
 * rule, which gives the same table in any delivery order, and the replica turns ACTIVE only after
 * {@link #drain} saw every request answered.
 *
 * <p>Not thread-safe: one fill thread submits and drains. The first failure is rethrown by the next
 * {@link #submit} or by {@link #drain}, as thrown (a RuntimeException) by the send.
 */
final class SendPipeline {
  private final ExecutorService pool;
  private final int width;
  private final ArrayDeque<Future<?>> inFlight = new ArrayDeque<>();

  SendPipeline(ExecutorService pool, int width) {
    if (width < 1) {
      throw new IllegalArgumentException("a pipeline is at least one request wide");
    }
    this.pool = pool;
    this.width = width;
  }

  /** Sends {@code send} in the background once fewer than {@code width} are in flight. */
  void submit(Runnable send) {
    while (inFlight.size() >= width) {
      await(inFlight.poll());
    }
    inFlight.add(pool.submit(send));
  }

  /** Waits for every request submitted; rethrows the first failure. */
  void drain() {
    while (!inFlight.isEmpty()) {
      await(inFlight.poll());
    }
  }

  /** Stops waiting for what is still in flight (after a failure or at shutdown). */
  void cancel() {
    for (Future<?> f : inFlight) {
      f.cancel(true);
    }
    inFlight.clear();
  }

  private void await(Future<?> f) {
    try {
      f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cancel();
      throw new IllegalStateException("interrupted while a fill request was in flight", e);
    } catch (ExecutionException e) {
      cancel();
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    }
  }
}
