package dev.tidemark.storage;

import java.util.Map;

/**
 * What the engine's files hold, for an operator deciding what to free. Sizes are bytes on disk (SST
 * files, including versions still pinned by snapshots) except {@code memtableBytes}, which is
 * memory whose flush will need disk.
 *
 * @param tableBytes per table incarnation id: its items and secondary-index entries
 * @param changeLogBytes the change log (kept for Streams retention and for the PITR archiver)
 * @param metaBytes the catalog and counters
 * @param walBytes write-ahead log files not yet obsolete
 * @param memtableBytes data in memory that a flush will write
 * @param pendingCompactionBytes RocksDB's estimate of the bytes compaction still has to rewrite
 *     (compaction debt), which needs about as much free space while it runs
 */
public record StorageUsage(
    Map<Long, Long> tableBytes,
    long changeLogBytes,
    long metaBytes,
    long walBytes,
    long memtableBytes,
    long pendingCompactionBytes) {
  public static final StorageUsage NONE = new StorageUsage(Map.of(), 0, 0, 0, 0, 0);

  public StorageUsage {
    tableBytes = Map.copyOf(tableBytes);
  }
}
