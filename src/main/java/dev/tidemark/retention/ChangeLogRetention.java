package dev.tidemark.retention;

import dev.tidemark.changelog.ArchivedLog;
import dev.tidemark.changelog.RetentionFloor;
import dev.tidemark.streams.StreamDescriptor;
import dev.tidemark.tables.Database;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces change-log retention: drops records older than the retention period (24 hours by
 * default, DynamoDB Streams' window) from every table incarnation's log, dropped tables included,
 * and forgets disabled streams whose records have all aged out. Streams therefore retain exactly
 * what the change log retains.
 *
 * <p>Registered {@link RetentionFloor}s hold trimming back per table; the clock is injected so
 * tests decide what "now" is and call {@link #trimOnce()} directly.
 *
 * <p>Records an {@link ArchivedLog} holds (the PITR archive) are dropped early, by {@link
 * #trimArchivedOnce()}, unless a stream of the table may still read them: streams read only this
 * log, so a stream's window is kept for the whole retention period, while a table without one keeps
 * only what the archiver has not shipped yet. Without that, a table under PITR kept a second copy
 * of every write for 24 hours in the data directory.
 */
public final class ChangeLogRetention {
  private static final Logger log = LoggerFactory.getLogger(ChangeLogRetention.class);

  private final Database db;
  private final Duration retention;
  private final LongSupplier clock;
  private final List<RetentionFloor> floors = new CopyOnWriteArrayList<>();
  private final List<ArchivedLog> archives = new CopyOnWriteArrayList<>();

  public ChangeLogRetention(Database db, Duration retention, LongSupplier clock) {
    if (retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException("retention must be positive, not " + retention);
    }
    this.db = db;
    this.retention = retention;
    this.clock = clock;
  }

  public Duration retention() {
    return retention;
  }

  /** Adds a consumer whose unread records must survive retention. */
  public void addFloor(RetentionFloor floor) {
    floors.add(Objects.requireNonNull(floor));
  }

  /** Adds a consumer whose copy of the log lets records go before the retention period. */
  public void addArchive(ArchivedLog archive) {
    archives.add(Objects.requireNonNull(archive));
  }

  /** The lowest seq a registered floor keeps for the table. */
  private long keepFrom(long tableId) {
    long keepFrom = RetentionFloor.NONE;
    for (RetentionFloor f : floors) {
      keepFrom = Math.min(keepFrom, f.keepFrom(tableId));
    }
    return keepFrom;
  }

  /**
   * One early pass: drops archived records that no stream can read. Returns the number dropped.
   * Cheap when nothing is archived, so it may run every few seconds.
   */
  public int trimArchivedOnce() {
    if (archives.isEmpty()) {
      return 0;
    }
    Map<Long, Long> streamNeeds = null;
    int dropped = 0;
    long last = db.catalog().lastAllocatedId();
    for (long id = 1; id <= last && !Thread.currentThread().isInterrupted(); id++) {
      long below = Long.MAX_VALUE;
      for (ArchivedLog a : archives) {
        below = Math.min(below, a.archivedBelow(id));
      }
      if (below <= ArchivedLog.NONE) {
        continue;
      }
      if (streamNeeds == null) {
        streamNeeds = streamNeeds();
      }
      below = Math.min(below, streamNeeds.getOrDefault(id, Long.MAX_VALUE));
      below = Math.min(below, keepFrom(id));
      if (below > 0) {
        dropped += db.changeLog().trimBelow(id, below);
      }
    }
    if (dropped > 0) {
      log.debug("Retention dropped {} archived change records early", dropped);
    }
    return dropped;
  }

  /**
   * For each table id, the first seq some stream may still read: the lowest start of its streams
   * whose window is not empty. Disabled streams count until retention forgets them.
   */
  private Map<Long, Long> streamNeeds() {
    Map<Long, Long> needs = new HashMap<>();
    for (StreamDescriptor s : db.streams().list(null, null, Integer.MAX_VALUE)) {
      if (s.endSeq() == null || s.endSeq() > s.startSeq()) {
        needs.merge(s.tableId(), s.startSeq(), Math::min);
      }
    }
    return needs;
  }

  /** One pass; returns the number of change records dropped. */
  public int trimOnce() {
    long cutoff = clock.getAsLong() - retention.toMillis();
    int dropped = 0;
    // Ids are never reused, so every log that may hold records has an id up to the last allocated.
    long last = db.catalog().lastAllocatedId();
    for (long id = 1; id <= last && !Thread.currentThread().isInterrupted(); id++) {
      dropped += db.changeLog().trimBefore(id, cutoff, keepFrom(id));
    }
    int streams;
    synchronized (db.catalog()) {
      streams = db.streams().expire(cutoff);
    }
    if (dropped > 0 || streams > 0) {
      log.debug("Retention dropped {} change records and {} disabled streams", dropped, streams);
    }
    return dropped;
  }
}
