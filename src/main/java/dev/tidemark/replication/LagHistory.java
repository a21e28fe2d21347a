package dev.tidemark.replication;

import java.util.ArrayList;
import java.util.List;

/**
 * Replication lag from one region over the last hour, kept by the server so that a console tab
 * opened now can draw the past hour: a fixed ring of {@value #SLOTS} buckets of {@value
 * #BUCKET_MILLIS} ms, each with the count, sum and maximum of the lags recorded in it. A slot is
 * reused when its time comes round again, so memory stays fixed (a few KiB per source region) and
 * an idle hour leaves no stale buckets behind: a slot whose bucket is older than an hour is not
 * reported.
 *
 * <p>Times are passed in, never read from a clock here, so a test drives it with made-up instants.
 */
public final class LagHistory {
  public static final long BUCKET_MILLIS = 10_000;
  static final int SLOTS = 360;

  /** A bucket's start instant and what was recorded in it. */
  record Bucket(long startMillis, long records, long meanMillis, long maxMillis) {}

  /** Each slot's bucket number (start / BUCKET_MILLIS), or -1 when never used. */
  private final long[] bucket = new long[SLOTS];

  private final long[] count = new long[SLOTS];
  private final long[] sum = new long[SLOTS];
  private final long[] max = new long[SLOTS];

  LagHistory() {
    java.util.Arrays.fill(bucket, -1);
  }

  /** Records a lag measured at {@code nowMillis}. */
  synchronized void record(long nowMillis, long lagMillis) {
    long b = Math.floorDiv(nowMillis, BUCKET_MILLIS);
    int slot = (int) Math.floorMod(b, (long) SLOTS);
    if (bucket[slot] != b) {
      if (bucket[slot] > b) {
        // A clock that stepped back more than an hour: the older instant has no slot left.
        return;
      }
      bucket[slot] = b;
      count[slot] = 0;
      sum[slot] = 0;
      max[slot] = Long.MIN_VALUE;
    }
    count[slot]++;
    sum[slot] += lagMillis;
    max[slot] = Math.max(max[slot], lagMillis);
  }

  /** The buckets of the hour up to {@code nowMillis} that hold records, oldest first. */
  synchronized List<Bucket> lastHour(long nowMillis) {
    long newest = Math.floorDiv(nowMillis, BUCKET_MILLIS);
    List<Bucket> out = new ArrayList<>();
    for (long b = newest - SLOTS + 1; b <= newest; b++) {
      int slot = (int) Math.floorMod(b, (long) SLOTS);
      if (bucket[slot] == b && count[slot] > 0) {
        out.add(
            new Bucket(
                b * BUCKET_MILLIS, count[slot], Math.floorDiv(sum[slot], count[slot]), max[slot]));
      }
    }
    return out;
  }
}
