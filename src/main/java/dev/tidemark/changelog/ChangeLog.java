package dev.tidemark.changelog;

import dev.tidemark.storage.ChangeKeys;
import dev.tidemark.storage.Cursor;
import dev.tidemark.storage.Storage;
import dev.tidemark.storage.StorageSnapshot;
import dev.tidemark.storage.WriteSet;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the one ordered change log. Streams, the PITR archiver and replication all read here; there
 * is no second history.
 *
 * <p>Trimming records a per-table horizon in the meta space ({@code trimmed/<id>}): one past the
 * highest sequence number ever dropped. A reader positioned below the horizon has lost records, and
 * can tell so even when nothing of the table is left in the log.
 */
public final class ChangeLog {
  private static final byte[] HORIZON_PREFIX = "trimmed/".getBytes(StandardCharsets.UTF_8);

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

  /** A change record as stored: its seq, commit time and encoded value, not decoded. */
  public record Raw(long seq, long commitTimeMillis, byte[] value) {}

  /**
   * Like {@link #read}, without decoding the images: for a consumer that only ships records on (the
   * PITR archiver), decoding three item images only to encode them again was most of its cost.
   */
  public List<Raw> readRaw(long tableId, long fromSeq, long toSeq, int limit) {
    List<Raw> out = new ArrayList<>();
    try (Cursor c = storage.changes(tableId, fromSeq, toSeq)) {
      while (out.size() < limit && c.next()) {
        byte[] value = c.value();
        out.add(new Raw(ChangeKeys.seq(c.key()), ChangeRecordCodec.commitTime(value), value));
      }
    }
    return out;
  }

  /**
   * Drops a table's records committed before {@code cutoffMillis}. Since seq and time order agree,
   * the dropped records are exactly a prefix of the table's log.
   */
  public int trimBefore(long tableId, long cutoffMillis) {
    return trimBefore(tableId, cutoffMillis, Long.MAX_VALUE);
  }

  /**
   * Like {@link #trimBefore(long, long)}, but never drops a record with {@code seq >= keepFromSeq}:
   * a consumer that has not yet read them (the PITR archiver) holds them back.
   */
  public synchronized int trimBefore(long tableId, long cutoffMillis, long keepFromSeq) {
    long lastDropped = -1;
    int dropped = 0;
    try (Cursor c = storage.changes(tableId, 0, keepFromSeq)) {
      while (c.next()) {
        if (ChangeRecordCodec.commitTime(c.value()) >= cutoffMillis) {
          break;
        }
        lastDropped = ChangeKeys.seq(c.key());
        dropped++;
      }
    }
    if (dropped > 0) {
      drop(tableId, lastDropped);
    }
    return dropped;
  }

  /**
   * Drops every record of a table with {@code seq < beforeSeq}, whatever its age: for records a
   * consumer has copied elsewhere (the PITR archive) and no reader of this log still needs.
   */
  public synchronized int trimBelow(long tableId, long beforeSeq) {
    long lastDropped = -1;
    int dropped = 0;
    try (Cursor c = storage.changes(tableId, 0, beforeSeq)) {
      // Keys only: the values are not copied out.
      while (c.next()) {
        lastDropped = ChangeKeys.seq(c.key());
        dropped++;
      }
    }
    if (dropped > 0) {
      drop(tableId, lastDropped);
    }
    return dropped;
  }

  /**
   * Records the horizon, then drops the records up to {@code lastDropped}. The horizon goes first:
   * after a crash between the two writes, readers are told records are gone that still exist, never
   * the reverse. It is always one past a record of the table, and never moves back.
   */
  private void drop(long tableId, long lastDropped) {
    if (lastDropped + 1 > trimmedBefore(tableId)) {
      storage.apply(
          new WriteSet()
              .putMeta(
                  horizonKey(tableId), ByteBuffer.allocate(8).putLong(lastDropped + 1).array()));
    }
    storage.trimChanges(tableId, lastDropped + 1);
  }

  /**
   * One past the highest sequence number of this table ever trimmed, or 0 if nothing was. A read
   * starting at a position below it has missed records.
   */
  public long trimmedBefore(long tableId) {
    byte[] raw = storage.getMeta(horizonKey(tableId));
    return raw == null ? 0 : ByteBuffer.wrap(raw).getLong();
  }

  /** {@link #trimmedBefore(long)} as of a snapshot. */
  public static long trimmedBefore(StorageSnapshot snapshot, long tableId) {
    byte[] raw = snapshot.getMeta(horizonKey(tableId));
    return raw == null ? 0 : ByteBuffer.wrap(raw).getLong();
  }

  private static byte[] horizonKey(long tableId) {
    return ByteBuffer.allocate(HORIZON_PREFIX.length + 8)
        .put(HORIZON_PREFIX)
        .putLong(tableId)
        .array();
  }
}
