package dev.tidemark.storage;

import java.util.ArrayList;
import java.util.List;

/** Operations to apply in one atomic batch. Built by the write path, consumed by the engine. */
public final class WriteSet {
  /** One operation. Value is null for deletes. */
  public record Op(Space space, long tableId, byte[] key, byte[] value) {}

  /** Which key space an operation addresses. */
  public enum Space {
    TABLE,
    META,
    CHANGES
  }

  /** Removes every key of a table's space in {@code [from, to)}. */
  public record RangeDelete(long tableId, byte[] from, byte[] to) {
    public RangeDelete {
      java.util.Objects.requireNonNull(from);
      java.util.Objects.requireNonNull(to);
    }
  }

  private final List<Op> ops = new ArrayList<>();
  private final List<RangeDelete> rangeDeletes = new ArrayList<>();

  public WriteSet put(long tableId, byte[] key, byte[] value) {
    ops.add(new Op(Space.TABLE, tableId, key, value));
    return this;
  }

  public WriteSet delete(long tableId, byte[] key) {
    ops.add(new Op(Space.TABLE, tableId, key, null));
    return this;
  }

  public WriteSet putMeta(byte[] key, byte[] value) {
    ops.add(new Op(Space.META, 0, key, value));
    return this;
  }

  public WriteSet deleteMeta(byte[] key) {
    ops.add(new Op(Space.META, 0, key, null));
    return this;
  }

  /** Appends a change record under (tableId, seq). */
  public WriteSet putChange(long tableId, long seq, byte[] record) {
    ops.add(new Op(Space.CHANGES, tableId, ChangeKeys.key(tableId, seq), record));
    return this;
  }

  /**
   * Deletes a key range of a table's space (a dropped index's entries). Range deletes apply before
   * the set's other operations, so a put in the same set survives.
   */
  public WriteSet deleteRange(long tableId, byte[] from, byte[] to) {
    rangeDeletes.add(new RangeDelete(tableId, from, to));
    return this;
  }

  public List<Op> ops() {
    return ops;
  }

  public List<RangeDelete> rangeDeletes() {
    return rangeDeletes;
  }

  public boolean isEmpty() {
    return ops.isEmpty() && rangeDeletes.isEmpty();
  }
}
