package dev.tidemark.replication;

import dev.tidemark.changelog.ItemStamp;
import dev.tidemark.storage.Cursor;
import dev.tidemark.storage.Storage;
import dev.tidemark.storage.StorageSnapshot;
import dev.tidemark.storage.WriteSet;
import dev.tidemark.tables.WritePath;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Collects the tombstones of a replicated table once no region can still send a version they must
 * beat, and drops such versions when they arrive late anyway.
 *
 * <p><b>Watermarks.</b> With each batch (and a heartbeat when idle) a region tells a peer {@code
 * through}: every write it accepted itself with a commit time below it has now been delivered to
 * that peer. Commit times never go backwards (the sequencer), and a local write's stamp time is at
 * least its commit time, so the receiver learns: no write of that origin with a stamp time below
 * {@code through} is still on its way. The sender also learns what the peer has received. A region
 * that is filling a peer (a new replica, a re-fill) claims nothing to it until the fill is done.
 *
 * <p><b>The horizon.</b> For a table whose members are all ACTIVE, the horizon is the lowest of
 * every peer's incoming and outgoing watermark, minus the grace ({@code
 * --replication-tombstone-grace}). A tombstone below it was received by every peer, and every
 * version it could lose to has arrived here: it is removed. A record that arrives later with a
 * stamp below the horizon is a delivery of something already applied (a retry, a duplicate, a
 * replay of an old request): it is dropped, so it cannot bring a collected item back. The horizon
 * is durable (meta key {@code repl/gc/<table id>}, only ever raised) and raised before any
 * tombstone below it is removed; the watermarks live in memory and start again after a restart.
 */
final class Tombstones {
  private static final byte[] PREFIX = "repl/gc/".getBytes(StandardCharsets.UTF_8);
  private static final int BATCH = 512;

  private final Storage storage;
  private final WritePath writes;
  private final Duration grace;
  private final Map<String, Long> incoming = new ConcurrentHashMap<>();
  private final Map<String, Long> outgoing = new ConcurrentHashMap<>();
  private final Map<Long, Long> horizons = new ConcurrentHashMap<>();
  private final AtomicLong collected = new AtomicLong();
  private final AtomicLong lateDropped = new AtomicLong();

  Tombstones(Storage storage, WritePath writes, Duration grace) {
    this.storage = storage;
    this.writes = writes;
    this.grace = grace;
  }

  /** {@code from} has delivered here every write it accepted with a commit time below this. */
  void received(long tableId, String from, long through) {
    incoming.merge(tableId + "/" + from, through, Math::max);
  }

  /** {@code peer} has received every write of this region with a commit time below this. */
  void acknowledged(long tableId, String peer, long through) {
    outgoing.merge(tableId + "/" + peer, through, Math::max);
  }

  /** Stamps with a time below this are collected here, and arrive only as late duplicates. */
  long horizon(long tableId) {
    return horizons.computeIfAbsent(
        tableId,
        id -> {
          byte[] raw = storage.getMeta(key(id));
          return raw == null ? 0L : ByteBuffer.wrap(raw).getLong();
        });
  }

  /** Counts a record dropped because its stamp is below the horizon. */
  void droppedLate() {
    lateDropped.incrementAndGet();
  }

  long collected() {
    return collected.get();
  }

  long lateDropped() {
    return lateDropped.get();
  }

  /**
   * One pass over a table whose members (all ACTIVE, none waiting for a re-fill: the caller checks)
   * are {@code peers}: raises the horizon if every watermark allows, then removes the tombstones
   * below it. Returns how many were removed.
   */
  int collect(long tableId, Collection<String> peers) {
    long next = Long.MAX_VALUE;
    for (String p : peers) {
      Long in = incoming.get(tableId + "/" + p);
      Long out = outgoing.get(tableId + "/" + p);
      if (in == null || out == null) {
        return 0; // not heard from since start: nothing is known
      }
      next = Math.min(next, Math.min(in, out));
    }
    if (peers.isEmpty()) {
      return 0;
    }
    next -= grace.toMillis();
    if (next <= horizon(tableId)) {
      return 0;
    }
    // Durable and visible before any removal: from here on a late version is dropped.
    storage.apply(
        new WriteSet().putMeta(key(tableId), ByteBuffer.allocate(8).putLong(next).array()));
    storage.sync();
    horizons.put(tableId, next);
    int removed = 0;
    List<byte[]> batch = new ArrayList<>();
    try (StorageSnapshot snapshot = storage.snapshot();
        Cursor c = snapshot.scan(tableId, new byte[] {ItemStamp.STAMP_PREFIX}, null, false)) {
      while (c.next()) {
        byte[] v = c.value();
        if (ItemStamp.isTombstone(v) && ItemStamp.decode(v).timeMillis() < next) {
          batch.add(c.key());
          if (batch.size() >= BATCH) {
            removed += remove(tableId, batch, next);
          }
        }
      }
    }
    removed += remove(tableId, batch, next);
    collected.addAndGet(removed);
    return removed;
  }

  /**
   * Removes the batch under the write lock, each only if it is still a tombstone below the horizon:
   * a write may have replaced it since the scan.
   */
  private int remove(long tableId, List<byte[]> keys, long below) {
    int[] n = new int[1];
    if (!keys.isEmpty()) {
      writes.exclusive(
          () -> {
            WriteSet w = new WriteSet();
            for (byte[] k : keys) {
              byte[] v = storage.get(tableId, k);
              if (v != null
                  && ItemStamp.isTombstone(v)
                  && ItemStamp.decode(v).timeMillis() < below) {
                w.delete(tableId, k);
                n[0]++;
              }
            }
            if (n[0] > 0) {
              storage.apply(w);
            }
          });
    }
    keys.clear();
    return n[0];
  }

  /** Forgets a table's watermarks (it left the group or was deleted). */
  void forget(long tableId) {
    String p = tableId + "/";
    incoming.keySet().removeIf(k -> k.startsWith(p));
    outgoing.keySet().removeIf(k -> k.startsWith(p));
    horizons.remove(tableId);
  }

  /** The meta key of a table's horizon. */
  static byte[] key(long tableId) {
    return ByteBuffer.allocate(PREFIX.length + 8).put(PREFIX).putLong(tableId).array();
  }
}
