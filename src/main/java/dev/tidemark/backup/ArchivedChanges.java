package dev.tidemark.backup;

import dev.tidemark.tables.KeySchema;
import java.io.IOException;
import java.util.NavigableSet;
import java.util.Optional;

/**
 * Where an incremental backup finds which items changed when the local change log no longer has
 * them: the PITR archive, which keeps every record of its window after the data directory trimmed
 * it.
 */
@FunctionalInterface
public interface ArchivedChanges {
  /** No archive: an incremental backup needs the local change log. */
  ArchivedChanges NONE = (uuid, keys, afterSeq, throughSeq) -> Optional.empty();

  /**
   * The storage keys of the items changed in {@code (afterSeq, throughSeq]}, or empty unless the
   * archive holds every record of that range.
   *
   * @param throughSeq a seq the table has a record at, so the archive reaching it shows it is
   *     complete up to there
   */
  Optional<NavigableSet<byte[]>> changedKeys(
      String tableUuid, KeySchema keys, long afterSeq, long throughSeq) throws IOException;
}
