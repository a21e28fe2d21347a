package dev.tidemark.changelog;

import dev.tidemark.storage.ChangeKeys;
import dev.tidemark.storage.Cursor;
import dev.tidemark.storage.Storage;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the one ordered change log. Streams, the PITR archiver and replication all read here; there
 * is no second history.
 */
public final class ChangeLog {
  private final Storage storage;

  public ChangeLog(Storage storage) {
    this.storage = storage;
  }

  /**
   * Records of one table with {@code fromSeq <= seq < toSeq}, in seq order, at most {@code limit}.
   */
  public List<ChangeRecord> read(long tableId, long fromSeq, long toSeq, int limit) {
    List<ChangeRecord> out = new ArrayList<>();
    try (Cursor c = storage.changes(tableId, fromSeq, toSeq)) {
      while (out.size() < limit && c.next()) {
        out.add(ChangeRecordCodec.decode(tableId, ChangeKeys.seq(c.key()), c.value()));
      }
    }
    return out;
  }

  /**
   * Drops a table's records committed before {@code cutoffMillis}. Since seq and time order agree,
   * the dropped records are exactly a prefix of the table's log.
   */
  public int trimBefore(long tableId, long cutoffMillis) {
    long firstKept = -1;
    int dropped = 0;
    try (Cursor c = storage.changes(tableId, 0, Long.MAX_VALUE)) {
      while (c.next()) {
        if (ChangeRecordCodec.commitTime(c.value()) >= cutoffMillis) {
          firstKept = ChangeKeys.seq(c.key());
          break;
        }
        dropped++;
      }
    }
    if (dropped > 0) {
      storage.trimChanges(tableId, firstKept < 0 ? Long.MAX_VALUE : firstKept);
    }
    return dropped;
  }
}
