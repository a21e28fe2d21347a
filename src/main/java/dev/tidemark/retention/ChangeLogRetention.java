package dev.tidemark.retention;

import dev.tidemark.changelog.RetentionFloor;
import dev.tidemark.tables.Database;
import java.time.Duration;
import java.util.List;
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
 */
public final class ChangeLogRetention {
  private static final Logger log = LoggerFactory.getLogger(ChangeLogRetention.class);

  private final Database db;
  private final Duration retention;
  private final LongSupplier clock;
  private final List<RetentionFloor> floors = new CopyOnWriteArrayList<>();

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

  /** One pass; returns the number of change records dropped. */
  public int trimOnce() {
    long cutoff = clock.getAsLong() - retention.toMillis();
    int dropped = 0;
    // Ids are never reused, so every log that may hold records has an id up to the last allocated.
    long last = db.catalog().lastAllocatedId();
    for (long id = 1; id <= last && !Thread.currentThread().isInterrupted(); id++) {
      long keepFrom = RetentionFloor.NONE;
      for (RetentionFloor f : floors) {
        keepFrom = Math.min(keepFrom, f.keepFrom(id));
      }
      dropped += db.changeLog().trimBefore(id, cutoff, keepFrom);
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
