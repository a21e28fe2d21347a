package dev.tidemark.changelog;

/**
 * A consumer that keeps its own copy of a table's change records (the PITR archive). Below the
 * answer the data directory need not keep them for the retention period: retention drops them as
 * soon as no reader of the local log (a stream) still needs them.
 */
@FunctionalInterface
public interface ArchivedLog {
  /** Nothing of the table is archived. */
  long NONE = 0;

  /**
   * Every record of {@code tableId} with a lower seq is archived (or lies before the archive's
   * window, covered by its base snapshot); {@link #NONE} if the table is not archived. Called from
   * a retention thread; it must not block for long.
   */
  long archivedBelow(long tableId);
}
