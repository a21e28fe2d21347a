package dev.tidemark.tables;

import dev.tidemark.storage.BulkLoader;
import dev.tidemark.storage.Cursor;
import dev.tidemark.storage.RocksStorage;
import dev.tidemark.storage.Storage;
import dev.tidemark.storage.StorageSnapshot;
import dev.tidemark.storage.WriteSet;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/** For tests of durability: an in-memory storage whose WAL sync waits for a gate and can fail. */
public final class GatedStorage implements Storage {
  public final Storage inner = RocksStorage.inMemory();
  public final AtomicInteger syncs = new AtomicInteger();

  /** Syncs begun, including those still held at the gate. */
  public final AtomicInteger entered = new AtomicInteger();

  public volatile CountDownLatch gate = new CountDownLatch(0);
  public volatile RuntimeException failure;

  @Override
  public void sync() {
    entered.incrementAndGet();
    try {
      gate.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    syncs.incrementAndGet();
    if (failure != null) {
      throw failure;
    }
    inner.sync();
  }

  @Override
  public void createTableSpace(long tableId) {
    inner.createTableSpace(tableId);
  }

  @Override
  public void dropTableSpace(long tableId) {
    inner.dropTableSpace(tableId);
  }

  @Override
  public boolean hasTableSpace(long tableId) {
    return inner.hasTableSpace(tableId);
  }

  @Override
  public Set<Long> tableSpaces() {
    return inner.tableSpaces();
  }

  @Override
  public byte[] get(long tableId, byte[] key) {
    return inner.get(tableId, key);
  }

  @Override
  public List<byte[]> getAll(List<TableKey> keys) {
    return inner.getAll(keys);
  }

  @Override
  public Cursor scan(long tableId, byte[] lower, byte[] upper, boolean reverse) {
    return inner.scan(tableId, lower, upper, reverse);
  }

  @Override
  public byte[] getMeta(byte[] key) {
    return inner.getMeta(key);
  }

  @Override
  public Cursor scanMeta(byte[] prefix) {
    return inner.scanMeta(prefix);
  }

  @Override
  public Cursor changes(long tableId, long fromSeq, long toSeq) {
    return inner.changes(tableId, fromSeq, toSeq);
  }

  @Override
  public void trimChanges(long tableId, long beforeSeq) {
    inner.trimChanges(tableId, beforeSeq);
  }

  @Override
  public StorageSnapshot snapshot() {
    return inner.snapshot();
  }

  @Override
  public BulkLoader bulkLoader(long tableId, Path scratchDir) {
    return inner.bulkLoader(tableId, scratchDir);
  }

  @Override
  public void apply(WriteSet writes) {
    inner.apply(writes);
  }

  @Override
  public void close() {
    inner.close();
  }
}
