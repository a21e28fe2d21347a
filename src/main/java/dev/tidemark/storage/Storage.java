package dev.tidemark.storage;

/**
 * The storage engine seen by the rest of Tidemark. Each table incarnation owns a key space; a small
 * meta space holds the catalog and counters; the change log is keyed by (table id, sequence). One
 * {@link WriteSet} is applied atomically, so an item, its index entries and its change record are
 * never seen apart. The RocksDB engine implements it; a second engine only needs this interface.
 */
public interface Storage extends AutoCloseable {

  /** Creates the key space of a new table incarnation. Idempotent. */
  void createTableSpace(long tableId);

  /** Drops a table incarnation's key space and everything in it. Idempotent. */
  void dropTableSpace(long tableId);

  /** Drops several key spaces at once, which an engine may do more cheaply than one by one. */
  default void dropTableSpaces(java.util.Collection<Long> tableIds) {
    tableIds.forEach(this::dropTableSpace);
  }

  boolean hasTableSpace(long tableId);

  /** Every table space that exists. */
  java.util.Set<Long> tableSpaces();

  /** Reads one key of a table's space, or null. */
  byte[] get(long tableId, byte[] key);

  /** A key in a table's space, for {@link #getAll}. */
  record TableKey(long tableId, byte[] key) {}

  /**
   * Reads several keys, from any table spaces, as of one point in time: an applied {@link WriteSet}
   * is seen whole or not at all. Returns one value per key, in order, null where absent.
   */
  java.util.List<byte[]> getAll(java.util.List<TableKey> keys);

  /**
   * Iterates a table's space over {@code [lower, upper)} in key order, or reversed. Either bound
   * may be null for open. The cursor reads one consistent view of the space.
   */
  Cursor scan(long tableId, byte[] lower, byte[] upper, boolean reverse);

  byte[] getMeta(byte[] key);

  /** Iterates the meta space over keys starting with {@code prefix}. */
  Cursor scanMeta(byte[] prefix);

  /** Iterates the change log of one table over sequence numbers {@code [fromSeq, toSeq)}. */
  Cursor changes(long tableId, long fromSeq, long toSeq);

  /** Removes a table's change records with sequence numbers below {@code beforeSeq}. */
  void trimChanges(long tableId, long beforeSeq);

  /**
   * A consistent, read-only view of every space as of now. Writers are never blocked by it. Used
   * for backups and multi-item reads that must see one instant.
   */
  StorageSnapshot snapshot();

  /**
   * Starts a bulk load into an existing, empty table space: entries must be added in strictly
   * increasing key order; {@link BulkLoader#finish} makes them visible at once. Used by restores,
   * which must not replay items one by one.
   */
  BulkLoader bulkLoader(long tableId, java.nio.file.Path scratchDir);

  /** Applies every operation of the set atomically. It is durable once {@link #sync} returns. */
  void apply(WriteSet writes);

  /** Makes everything applied so far durable (fsync of the write-ahead log). */
  void sync();

  @Override
  void close();

  /** What the engine's files hold; nothing for engines without files. */
  default StorageUsage usage() {
    return StorageUsage.NONE;
  }
}
