package dev.tidemark.space;

import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the free space of the data directory and of the backup store, and refuses writes while
 * either is below the reserve ({@code --min-free-space}), so that compaction, the write-ahead log,
 * a restart and DeleteTable always keep room, and so that a full disk is answered with a clear,
 * retryable error instead of an internal one.
 *
 * <p>The request path pays one volatile read: {@link #checkDataWritable} looks at a field that the
 * sampler ({@link #sampleOnce}, every 200 ms on its own thread) and the write path's ENOSPC handler
 * ({@link #dataWriteFailed}) set. No system call is made per request.
 *
 * <p><b>Why ServiceUnavailable (HTTP 503).</b> It is in DynamoDB's catalogue of errors ("the
 * service is currently unavailable; this should be a temporary state", retry: yes), and every AWS
 * SDK retries 5xx answers with back-off, so clients ride out a short episode unchanged and report a
 * long one with our message. The other retryable candidates say something false:
 * ThrottlingException and ProvisionedThroughputExceededException blame the caller's request rate,
 * and InternalServerError (500) is what an unexplained failure looks like.
 *
 * <p>An episode is logged once when it starts, with the numbers and what uses the space, and once
 * when it ends; never per request. It ends when free space is back above the reserve plus an eighth
 * (so that a volume hovering at the line does not flap) and, for the data directory, a probe write
 * succeeds (RocksDB, after a failed write, stays read-only until its own recovery has run).
 */
public final class DiskSpace {
  private static final Logger log = LoggerFactory.getLogger(DiskSpace.class);

  /** The default reserve: 5% of the volume, at most 512 MiB. */
  public static long defaultMinFree(long totalBytes) {
    return Math.min(512L << 20, totalBytes / 20);
  }

  /** Never refuses; for in-memory servers and tests that do not watch a disk. */
  public static final DiskSpace UNLIMITED = new DiskSpace(null, null, 0, () -> {}, () -> "", null);

  /** One watched volume and its episode state. */
  private static final class Watch {
    final String label;
    final String refusalText;
    final Volume volume;
    volatile DynamoException refusal;

    /** Set when the engine itself refused a write for lack of space, in this episode. */
    volatile boolean engineRefused;

    /** When free space was first seen back above the line while the engine still refused. */
    long roomSince;

    boolean stuckReported;
    volatile long free = -1;
    volatile long total = -1;
    volatile long since;
    final LongAdder refused = new LongAdder();
    boolean samplingFailed;

    Watch(String label, String refusalText, Volume volume) {
      this.label = label;
      this.refusalText = refusalText;
      this.volume = volume;
    }
  }

  private final Watch data;
  private final Watch store;
  private final long minFreeBytes;
  private final Runnable dataProbe;
  private final Supplier<String> dataUsage;
  private final ReserveFile reserve;
  private final LongSupplier clock = System::currentTimeMillis;

  /**
   * @param dataVolume the data directory's volume, or null (in memory)
   * @param storeVolume the backup store's volume, or null (not a local directory)
   * @param minFreeBytes the reserve: writes are refused while a volume has less free space
   * @param dataProbe a tiny engine write; throws while the engine still refuses writes
   * @param dataUsage what uses the data directory's space, for the log
   * @param reserve the data directory's reserve file to restore when there is room, or null
   */
  public DiskSpace(
      Volume dataVolume,
      Volume storeVolume,
      long minFreeBytes,
      Runnable dataProbe,
      Supplier<String> dataUsage,
      ReserveFile reserve) {
    if (minFreeBytes < 0) {
      throw new IllegalArgumentException("the reserve cannot be negative: " + minFreeBytes);
    }
    this.data =
        dataVolume == null
            ? null
            : new Watch(
                "data directory",
                "The data directory's disk is full; writes resume when space is freed.",
                dataVolume);
    this.store =
        storeVolume == null
            ? null
            : new Watch(
                "backup store",
                "The backup store's disk is full; backups resume when space is freed.",
                storeVolume);
    this.minFreeBytes = minFreeBytes;
    this.dataProbe = dataProbe;
    this.dataUsage = dataUsage;
    this.reserve = reserve;
  }

  public long minFreeBytes() {
    return minFreeBytes;
  }

  /** Refuses with ServiceUnavailable while the data directory is full. One volatile read. */
  public void checkDataWritable() {
    check(data);
  }

  /** Refuses with ServiceUnavailable while the backup store is full. */
  public void checkStoreWritable() {
    check(store);
  }

  private static void check(Watch w) {
    if (w == null) {
      return;
    }
    DynamoException refusal = w.refusal;
    if (refusal != null) {
      w.refused.increment();
      throw refusal;
    }
  }

  /** Whether the data directory is in a full episode now. */
  public boolean dataFull() {
    return data != null && data.refusal != null;
  }

  public boolean storeFull() {
    return store != null && store.refusal != null;
  }

  /**
   * The engine refused a write for lack of space (the disk filled between two samples, or something
   * else filled it): starts an episode at once.
   *
   * @return the refusal to answer the request with
   */
  public DynamoException dataWriteFailed(Throwable cause) {
    Watch w = data;
    if (w == null) {
      return WireError.SERVICE_UNAVAILABLE.exception(
          "The data directory's disk is full; writes resume when space is freed.");
    }
    synchronized (this) {
      if (w.refusal == null) {
        enter(w, "the storage engine reported that the disk is full (" + rootCause(cause) + ")");
      }
      w.engineRefused = true;
    }
    w.refused.increment();
    return w.refusal;
  }

  /**
   * The refusal to answer instead of syncing the write-ahead log, while the engine is known to
   * refuse writes for lack of space; null otherwise. One volatile read.
   */
  public DynamoException engineRefusal() {
    Watch w = data;
    return w != null && w.engineRefused ? w.refusal : null;
  }

  /**
   * A storage failure that does not say "no space" (a WAL sync after a failed append reports only
   * "previous error"): the refusal if the engine refused a write for lack of space just before,
   * else null. Waits a few milliseconds for the append's own failure to be reported; this runs only
   * on a failure.
   */
  public DynamoException explainEngineFailure(RuntimeException e) {
    Watch w = data;
    if (w == null) {
      return null;
    }
    for (int i = 0; i < 20 && !w.engineRefused; i++) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return w.engineRefused ? w.refusal : null;
  }

  /** The backup store refused an object for lack of space: starts an episode at once. */
  public void storeWriteFailed(Throwable cause) {
    Watch w = store;
    if (w == null) {
      return;
    }
    synchronized (this) {
      if (w.refusal == null) {
        enter(w, "a write to it failed (" + rootCause(cause) + ")");
      }
    }
  }

  /** One sample of both volumes; the sampler thread calls it every 200 ms. */
  public synchronized void sampleOnce() {
    for (Watch w : watches()) {
      try {
        w.free = w.volume.usableBytes();
        w.total = w.volume.totalBytes();
        w.samplingFailed = false;
      } catch (IOException | RuntimeException e) {
        if (!w.samplingFailed) {
          log.warn("Cannot read the free space of the {} at {}: {}", w.label, w.volume.path(), e);
          w.samplingFailed = true;
        }
        continue;
      }
      if (w.refusal == null) {
        if (w.free < minFreeBytes) {
          enter(w, "free space is below the reserve");
        }
      } else if (w.free >= minFreeBytes + minFreeBytes / 8) {
        if (probe(w)) {
          leave(w);
        } else {
          reportIfStuck(w);
        }
      }
    }
    if (data != null && data.refusal == null && reserve != null && data.free >= 0) {
      try {
        if (reserve.restoreIfRoom(data.free, minFreeBytes, minFreeBytes / 8)) {
          log.info(
              "Wrote {} ({}), space kept back so that a restart on a full disk still succeeds",
              reserve.path(),
              bytes(reserve.bytes()));
        }
      } catch (IOException e) {
        log.debug("could not write the space reserve {}", reserve.path(), e);
      }
    }
  }

  /**
   * RocksDB resumes by itself after a write failed for lack of space, once there is room; but some
   * failures (a WAL sync racing with the failed append) leave it read-only until it is reopened.
   * Say so once, after a grace period, so that an operator restarts the server.
   */
  private void reportIfStuck(Watch w) {
    long now = clock.getAsLong();
    if (w.roomSince == 0) {
      w.roomSince = now;
    } else if (!w.stuckReported && now - w.roomSince > 30_000) {
      w.stuckReported = true;
      log.error(
          "The data directory's disk has room again ({} free) but the storage engine has not"
              + " resumed writing for {} s: restart Tidemark to resume writes. Acknowledged"
              + " writes are safe; reads keep working.",
          bytes(w.free),
          (now - w.roomSince) / 1000);
    }
  }

  private boolean probe(Watch w) {
    if (w != data) {
      return true;
    }
    try {
      dataProbe.run();
      return true;
    } catch (RuntimeException e) {
      // The engine has not recovered from its write error yet (it polls for space itself).
      log.debug("data directory still refuses writes: {}", e.toString());
      return false;
    }
  }

  private List<Watch> watches() {
    List<Watch> out = new ArrayList<>(2);
    if (data != null) {
      out.add(data);
    }
    if (store != null) {
      out.add(store);
    }
    return out;
  }

  // Guarded by this.
  private void enter(Watch w, String why) {
    w.since = clock.getAsLong();
    w.refused.reset();
    w.refusal = WireError.SERVICE_UNAVAILABLE.exception(w.refusalText);
    StringBuilder m = new StringBuilder();
    m.append("The ")
        .append(w.label)
        .append("'s disk is full: ")
        .append(why)
        .append("; ")
        .append(bytes(w.free))
        .append(" free of ")
        .append(bytes(w.total))
        .append(" at ")
        .append(w.volume.path())
        .append(", reserve ")
        .append(bytes(minFreeBytes))
        .append(" (--min-free-space). ");
    if (w == data) {
      m.append("Writes are refused with ServiceUnavailable until space is freed; reads,")
          .append(" DeleteTable and deleting an index keep working. Space used: ");
      try {
        m.append(dataUsage.get());
      } catch (RuntimeException e) {
        m.append("unknown (").append(e).append(')');
      }
      m.append(". `tidemark status` shows more.");
    } else {
      m.append("Backups (and deleting a table with PITR on) are refused; the PITR archive")
          .append(" goes on until the disk is completely full, then falls behind (nothing is")
          .append(" lost: the change log keeps what it has not shipped) until space is freed.");
    }
    log.warn("{}", m);
  }

  // Guarded by this.
  private void leave(Watch w) {
    long seconds = (clock.getAsLong() - w.since) / 1000;
    w.engineRefused = false;
    w.roomSince = 0;
    w.stuckReported = false;
    w.refusal = null;
    log.info(
        "The {}'s disk has room again ({} free); {} resume after {} s ({} requests were refused)",
        w.label,
        bytes(w.free),
        w == data ? "writes" : "backups",
        seconds,
        w.refused.sum());
  }

  /** What an operator sees of one volume. */
  public record VolumeStatus(
      String label,
      String path,
      long freeBytes,
      long totalBytes,
      long minFreeBytes,
      boolean full,
      long fullSinceMillis,
      long refusedSinceFull) {}

  public List<VolumeStatus> status() {
    List<VolumeStatus> out = new ArrayList<>();
    for (Watch w : watches()) {
      boolean full = w.refusal != null;
      out.add(
          new VolumeStatus(
              w.label,
              w.volume.path(),
              w.free,
              w.total,
              minFreeBytes,
              full,
              full ? w.since : 0,
              full ? w.refused.sum() : 0));
    }
    return out;
  }

  private static String rootCause(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.toString() : c.getMessage();
  }

  /** Bytes for people: 1.5 GiB, 12.0 MiB, 512 B. */
  public static String bytes(long n) {
    if (n < 0) {
      return "unknown";
    }
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
