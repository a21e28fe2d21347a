package dev.tidemark.replication;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * Replication lag from one region to this one: for each applied record, the time from its commit in
 * the origin region to its apply here (so it includes the clocks' skew), over the last {@value
 * #WINDOW} records; plus counts of records applied and superseded (a higher stamp was already here:
 * a conflict the merge rule resolved, or a duplicate delivery). The same lags also go into a {@link
 * LagHistory} of the last hour, by the time they were measured.
 */
final class LagStats {
  static final int WINDOW = 8192;

  private final long[] ring = new long[WINDOW];
  private int next;
  private int size;
  private long applied;
  private long superseded;
  private final LongSupplier clock;
  private final LagHistory history = new LagHistory();

  LagStats(LongSupplier clock) {
    this.clock = clock;
  }

  synchronized void record(long lagMillis, boolean changed) {
    history.record(clock.getAsLong(), lagMillis);
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

  /**
   * The last hour's lag as of now, one object per {@link LagHistory#BUCKET_MILLIS} bucket that
   * holds records: {@code startMillis, records, meanMillis, maxMillis}.
   */
  void writeLastHour(ArrayNode out) {
    for (LagHistory.Bucket b : history.lastHour(clock.getAsLong())) {
      out.addObject()
          .put("startMillis", b.startMillis())
          .put("records", b.records())
          .put("meanMillis", b.meanMillis())
          .put("maxMillis", b.maxMillis());
    }
  }

  private static long at(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  }

  record Summary(long p50, long p99, long max, int samples, long applied, long superseded) {}
}
