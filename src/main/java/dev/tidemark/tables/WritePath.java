package dev.tidemark.tables;

import dev.tidemark.changelog.ChangeRecord;
import dev.tidemark.changelog.ChangeRecordCodec;
import dev.tidemark.changelog.Sequencer;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.model.ItemSize;
import dev.tidemark.storage.ItemCodec;
import dev.tidemark.storage.Storage;
import dev.tidemark.storage.WriteSet;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The only way items change. Under one lock it reads the current items, lets each mutation decide
 * the new item (or refuse by throwing), and applies the items, their change records and the table
 * counters as one atomic batch. Holding the lock across read and write is what makes conditional
 * writes and updates race-free; the lock covers only in-memory work and a buffered WAL append.
 *
 * <p>Durability waits happen after the lock is released: in sync mode each writer waits until the
 * WAL is fsynced past its sequence number, and one fsync serves every writer that queued behind it
 * (group commit).
 */
public final class WritePath {
  private static final byte[] SEQ_KEY = "last-seq".getBytes(StandardCharsets.UTF_8);

  /**
   * Decides a write: gets the current item (null if none), returns the new item or null to delete.
   */
  @FunctionalInterface
  public interface Mutation {
    Map<String, AttributeValue> apply(Map<String, AttributeValue> current);
  }

  /**
   * One item write in a commit. {@code storageKey} is the item's encoded key in its table space.
   */
  public record ItemWrite(
      Table table, byte[] storageKey, Map<String, AttributeValue> key, Mutation mutation) {}

  /** What a write did. {@code changed} is false when the mutation left the item as it was. */
  public record Outcome(
      Map<String, AttributeValue> oldItem, Map<String, AttributeValue> newItem, boolean changed) {}

  /**
   * Adds derived entries (secondary-index entries, for example) to the batch of a changed item, so
   * that they commit atomically with it. Runs under the write lock; must not block.
   */
  @FunctionalInterface
  public interface BatchContributor {
    void contribute(
        WriteSet batch,
        Table table,
        Map<String, AttributeValue> oldItem,
        Map<String, AttributeValue> newItem);

    /**
     * Refuses a change the derived data cannot represent, by throwing. Runs under the write lock
     * right after the mutation decided the new item, before sequence numbers are assigned, so a
     * refusal aborts the whole commit and leaves no gap in the change log.
     */
    default void check(
        Table table, Map<String, AttributeValue> oldItem, Map<String, AttributeValue> newItem) {}
  }

  private final Storage storage;
  private final Sequencer sequencer;
  private final List<BatchContributor> contributors =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private final boolean syncDurability;
  private final ReentrantLock lock = new ReentrantLock();
  private final Object syncMonitor = new Object();
  private volatile long appliedSeq;
  private long syncedSeq;
  private boolean syncing;

  public WritePath(Storage storage, LongSupplier clock, boolean syncDurability) {
    this.storage = storage;
    byte[] last = storage.getMeta(SEQ_KEY);
    long lastSeq = last == null ? 0 : ByteBuffer.wrap(last).getLong();
    long lastTime = last == null ? 0 : ByteBuffer.wrap(last).getLong(8);
    this.sequencer = new Sequencer(clock, lastSeq, lastTime);
    this.appliedSeq = lastSeq;
    this.syncedSeq = lastSeq;
    this.syncDurability = syncDurability;
  }

  /** Commits all writes or none. A mutation that throws aborts the whole commit. */
  public List<Outcome> commit(List<ItemWrite> writes, ChangeRecord.Origin origin) {
    List<Outcome> outcomes = new ArrayList<>(writes.size());
    long lastSeq;
    lock.lock();
    try {
      for (ItemWrite w : writes) {
        if (!storage.hasTableSpace(w.table().id())) {
          throw DynamoException.tableNotFound();
        }
        byte[] raw = storage.get(w.table().id(), w.storageKey());
        Map<String, AttributeValue> current = raw == null ? null : ItemCodec.decode(raw);
        Map<String, AttributeValue> next = w.mutation().apply(current);
        boolean changed = !(current == null ? next == null : current.equals(next));
        if (changed) {
          for (BatchContributor c : contributors) {
            c.check(w.table(), current, next);
          }
        }
        outcomes.add(new Outcome(current, next, changed));
      }
      WriteSet ws = new WriteSet();
      long time = sequencer.nextTime();
      Map<Table, long[]> deltas = new HashMap<>();
      for (int i = 0; i < writes.size(); i++) {
        ItemWrite w = writes.get(i);
        Outcome o = outcomes.get(i);
        if (!o.changed()) {
          // DynamoDB writes no stream record when an item is left as it was; neither do we.
          continue;
        }
        long seq = sequencer.nextSeq();
        long id = w.table().id();
        if (o.newItem() == null) {
          ws.delete(id, w.storageKey());
        } else {
          ws.put(id, w.storageKey(), ItemCodec.encode(o.newItem()));
        }
        for (BatchContributor c : contributors) {
          c.contribute(ws, w.table(), o.oldItem(), o.newItem());
        }
        ws.putChange(
            id,
            seq,
            ChangeRecordCodec.encode(
                new ChangeRecord(id, seq, time, w.key(), o.oldItem(), o.newItem(), origin)));
        long[] d = deltas.computeIfAbsent(w.table(), t -> new long[2]);
        d[0] += (o.newItem() == null ? 0 : 1) - (o.oldItem() == null ? 0 : 1);
        d[1] +=
            (o.newItem() == null ? 0 : ItemSize.of(o.newItem()))
                - (o.oldItem() == null ? 0 : ItemSize.of(o.oldItem()));
      }
      if (ws.isEmpty()) {
        return outcomes;
      }
      for (Map.Entry<Table, long[]> e : deltas.entrySet()) {
        Table t = e.getKey();
        ws.putMeta(
            TableCatalog.statsKey(t.id()),
            TableCatalog.statsValue(
                t.itemCount.get() + e.getValue()[0], t.sizeBytes.get() + e.getValue()[1]));
      }
      ws.putMeta(
          SEQ_KEY, ByteBuffer.allocate(16).putLong(sequencer.lastSeq()).putLong(time).array());
      storage.apply(ws);
      for (Map.Entry<Table, long[]> e : deltas.entrySet()) {
        e.getKey().itemCount.addAndGet(e.getValue()[0]);
        e.getKey().sizeBytes.addAndGet(e.getValue()[1]);
      }
      lastSeq = sequencer.lastSeq();
      appliedSeq = lastSeq;
    } finally {
      lock.unlock();
    }
    if (syncDurability) {
      awaitDurable(lastSeq);
    }
    return outcomes;
  }

  /** Registers a contributor; every later commit calls it for each changed item. */
  public void addContributor(BatchContributor contributor) {
    contributors.add(contributor);
  }

  /** Runs catalog work that must not interleave with item writes (dropping a table's space). */
  public void exclusive(Runnable work) {
    lock.lock();
    try {
      work.run();
    } finally {
      lock.unlock();
    }
  }

  /**
   * A point in the change log: every commit so far has {@code seq <= seq}, and every later commit
   * gets a commit time of at least {@code timeFloor}.
   */
  public record Position(long seq, long timeFloor) {}

  /**
   * Captures the current position, raising the sequencer's time so that later commits cannot be
   * stamped earlier than the returned floor even if the wall clock steps back. The PITR archiver
   * uses it to know up to which instant its archive is complete.
   */
  public Position capturePosition() {
    lock.lock();
    try {
      return new Position(sequencer.lastSeq(), sequencer.nextTime());
    } finally {
      lock.unlock();
    }
  }

  /** Blocks until everything up to {@code seq} is durable in the WAL. */
  public void awaitDurableThrough(long seq) {
    if (syncDurability) {
      awaitDurable(seq);
    } else {
      storage.sync();
    }
  }

  /** The last sequence number applied; everything up to it is visible to readers. */
  public long appliedSeq() {
    return appliedSeq;
  }

  /**
   * Blocks until the WAL is durable through {@code seq}. The first waiter to find no sync running
   * becomes the leader and syncs everything applied so far; writers that arrive meanwhile wait and
   * are covered by the next sync, so one fsync serves a whole group.
   */
  private void awaitDurable(long seq) {
    long target;
    synchronized (syncMonitor) {
      while (true) {
        if (syncedSeq >= seq) {
          return;
        }
        if (!syncing) {
          syncing = true;
          target = appliedSeq;
          break;
        }
        try {
          syncMonitor.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for durability", e);
        }
      }
    }
    boolean synced = false;
    try {
      storage.sync();
      synced = true;
    } finally {
      synchronized (syncMonitor) {
        if (synced) {
          syncedSeq = Math.max(syncedSeq, target);
        }
        syncing = false;
        syncMonitor.notifyAll();
      }
    }
  }
}
