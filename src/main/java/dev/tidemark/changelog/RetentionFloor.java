package dev.tidemark.changelog;

/**
 * Holds back change-log retention for consumers that still need records past their age limit. The
 * PITR archiver, for one, must not lose records it has not shipped yet; it registers a floor at its
 * cursor and retention never trims at or above it.
 */
@FunctionalInterface
public interface RetentionFloor {
  /** No constraint on a table. */
  long NONE = Long.MAX_VALUE;

  /**
   * The lowest sequence number of {@code tableId} that must be kept, or {@link #NONE}. Called from
   * the retention task's thread; it must not block for long.
   */
  long keepFrom(long tableId);
}
