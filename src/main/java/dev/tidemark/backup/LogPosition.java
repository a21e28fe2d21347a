package dev.tidemark.backup;

/**
 * A point in the change log: the snapshot contains exactly the writes with sequence numbers up to
 * and including {@code seq}. PITR replays records after {@code seq} on top of it.
 */
public record LogPosition(long seq, long commitTimeMillis) {
  public LogPosition {
    if (seq < 0 || commitTimeMillis < 0) {
      throw new IllegalArgumentException(
          "log position must be non-negative: (" + seq + ", " + commitTimeMillis + ")");
    }
  }
}
