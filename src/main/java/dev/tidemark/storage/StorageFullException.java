package dev.tidemark.storage;

/**
 * The engine refused a write because its disk is full (ENOSPC, or RocksDB's background error state
 * after one). Nothing of the refused write was applied. Unlike other storage failures this one is
 * expected to pass: RocksDB recovers by itself once space is freed, so callers answer it as a
 * retryable refusal rather than an internal error.
 */
public final class StorageFullException extends StorageException {
  public StorageFullException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Whether {@code e} (or one of its causes) says the disk is full: RocksDB's {@code NoSpace}
   * subcode, or the operating system's ENOSPC text as Java and RocksDB pass it on.
   */
  public static boolean isNoSpace(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StorageFullException) {
        return true;
      }
      if (t instanceof org.rocksdb.RocksDBException r
          && r.getStatus() != null
          && r.getStatus().getSubCode() == org.rocksdb.Status.SubCode.NoSpace) {
        return true;
      }
      String m = t.getMessage();
      if (m != null && (m.contains("No space left on device") || m.contains("Disk quota"))) {
        return true;
      }
    }
    return false;
  }
}
