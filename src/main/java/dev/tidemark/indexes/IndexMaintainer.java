package dev.tidemark.indexes;

import dev.tidemark.model.AttributeValue;
import dev.tidemark.model.ItemSize;
import dev.tidemark.storage.ItemCodec;
import dev.tidemark.storage.Storage;
import dev.tidemark.storage.WriteSet;
import dev.tidemark.tables.IndexDefinition;
import dev.tidemark.tables.KeySchema;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.TableCatalog;
import dev.tidemark.tables.TableDefinition;
import dev.tidemark.tables.WritePath;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Keeps every secondary index of a table in step with its items, inside the write path's batch: for
 * each changed item it removes the old item's entry, writes the new one and adjusts the index's
 * counters, so an item, its entries and its change record are never seen apart.
 *
 * <p>While an index is {@code CREATING}, items written before it existed have no entry yet; the
 * maintainer then checks whether the old entry is really there before it counts its removal. Once
 * the backfill is done every indexed item has its entry, and that check is skipped.
 */
final class IndexMaintainer implements WritePath.BatchContributor {
  private final Storage storage;

  IndexMaintainer(Storage storage) {
    this.storage = storage;
  }

  @Override
  public void check(
      Table table, Map<String, AttributeValue> oldItem, Map<String, AttributeValue> newItem) {
    if (newItem != null) {
      IndexKeyCheck.check(table.definition(), newItem, IndexKeyCheck.Source.ITEM);
    }
  }

  @Override
  public void contribute(
      WriteSet batch,
      Table table,
      Map<String, AttributeValue> oldItem,
      Map<String, AttributeValue> newItem) {
    TableDefinition d = table.definition();
    KeySchema schema = d.keySchema();
    long tableId = d.id();
    for (IndexDefinition index : d.allIndexes()) {
      if (index.number() == 0) {
        continue;
      }
      byte[] oldKey = null;
      Map<String, AttributeValue> oldEntry = null;
      if (oldItem != null && IndexEntries.indexed(index, oldItem)) {
        oldKey = IndexEntries.key(schema, index, oldItem);
        oldEntry = IndexEntries.project(schema, index, oldItem);
      }
      byte[] newKey = null;
      Map<String, AttributeValue> newEntry = null;
      if (newItem != null && IndexEntries.indexed(index, newItem)) {
        newKey = IndexEntries.key(schema, index, newItem);
        newEntry = IndexEntries.project(schema, index, newItem);
      }
      boolean sameKey = oldKey != null && newKey != null && Arrays.equals(oldKey, newKey);
      if (sameKey && oldEntry.equals(newEntry)) {
        // A change outside the projection leaves the entry as it is.
        continue;
      }
      long count = 0;
      long size = 0;
      if (oldKey != null && entryExists(tableId, index, oldKey)) {
        if (!sameKey) {
          batch.delete(tableId, oldKey);
        }
        count--;
        size -= ItemSize.of(oldEntry);
      }
      if (newKey != null) {
        batch.put(tableId, newKey, ItemCodec.encode(newEntry));
        count++;
        size += ItemSize.of(newEntry);
      }
      addStats(storage, batch, tableId, index.number(), count, size);
    }
  }

  private boolean entryExists(long tableId, IndexDefinition index, byte[] key) {
    return IndexDefinition.ACTIVE.equals(index.status()) || storage.get(tableId, key) != null;
  }

  /**
   * Adds to an index's counters in {@code batch}. Several writes of one commit may touch the same
   * index, so the base is the batch's own latest value for the key if it has one, else the stored
   * value; the caller holds the write lock, so the stored value is current.
   */
  static void addStats(
      Storage storage, WriteSet batch, long tableId, int number, long count, long size) {
    if (count == 0 && size == 0) {
      return;
    }
    byte[] key = TableCatalog.indexStatsKey(tableId, number);
    byte[] base = null;
    boolean inBatch = false;
    List<WriteSet.Op> ops = batch.ops();
    for (int i = ops.size() - 1; i >= 0; i--) {
      WriteSet.Op op = ops.get(i);
      if (op.space() == WriteSet.Space.META && Arrays.equals(op.key(), key)) {
        base = op.value();
        inBatch = true;
        break;
      }
    }
    if (!inBatch) {
      base = storage.getMeta(key);
    }
    batch.putMeta(key, IndexStats.decode(base).plus(count, size).encode());
  }
}
