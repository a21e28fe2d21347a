package dev.tidemark.tables;

import dev.tidemark.changelog.ChangeRecord;
import dev.tidemark.changelog.ChangeRecordCodec;
import dev.tidemark.changelog.ItemStamp;
import dev.tidemark.changelog.Sequencer;
import dev.tidemark.changelog.Writers;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.model.ItemSize;
import dev.tidemark.space.DiskSpace;
import dev.tidemark.storage.ItemCodec;
import dev.tidemark.storage.Storage;
import dev.tidemark.storage.StorageFullException;
import dev.tidemark.storage.WriteSet;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only way items change. Under one lock it reads the current items, lets each mutation decide
 * the new item (or refuse by throwing), and applies the items, their change records and the table
 * counters as one atomic batch. Holding the lock across read and write is what makes conditional
 * writes and updates race-free; the lock covers only in-memory work and a buffered WAL append.
 *
 * <p>Durability waits happen after the lock is released: in sync mode each writer waits until the
 * WAL is fsynced past its sequence number, and one fsync serves every writer that queued behind it
 * (group commit).
 *
 * <p>A request thread need not wait at all: between {@link #deferDurability} and {@link
 * #endDeferral} its commits only record the sequence number they need durable, and {@link
 * #whenDurable} runs the acknowledgement once a sync covers it. A dedicated thread performs those
 * syncs, so the network thread that applied the write goes straight back to serving other
 * connections instead of parking until the fsync returns.
 */
public final class WritePath {
  private static final Logger log = LoggerFactory.getLogger(WritePath.class);
  private static final byte[] SEQ_KEY = "last-seq".getBytes(StandardCharsets.UTF_8);
  private static final byte[] STAMP_FLOOR_KEY = "stamp-floor".getBytes(StandardCharsets.UTF_8);

  /**
   * Decides a write: gets the current item (null if none), returns the new item or null to delete.
   */
  @FunctionalInterface
  public interface Mutation {
    Map<String, AttributeValue> apply(Map<String, AttributeValue> current);
  }

  /**
   * One item write in a commit. {@code storageKey} is the item's encoded key in its table space.
   * {@code stamp} is null for a write accepted in this region; a replicated write carries the stamp
   * its origin gave it and applies only if that stamp is higher than the stored one.
   */
  public record ItemWrite(
      Table table,
      byte[] storageKey,
      Map<String, AttributeValue> key,
      Mutation mutation,
      ItemStamp stamp) {
    public ItemWrite(
        Table table, byte[] storageKey, Map<String, AttributeValue> key, Mutation mutation) {
      this(table, storageKey, key, mutation, null);
    }
  }

  /**
   * A mutation that returns one item decided beforehand (or null), whose stored encoding the caller
   * already holds: a replicated write, which arrives as the origin's encoded image. When the
   * mutation returns exactly {@link #item()} (the same object), the write path stores and logs
   * {@link #encoded()} instead of encoding the item again.
   */
  public interface PreEncoded extends Mutation {
    /** The item this mutation returns unless it decides otherwise. */
    Map<String, AttributeValue> item();

    /** {@code ItemCodec.encode(item())}, or bytes that decode to an equal item. */
    byte[] encoded();
  }

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
  private final Writers writers;
  private final List<BatchContributor> contributors =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private final boolean syncDurability;
  private final ReentrantLock lock = new ReentrantLock();
  private final WriteTurns turns = new WriteTurns(lock, WriteTurns.STEP_ASIDE_NANOS);
  private final Object syncMonitor = new Object();
  private volatile long appliedSeq;

  /** Refuses writes while the disk is below its reserve; set once at assembly. */
  private volatile DiskSpace space = DiskSpace.UNLIMITED;

  private volatile SyncObserver syncObserver = SyncObserver.NONE;

  private volatile Runnable afterCommit;

  private long syncedSeq;
  private boolean syncing;

  /** Set between deferDurability and endDeferral: the highest seq this thread's commits need. */
  private static final ThreadLocal<long[]> DEFERRED = new ThreadLocal<>();

  /** Acknowledgements waiting for a sync, in registration order; guarded by syncMonitor. */
  private final ArrayDeque<PendingAck> pendingAcks = new ArrayDeque<>();

  private Thread syncer;
  private boolean closed;

  private record PendingAck(long seq, Runnable onDurable, Consumer<RuntimeException> onFailure) {}

  public WritePath(Storage storage, LongSupplier clock, boolean syncDurability) {
    this.storage = storage;
    byte[] last = storage.getMeta(SEQ_KEY);
    long lastSeq = last == null ? 0 : ByteBuffer.wrap(last).getLong();
    long lastTime = last == null ? 0 : ByteBuffer.wrap(last).getLong(8);
    this.sequencer = new Sequencer(clock, lastSeq, lastTime);
    this.appliedSeq = lastSeq;
    this.syncedSeq = lastSeq;
    this.syncDurability = syncDurability;
    this.writers = new Writers(storage);
    // Commits record the floor with the sequence; a raise outside a commit, and data directories
    // from before that, under its own key. The higher of the two is the floor.
    ItemStamp withSeq =
        last != null && last.length > 16
            ? ItemStamp.decode(Arrays.copyOfRange(last, 16, last.length))
            : null;
    this.stampFloor = ItemStamp.max(withSeq, ItemStamp.decode(storage.getMeta(STAMP_FLOOR_KEY)));
    this.stampFloorBytes = stampFloor == null ? null : stampFloor.encode(false);
  }

  /**
   * The highest stamp stored in any replicated table of this server (null: none recorded yet).
   * Guarded by the write lock. Every commit persists it after the sequence under {@link #SEQ_KEY}
   * (an entry each commit writes anyway, so the floor costs no entry of its own); {@link
   * #raiseStampFloor} under {@link #STAMP_FLOOR_KEY}. A local write is stamped just above it
   * ({@link ItemStamp#next}), which puts it above the stamp of the version it replaces without
   * reading that stamp: the read cost every write to a replicated table a storage lookup inside the
   * write lock, and on the three-region bench it was the largest part of what replication added to
   * a client's write.
   */
  private ItemStamp stampFloor;

  /** {@link #stampFloor} encoded, as stored after the sequence. */
  private byte[] stampFloorBytes;

  /**
   * Whether a stamp floor was ever recorded. A data directory written before the floor existed may
   * hold stamps it does not cover; {@link #raiseStampFloor} seeds it once from them.
   */
  public boolean stampFloorRecorded() {
    lock.lock();
    try {
      return stampFloor != null;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Raises the stamp floor to at least {@code stamp}, durably, before stamps that a commit did not
   * write (a bulk fill's, or those of a data directory from before the floor) can be relied on.
   */
  public void raiseStampFloor(ItemStamp stamp) {
    lock.lock();
    try {
      if (stampFloor == null || stamp.compareTo(stampFloor) > 0) {
        byte[] encoded = stamp.encode(false);
        storage.apply(new WriteSet().putMeta(STAMP_FLOOR_KEY, encoded));
        storage.sync();
        stampFloor = stamp;
        stampFloorBytes = encoded;
      }
    } finally {
      lock.unlock();
    }
  }

  /** The writer identities named by change records (item history resolves them). */
  public Writers writers() {
    return writers;
  }

  /**
   * Thrown by {@link #commitAll} when at least one mutation refused; nothing was written. It holds
   * one entry per write, in order: the write's refusal, or null where the mutation accepted.
   */
  public static final class Refused extends RuntimeException {
    private final transient List<DynamoException> refusals;

    Refused(List<DynamoException> refusals) {
      super("mutations refused", null, false, false);
      this.refusals = java.util.Collections.unmodifiableList(refusals);
    }

    public List<DynamoException> refusals() {
      return refusals;
    }
  }

  /**
   * Told of every successful WAL sync: how long it took and how many change-log sequence numbers it
   * made durable (the group-commit size). Called by the syncing thread while it holds the sync
   * monitor, so it must be cheap and must not block or throw.
   */
  @FunctionalInterface
  public interface SyncObserver {
    SyncObserver NONE = (nanos, covered) -> {};

    void synced(long nanos, long seqsCovered);
  }

  /** Reports every WAL sync to {@code observer} (metrics); replaces the previous observer. */
  public void observeSyncs(SyncObserver observer) {
    this.syncObserver = java.util.Objects.requireNonNull(observer);
  }

  /** Commits all writes or none. A mutation that throws aborts the whole commit. */
  public List<Outcome> commit(List<ItemWrite> writes, ChangeRecord.Origin origin) {
    return commit(writes, origin, false);
  }

  /**
   * Commits all writes or none, like {@link #commit}, but runs every mutation (and the
   * contributors' checks of its result) even after one refused, so that a transaction can report
   * why each of its items would fail (DynamoDB's cancellation reasons). Refusals ({@link
   * DynamoException}) are collected into {@link Refused}; anything else propagates at once.
   */
  public List<Outcome> commitAll(List<ItemWrite> writes, ChangeRecord.Origin origin) {
    return commit(writes, origin, true);
  }

  private List<Outcome> commit(
      List<ItemWrite> writes, ChangeRecord.Origin origin, boolean evaluateAll) {
    DiskSpace guard = space;
    List<Outcome> outcomes = new ArrayList<>(writes.size());
    long lastSeq;
    // Outside the lock: a new identity's first write records its name.
    int writer = origin == ChangeRecord.Origin.USER ? writers.current() : Writers.NONE;
    turns.lock(origin == ChangeRecord.Origin.REPLICATION);
    try {
      // Two volatile reads, no system call: the free space is sampled in the background. Checked
      // under the lock, because the commit before this one may have just found the disk full, and
      // a batch sent to the engine after that fails with "previous error", which RocksDB escalates
      // to an error no free space undoes (DiskFullIT).
      guard.checkDataWritable();
      DynamoException[] refusals = evaluateAll ? new DynamoException[writes.size()] : null;
      boolean refused = false;
      // Only for writes to replicated tables: their group.
      Replication[] groups = null;
      // The stored encoding of each current item: its change record's old image as is.
      byte[][] raws = new byte[writes.size()][];
      for (int i = 0; i < writes.size(); i++) {
        ItemWrite w = writes.get(i);
        if (!storage.hasTableSpace(w.table().id()) || "DELETING".equals(w.table().status())) {
          throw DynamoException.tableNotFound();
        }
        byte[] raw = storage.get(w.table().id(), w.storageKey());
        raws[i] = raw;
        Map<String, AttributeValue> current = raw == null ? null : ItemCodec.decode(raw);
        Replication group = w.table().replication();
        if (group != null) {
          if (groups == null) {
            groups = new Replication[writes.size()];
          }
          // Only a replicated write reads the stored stamp: a local one goes above the floor.
          if (w.stamp() != null
              && !ItemStamp.supersedes(
                  w.stamp(),
                  ItemStamp.decode(
                      storage.get(w.table().id(), ItemStamp.storageKey(w.storageKey()))))) {
            // A replicated version no newer than ours (or ours again): nothing changes.
            outcomes.add(new Outcome(current, current, false));
            continue;
          }
          groups[i] = group;
        }
        Map<String, AttributeValue> next;
        boolean changed;
        try {
          next = w.mutation().apply(current);
          changed = !(current == null ? next == null : current.equals(next));
          if (changed) {
            for (BatchContributor c : contributors) {
              c.check(w.table(), current, next);
            }
          }
        } catch (DynamoException e) {
          if (refusals == null) {
            throw e;
          }
          refusals[i] = e;
          refused = true;
          next = current;
          changed = false;
        }
        outcomes.add(new Outcome(current, next, changed));
      }
      if (refused) {
        throw new Refused(java.util.Arrays.asList(refusals));
      }
      WriteSet ws = new WriteSet();
      long time = sequencer.nextTime();
      Map<Table, long[]> deltas = new HashMap<>();
      ItemStamp floor = stampFloor;
      for (int i = 0; i < writes.size(); i++) {
        ItemWrite w = writes.get(i);
        Outcome o = outcomes.get(i);
        Replication group = groups == null ? null : groups[i];
        if (!o.changed()) {
          if (group != null && w.stamp() != null) {
            // Same item, newer version: the stamp must still converge, or a later write between
            // the two stamps would apply in one region and not in another.
            ws.put(
                w.table().id(),
                ItemStamp.storageKey(w.storageKey()),
                w.stamp().encode(o.newItem() == null));
            floor = ItemStamp.max(floor, w.stamp());
          }
          // DynamoDB writes no stream record when an item is left as it was; neither do we.
          continue;
        }
        long seq = sequencer.nextSeq();
        long id = w.table().id();
        ItemStamp stamp = null;
        if (group != null) {
          stamp = w.stamp() != null ? w.stamp() : ItemStamp.next(floor, time, group.localRegion());
          floor = ItemStamp.max(floor, stamp);
          // A delete leaves a tombstone, so that an older version arriving later cannot resurrect
          // the item.
          ws.put(id, ItemStamp.storageKey(w.storageKey()), stamp.encode(o.newItem() == null));
        }
        // Each image is encoded at most once: the new item for both its entry and its change
        // record, the old one taken as it was stored.
        byte[] newBytes = null;
        if (o.newItem() == null) {
          ws.delete(id, w.storageKey());
        } else {
          newBytes =
              w.mutation() instanceof PreEncoded p && p.item() == o.newItem()
                  ? p.encoded()
                  : ItemCodec.encode(o.newItem());
          ws.put(id, w.storageKey(), newBytes);
        }
        for (BatchContributor c : contributors) {
          c.contribute(ws, w.table(), o.oldItem(), o.newItem());
        }
        Map<String, AttributeValue> loggedOld = loggedOldImage(w.table(), o);
        byte[] oldBytes =
            loggedOld == null
                ? null
                : loggedOld == o.oldItem() && raws[i] != null
                    ? raws[i]
                    : ItemCodec.encode(loggedOld);
        ws.putChange(
            id,
            seq,
            ChangeRecordCodec.encode(
                new ChangeRecord(
                    id, seq, time, w.key(), loggedOld, o.newItem(), origin, stamp, writer),
                oldBytes,
                newBytes));
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
      byte[] floorBytes = floor == stampFloor ? stampFloorBytes : floor.encode(false);
      ByteBuffer seqValue =
          ByteBuffer.allocate(16 + (floorBytes == null ? 0 : floorBytes.length))
              .putLong(sequencer.lastSeq())
              .putLong(time);
      if (floorBytes != null) {
        seqValue.put(floorBytes);
      }
      ws.putMeta(SEQ_KEY, seqValue.array());
      try {
        storage.apply(ws);
      } catch (StorageFullException e) {
        // Nothing was applied; the sequence numbers taken are a harmless gap.
        throw guard.dataWriteFailed(e);
      } catch (RuntimeException e) {
        // A batch that still reached the engine after an append failed for lack of space fails
        // with a generic "previous error": the same retryable refusal, not a 500.
        DynamoException full = guard.explainEngineFailure(e);
        throw full != null ? full : e;
      }
      stampFloor = floor;
      stampFloorBytes = floorBytes;
      for (Map.Entry<Table, long[]> e : deltas.entrySet()) {
        e.getKey().itemCount.addAndGet(e.getValue()[0]);
        e.getKey().sizeBytes.addAndGet(e.getValue()[1]);
      }
      lastSeq = sequencer.lastSeq();
      appliedSeq = lastSeq;
    } finally {
      lock.unlock();
    }
    Runnable hook = afterCommit;
    if (hook != null && origin != ChangeRecord.Origin.REPLICATION) {
      hook.run();
    }
    if (syncDurability) {
      long[] deferred = DEFERRED.get();
      if (deferred != null) {
        deferred[0] = Math.max(deferred[0], lastSeq);
      } else {
        awaitDurable(lastSeq);
      }
    }
    return outcomes;
  }

  /**
   * From now until {@link #endDeferral}, commits on this thread do not wait for durability; they
   * record what they need instead. The caller must not acknowledge anything before {@link
   * #whenDurable} says so.
   */
  public void deferDurability() {
    DEFERRED.set(new long[1]);
  }

  /**
   * Ends {@link #deferDurability} on this thread.
   *
   * @return the sequence number that must be durable before this thread's commits are acknowledged;
   *     0 when there is nothing to wait for
   */
  public long endDeferral() {
    long[] deferred = DEFERRED.get();
    DEFERRED.remove();
    return deferred == null ? 0 : deferred[0];
  }

  /**
   * Runs {@code onDurable} once the WAL is durable through {@code seq}: on this thread when it
   * already is, otherwise on the sync thread (so it must be quick and must not block). If the sync
   * fails, {@code onFailure} runs instead and the write is never acknowledged.
   */
  public void whenDurable(long seq, Runnable onDurable, Consumer<RuntimeException> onFailure) {
    synchronized (syncMonitor) {
      if (syncDurability && syncedSeq < seq) {
        if (closed) {
          onFailure.accept(new IllegalStateException("the write path is closed"));
          return;
        }
        pendingAcks.add(new PendingAck(seq, onDurable, onFailure));
        if (syncer == null) {
          syncer = new Thread(this::syncLoop, "tidemark-wal-sync");
          syncer.setDaemon(true);
          syncer.start();
        }
        syncMonitor.notifyAll();
        return;
      }
    }
    onDurable.run();
  }

  /**
   * The sync thread: while acknowledgements wait, syncs everything applied so far and releases
   * those it covers. It takes the same leader role as a blocking waiter, so the two kinds of waiter
   * share every fsync.
   */
  private void syncLoop() {
    List<PendingAck> ready = new ArrayList<>();
    while (true) {
      long target;
      synchronized (syncMonitor) {
        while (true) {
          takeCovered(ready);
          if (!ready.isEmpty()) {
            target = -1;
            break;
          }
          if (pendingAcks.isEmpty() && closed) {
            return;
          }
          if (!pendingAcks.isEmpty() && !syncing) {
            syncing = true;
            target = appliedSeq;
            break;
          }
          try {
            syncMonitor.wait();
          } catch (InterruptedException e) {
            // Only close() interrupts, and it fails what is left.
            return;
          }
        }
      }
      if (target >= 0) {
        long started = System.nanoTime();
        RuntimeException failure = space.engineRefusal();
        if (failure == null) {
          // Not after the engine refused an append: a sync then fails with a generic error that
          // RocksDB records as fatal, which would keep it read-only after space is freed.
          failure = sync();
        }
        synchronized (syncMonitor) {
          syncing = false;
          if (failure == null) {
            syncObserver.synced(System.nanoTime() - started, target - syncedSeq);
            syncedSeq = Math.max(syncedSeq, target);
            takeCovered(ready);
          } else {
            ready.addAll(pendingAcks);
            pendingAcks.clear();
          }
          syncMonitor.notifyAll();
        }
        if (failure != null) {
          RuntimeException cause = failure;
          for (PendingAck a : ready) {
            runQuietly(() -> a.onFailure().accept(cause));
          }
          ready.clear();
          continue;
        }
      }
      for (PendingAck a : ready) {
        runQuietly(a.onDurable());
      }
      ready.clear();
    }
  }

  /** Syncs the WAL; returns the failure to answer the waiting writers with, or null. */
  private RuntimeException sync() {
    try {
      storage.sync();
      return null;
    } catch (StorageFullException e) {
      return space.dataWriteFailed(e);
    } catch (RuntimeException e) {
      // An append that found the disk full a moment ago fails every later sync with a generic
      // "previous error"; answer those writers the same retryable refusal.
      DynamoException full = space.explainEngineFailure(e);
      return full != null ? full : e;
    }
  }

  // Guarded by syncMonitor.
  private void takeCovered(List<PendingAck> into) {
    for (java.util.Iterator<PendingAck> it = pendingAcks.iterator(); it.hasNext(); ) {
      PendingAck a = it.next();
      if (a.seq() <= syncedSeq) {
        into.add(a);
        it.remove();
      }
    }
  }

  private static void runQuietly(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      log.error("A durable-write acknowledgement failed", e);
    }
  }

  /** Stops the sync thread after it has released or failed every waiting acknowledgement. */
  public void close() {
    Thread t;
    synchronized (syncMonitor) {
      closed = true;
      t = syncer;
      syncMonitor.notifyAll();
    }
    if (t != null) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * The old image as the change log keeps it. Only a stream that shows old images reads them, so
   * without one the log records that the item existed (an empty map, which keeps MODIFY and REMOVE
   * apart from INSERT) but not its attributes: a third of the bytes every overwrite puts through
   * the WAL, the memtable and compaction.
   */
  private static Map<String, AttributeValue> loggedOldImage(Table table, Outcome o) {
    if (o.oldItem() == null) {
      return null;
    }
    String view = table.definition().streamViewType();
    return "OLD_IMAGE".equals(view) || "NEW_AND_OLD_IMAGES".equals(view) ? o.oldItem() : Map.of();
  }

  /**
   * From now on, commits are refused (ServiceUnavailable) while {@code space} says the data
   * directory is full, and a write the engine refuses for lack of space starts such an episode.
   */
  public void guardSpace(DiskSpace space) {
    this.space = java.util.Objects.requireNonNull(space);
  }

  /**
   * Runs {@code hook} after every commit that wrote something accepted here (not one applied for
   * another region, which is never shipped on), on the committing thread, outside the write lock
   * and before the durability wait: cross-region replication wakes its shippers with it instead of
   * polling the change log (a shipper then waits in {@link #durablePosition} for the sync that
   * makes the write shippable). It must be quick and must not block or throw. Replaces the previous
   * hook.
   */
  public void afterCommit(Runnable hook) {
    this.afterCommit = hook;
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

  /**
   * The position up to which this region's own writes may leave the server (to another region): in
   * sync mode it returns only once the WAL is durable through {@code seq}, joining the group commit
   * that the writers wait for, so a peer never holds a write that a power loss here could take back
   * (and that no peer would ever ship back). Without sync durability nothing is promised and it
   * returns at once.
   */
  public Position durablePosition() {
    Position p = capturePosition();
    if (syncDurability) {
      awaitDurable(p.seq());
    }
    return p;
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
    long started = System.nanoTime();
    try {
      RuntimeException failure = space.engineRefusal();
      if (failure == null) {
        failure = sync();
      }
      if (failure != null) {
        throw failure;
      }
      synced = true;
    } finally {
      synchronized (syncMonitor) {
        if (synced) {
          syncObserver.synced(System.nanoTime() - started, target - syncedSeq);
          syncedSeq = Math.max(syncedSeq, target);
        }
        syncing = false;
        syncMonitor.notifyAll();
      }
    }
  }
}
