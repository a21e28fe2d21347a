package dev.tidemark.history;

import dev.tidemark.api.ItemKeys;
import dev.tidemark.changelog.ChangeLog;
import dev.tidemark.changelog.ChangeRecord;
import dev.tidemark.changelog.Writers;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.pitr.PitrService;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.Table;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Every version of one item that history still holds: the PITR archive (when PITR is on) followed
 * by the change log records not archived yet, or the change log alone (its retention window) when
 * PITR is off. Wire-free; the console's {@code ListItemVersions} and {@code tidemark history} serve
 * it.
 *
 * <p>Archived records carry no old image (the archive keeps what a replay needs), so a version's
 * event is worked out from the one before it: INSERT when the item did not exist, MODIFY when it
 * did. The first archived write of an item that may already have been in the window's base snapshot
 * is a {@code WRITE}: reading the base to tell would cost a restore.
 *
 * <p>The history is read whole and filtered by key (the log and the archive are ordered by commit,
 * not by key), so its cost grows with the table's write volume over the window, not with the
 * item's; it is a tool for finding a bad write, not a per-request read.
 */
public final class ItemHistory {
  private static final int LOG_CHUNK = 1000;

  /** The event of a write whose item may or may not have existed before it (see above). */
  public static final String WRITE = "WRITE";

  /**
   * One write of the item.
   *
   * @param eventName INSERT, MODIFY, REMOVE, or {@link #WRITE}
   * @param oldImage the item before it when the record kept it, else null (the previous version's
   *     new image is the same item)
   * @param newImage the item after it, null when it was deleted
   * @param writer who wrote it: a principal ARN ({@code --auth iam}) or access key id (open mode)
   *     when {@code writerKnown}, otherwise why no identity is known
   * @param writerKnown whether the record named its writer
   */
  public record Version(
      long seq,
      long commitTimeMillis,
      String eventName,
      ChangeRecord.Origin origin,
      Map<String, AttributeValue> oldImage,
      Map<String, AttributeValue> newImage,
      String writer,
      boolean writerKnown) {
    public Version {
      Objects.requireNonNull(eventName);
      Objects.requireNonNull(origin);
      Objects.requireNonNull(writer);
    }

    static Version of(ChangeRecord r, String eventName, Writers writers) {
      Map<String, AttributeValue> old =
          r.oldImage() == null || r.oldImage().isEmpty() ? null : r.oldImage();
      String name = writers.name(r.writer());
      return new Version(
          r.seq(),
          r.commitTimeMillis(),
          eventName,
          r.origin(),
          old,
          r.newImage(),
          name != null ? name : unnamed(r),
          name != null);
    }

    /** Why a record names no writer. */
    private static String unnamed(ChangeRecord r) {
      if (r.writer() == Writers.UNKNOWN) {
        return UNKNOWN_WRITER;
      }
      return switch (r.origin()) {
        case TTL_EXPIRY -> "dynamodb.amazonaws.com (TTL expiry)";
        case REPLICATION -> "replication from another region";
        case USER -> "unknown (not written through a signed API request)";
      };
    }
  }

  /** The writer shown for records written before change records named their writers. */
  public static final String UNKNOWN_WRITER = "unknown (written before identities were recorded)";

  /**
   * The answer.
   *
   * @param pitr whether the archive was read (PITR is on)
   * @param earliestMillis the earliest instant the history covers: the PITR window's start, or the
   *     oldest change record still in the log (null when the log is empty)
   * @param versions oldest first; the newest {@code limit} when {@code truncated}
   */
  public record Versions(
      boolean pitr, Long earliestMillis, List<Version> versions, boolean truncated) {
    public Versions {
      versions = List.copyOf(versions);
    }
  }

  private final Database db;
  private final PitrService pitr;

  public ItemHistory(Database db, PitrService pitr) {
    this.db = Objects.requireNonNull(db);
    this.pitr = Objects.requireNonNull(pitr);
  }

  /**
   * The versions of the item with this (validated) key, oldest first, at most {@code limit} (the
   * newest ones).
   */
  public Versions of(Table table, Map<String, AttributeValue> key, int limit) throws IOException {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive");
    }
    byte[] wanted = ItemKeys.storageKey(table.keySchema(), key);
    java.util.function.Predicate<ChangeRecord> ofKey =
        r -> Arrays.equals(wanted, ItemKeys.storageKey(table.keySchema(), r.key()));
    // The log first, then the archive: retention drops only records already archived, so every
    // record below the log's horizon at the first read is in the archive at the second. A record
    // in both is taken from the log, which knows whether the item existed before it.
    NavigableMap<Long, ChangeRecord> fromLog = new TreeMap<>();
    ChangeLog log = db.changeLog();
    long first = Long.MAX_VALUE;
    for (long next = 0; ; ) {
      List<ChangeRecord> chunk = log.read(table.id(), next, Long.MAX_VALUE, LOG_CHUNK);
      for (ChangeRecord r : chunk) {
        first = Math.min(first, r.commitTimeMillis());
        if (ofKey.test(r)) {
          fromLog.put(r.seq(), r);
        }
      }
      if (chunk.size() < LOG_CHUNK) {
        break;
      }
      next = chunk.get(chunk.size() - 1).seq() + 1;
    }
    PitrService.Status status = pitr.status(table);
    NavigableMap<Long, ChangeRecord> fromArchive = new TreeMap<>();
    boolean archive =
        pitr.readArchive(
                table.id(),
                r -> {
                  if (ofKey.test(r) && !fromLog.containsKey(r.seq())) {
                    fromArchive.put(r.seq(), r);
                  }
                })
            >= 0;
    Collector c = new Collector(limit, db.writePath().writers());
    NavigableMap<Long, Boolean> order = new TreeMap<>();
    fromLog.keySet().forEach(seq -> order.put(seq, false));
    fromArchive.keySet().forEach(seq -> order.put(seq, true));
    order.forEach(
        (seq, archived) -> c.offer(archived ? fromArchive.get(seq) : fromLog.get(seq), archived));
    Long earliest =
        archive && status.enabled()
            ? status.earliestMillis()
            : first == Long.MAX_VALUE ? null : Long.valueOf(first);
    return new Versions(archive, earliest, List.copyOf(c.kept), c.truncated);
  }

  /** Keeps the newest {@code limit} records of one key. */
  private static final class Collector {
    final int limit;
    final Writers writers;
    final Deque<Version> kept = new ArrayDeque<>();
    boolean truncated;

    /** Whether the item existed after the last version seen; null before the first. */
    Boolean exists;

    Collector(int limit, Writers writers) {
      this.limit = limit;
      this.writers = writers;
    }

    /** Records of the key, in seq order. */
    void offer(ChangeRecord r, boolean archived) {
      // The log keeps whether the item existed (an old image, possibly without attributes); the
      // archive keeps old images of deletes only.
      Boolean existed = exists != null ? exists : archived ? null : r.oldImage() != null;
      String event =
          r.newImage() == null ? "REMOVE" : existed == null ? WRITE : existed ? "MODIFY" : "INSERT";
      exists = r.newImage() != null;
      kept.addLast(Version.of(r, event, writers));
      if (kept.size() > limit) {
        kept.removeFirst();
        truncated = true;
      }
    }
  }
}
