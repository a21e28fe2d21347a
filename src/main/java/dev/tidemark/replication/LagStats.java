package dev.tidemark.replication;

import java.util.Arrays;

/**
 * Replication lag from one region to this one: for each applied record, the time from its commit in
 * the origin region to its apply here (so it includes the clocks' skew), over the last {@value
 * #WINDOW} records; plus counts of records applied and superseded (a higher stamp was already here:
 * a conflict the merge rule resolved, or a duplicate delivery).
 */
final class LagStats {
  static final int WINDOW = 8192;

  private final long[] ring = new long[WINDOW];
  private int next;
  private int size;
  private long applied;
  private long superseded;

  synchronized void record(long lagMillis, boolean changed) {
    ring[next] = lagMillis;
    next = (next + 1) % WINDOW;
    size = Math.min(size + 1, WINDOW);
    if (changed) {
      applied++;
    } else {
      superseded++;
    }
  }

  /** p50, p99 and max over the window, samples in it, applied and superseded totals. */
  synchronized Summary summary() {
    long[] sorted = Arrays.copyOf(ring, size);
    Arrays.sort(sorted);
    return new Summary(
        at(sorted, 0.50),
        at(sorted, 0.99),
        size == 0 ? 0 : sorted[size - 1],
        size,
        applied,
        superseded);
  }

  private static long at(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  }

  record Summary(long p50, long p99, long max, int samples, long applied, long superseded) {}
}
