package dev.tidemark.backup;

import dev.tidemark.backup.store.ObjectStore;
import java.io.IOException;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which of one table's data objects the store holds, and their stored sizes, as a {@link
 * BackupWriter} asks (is this content stored already? is this base object still there?): one
 * listing of the table's data prefix, taken at the first question, instead of one size request per
 * object. On S3 each size request is a HEAD, a round trip and a full request on both sides; a 1 GiB
 * backup asked about a thousand of them.
 *
 * <p>The listing stays true for the writer's life, as each HEAD's answer did: data objects are
 * deleted only by garbage collection ({@link BackupRepository#deleteBackup}, {@link
 * BackupRepository#collectOrphans}), which waits for every open writer of the table, and the
 * listing is taken with the writer open. A name the listing lacks was absent when it was taken; if
 * another writer of the table stores it since, the upload meets the existing object and the store's
 * overwrite rules decide, as they did when two uploads raced past their HEADs.
 *
 * <p>Memory: a listing of more than {@link #MAX_HELD} objects (a table of over 100 GiB) is not
 * kept; the writer then asks about each object as before.
 */
final class StoredDataObjects {
  static final int MAX_HELD = 100_000;

  private final ObjectStore store;
  private final String prefix;

  /** Null until the first question; then the listing, or null again if it was too large. */
  private Map<String, Long> sizes;

  private boolean listed;

  StoredDataObjects(ObjectStore store, String tableId) {
    this.store = store;
    this.prefix = BackupLayout.dataPrefix(tableId);
  }

  /** The stored size of data object {@code name}, or empty if the store does not hold it. */
  OptionalLong size(String name) throws IOException {
    Map<String, Long> held = listing();
    if (held == null) {
      return store.size(name);
    }
    Long size = held.get(name);
    return size == null ? OptionalLong.empty() : OptionalLong.of(size);
  }

  /** Records an object the writer has just stored, so that content repeated later finds it. */
  void stored(String name, long size) {
    Map<String, Long> held;
    synchronized (this) {
      held = sizes;
    }
    if (held != null) {
      held.put(name, size);
    }
  }

  private synchronized Map<String, Long> listing() throws IOException {
    if (!listed) {
      Map<String, Long> all = store.sizes(prefix);
      sizes = all.size() > MAX_HELD ? null : new ConcurrentHashMap<>(all);
      listed = true;
    }
    return sizes;
  }
}
