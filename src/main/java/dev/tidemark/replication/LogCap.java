package dev.tidemark.replication;

import dev.tidemark.changelog.ChangeLog;
import dev.tidemark.storage.Storage;
import dev.tidemark.storage.WriteSet;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The cap on the change log held back for a peer that has not received it, and the peers marked for
 * a re-fill because they went past it.
 *
 * <p>The cap is an age ({@code --replication-max-lag}): the oldest record a peer still needs may be
 * at most that old. An age, not a record count, because it is one seek to check (the first record
 * after the peer's cursor) where a count needs a scan, and because it is what an operator plans
 * outages by. Past the cap the peer no longer holds retention back; it is marked, durably, and is
 * re-filled from a snapshot (the fill of a new replica) once it answers again. A log trimmed past a
 * cursor for any other reason (a replica created before this server knew the peer) gets the same
 * mark instead of a silent gap.
 *
 * <p>Meta key {@code repl/refill/<table id><region>}: the reason, present while the mark stands.
 */
final class LogCap {
  private static final byte[] PREFIX = "repl/refill/".getBytes(StandardCharsets.UTF_8);

  private final Storage storage;
  private final ChangeLog log;
  private final Duration maxLag;
  private final LongSupplier clock;
  private final Map<String, Optional<String>> marks = new ConcurrentHashMap<>();

  LogCap(Storage storage, ChangeLog log, Duration maxLag, LongSupplier clock) {
    this.storage = storage;
    this.log = log;
    this.maxLag = maxLag;
    this.clock = clock;
  }

  Duration maxLag() {
    return maxLag;
  }

  /** Why {@code peer}'s replica of the table waits for a re-fill, or null when it does not. */
  String mark(long tableId, String peer) {
    return marks
        .computeIfAbsent(
            name(tableId, peer),
            n -> {
              byte[] raw = storage.getMeta(key(tableId, peer));
              return Optional.ofNullable(
                  raw == null ? null : new String(raw, StandardCharsets.UTF_8));
            })
        .orElse(null);
  }

  /**
   * Why the log held for a peer whose cursor is at {@code cursor} is past the cap, or null when it
   * is not: its first unreceived record is older than the cap, or was trimmed already.
   */
  String overCap(long tableId, long cursor, long applied) {
    long horizon = log.trimmedBefore(tableId);
    if (horizon > cursor + 1) {
      return "the change log it had not received (from seq "
          + (cursor + 1)
          + ") was trimmed up to seq "
          + horizon;
    }
    if (cursor >= applied) {
      return null;
    }
    List<ChangeLog.Raw> first = log.readRaw(tableId, cursor + 1, applied + 1, 1);
    if (!first.isEmpty()
        && first.get(0).commitTimeMillis() < clock.getAsLong() - maxLag.toMillis()) {
      return "it had not received changes for longer than --replication-max-lag ("
          + human(maxLag)
          + ")";
    }
    return null;
  }

  /** Adds the mark to {@code w}; it counts from now on (callers apply {@code w} at once). */
  void mark(WriteSet w, long tableId, String peer, String reason) {
    w.putMeta(key(tableId, peer), reason.getBytes(StandardCharsets.UTF_8));
    marks.put(name(tableId, peer), Optional.of(reason));
  }

  void clear(WriteSet w, long tableId, String peer) {
    w.deleteMeta(key(tableId, peer));
    marks.put(name(tableId, peer), Optional.empty());
  }

  static String human(Duration d) {
    long s = d.toSeconds();
    if (d.toMillis() % 1000 != 0) {
      return d.toMillis() + "ms";
    }
    if (s % 86_400 == 0) {
      return s / 86_400 + "d";
    }
    if (s % 3_600 == 0) {
      return s / 3_600 + "h";
    }
    return s % 60 == 0 ? s / 60 + "m" : s + "s";
  }

  private static String name(long tableId, String peer) {
    return tableId + "/" + peer;
  }

  private static byte[] key(long tableId, String peer) {
    return key(PREFIX, tableId, peer);
  }

  /** A meta key per (table, peer): {@code prefix ‖ table id (8 bytes) ‖ region (UTF-8)}. */
  static byte[] key(byte[] prefix, long tableId, String peer) {
    byte[] r = peer.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(prefix.length + 8 + r.length)
        .put(prefix)
        .putLong(tableId)
        .put(r)
        .array();
  }
}
