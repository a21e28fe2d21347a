package dev.tidemark.backup;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How far each running restore is, measured: the plaintext bytes of the backup's data objects
 * loaded into the new table so far, out of the total its manifest lists. Kept per target table
 * while it is CREATING; gone when the restore ends either way.
 *
 * <p>The restore thread binds its {@link Progress} ({@link #bind}) while it fills the table, and
 * {@link SnapshotLoader} reports to whatever is bound: the total when it opens a manifest, each
 * object once it is loaded. So every restore that loads a backup through it (on-demand backups,
 * point-in-time restores from their base snapshot, AWS Backup restore jobs) is measured the same
 * way, and a load that is no restore (the cold packer's) reports nowhere. A point-in-time restore's
 * replay of the archive before the load is not in the fraction: it reads segments, not the
 * manifest's objects. A restore that reads no manifest (a cross-region fill from a peer) has no
 * total.
 */
public final class RestoreProgress {
  private static final ThreadLocal<Progress> BOUND = new ThreadLocal<>();

  private final Map<Long, Progress> running = new ConcurrentHashMap<>();

  /** One restore's counters. */
  public static final class Progress {
    private final AtomicLong loaded = new AtomicLong();
    private final AtomicLong total = new AtomicLong(-1);

    /** Sets the total once: the first manifest opened is the restore's whole. */
    void expect(long bytes) {
      total.compareAndSet(-1, bytes);
    }

    void loaded(long bytes) {
      loaded.addAndGet(bytes);
    }

    /** What has been measured so far. */
    public Snapshot snapshot() {
      long t = total.get();
      return new Snapshot(loaded.get(), t < 0 ? null : t);
    }
  }

  /**
   * @param bytesLoaded plaintext bytes of the backup's objects loaded so far
   * @param bytesTotal the plaintext bytes of every object the manifest lists, null until the loader
   *     has opened it (or when the restore reads none)
   */
  public record Snapshot(long bytesLoaded, Long bytesTotal) {
    /** Loaded over total, 0 to 1; null without a total. An empty backup is done at once. */
    public Double fraction() {
      if (bytesTotal == null) {
        return null;
      }
      return bytesTotal == 0 ? 1.0 : Math.min(1.0, (double) bytesLoaded / bytesTotal);
    }
  }

  /** Starts measuring the restore into {@code tableId}. */
  Progress begin(long tableId) {
    Progress p = new Progress();
    running.put(tableId, p);
    return p;
  }

  /** Stops measuring it: the table is ACTIVE or gone. */
  void end(long tableId) {
    running.remove(tableId);
  }

  /** The progress of the restore into this table, if one is running. */
  public Optional<Snapshot> of(long tableId) {
    Progress p = running.get(tableId);
    return p == null ? Optional.empty() : Optional.of(p.snapshot());
  }

  /** Makes {@code p} what this thread's loads report to, until {@link #unbind}. */
  static void bind(Progress p) {
    BOUND.set(p);
  }

  static void unbind() {
    BOUND.remove();
  }

  /** Reports a manifest's objects as the total, if this thread is restoring. */
  static void expect(List<DataObjectRef> objects) {
    Progress p = BOUND.get();
    if (p != null) {
      long sum = 0;
      for (DataObjectRef ref : objects) {
        sum += ref.plaintextSize();
      }
      p.expect(sum);
    }
  }

  /** Reports an object as loaded, if this thread is restoring. */
  static void loaded(DataObjectRef ref) {
    Progress p = BOUND.get();
    if (p != null) {
      p.loaded(ref.plaintextSize());
    }
  }
}
