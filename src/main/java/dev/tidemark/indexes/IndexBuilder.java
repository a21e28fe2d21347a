package dev.tidemark.indexes;

import dev.tidemark.api.ItemKeys;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.model.ItemSize;
import dev.tidemark.storage.Cursor;
import dev.tidemark.storage.ItemCodec;
import dev.tidemark.storage.KeyBounds;
import dev.tidemark.storage.Storage;
import dev.tidemark.storage.WriteSet;
import dev.tidemark.tables.IndexDefinition;
import dev.tidemark.tables.KeySchema;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.TableCatalog;
import dev.tidemark.tables.TableDefinition;
import dev.tidemark.tables.WritePath;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backfills an index that was added to a table holding items, in the background.
 *
 * <p>Why it cannot miss or double an entry: the index becomes visible as {@code CREATING} under the
 * write lock, so every write committed after that maintains it. The builder then walks the items in
 * key order in batches, each batch under the write lock: it reads the next items as they are now
 * and writes the entry of each indexed item that has none yet. An item written since the index
 * appeared already has its entry (the maintainer wrote it) and is skipped; an item not yet reached
 * gets the entry of its current version. Counters move in the same batches. When the walk ends, the
 * index turns {@code ACTIVE}. After a restart, a {@code CREATING} index is simply walked again:
 * entries already there are skipped.
 */
final class IndexBuilder implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IndexBuilder.class);
  private static final byte[] NEXT = {0};

  /** Items read per batch; small enough that writers wait at most a few milliseconds. */
  static final int BATCH_ITEMS = 256;

  private final Storage storage;
  private final TableCatalog catalog;
  private final WritePath writePath;
  private final ExecutorService executor;
  private volatile boolean closed;

  IndexBuilder(Storage storage, TableCatalog catalog, WritePath writePath) {
    this.storage = storage;
    this.catalog = catalog;
    this.writePath = writePath;
    this.executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "tidemark-index-backfill");
              t.setDaemon(true);
              return t;
            });
  }

  /** Queues the backfill of a {@code CREATING} index. */
  void start(Table table, String indexName) {
    executor.execute(
        () -> {
          try {
            build(table, indexName);
          } catch (RuntimeException e) {
            // The index stays CREATING and is walked again at the next start.
            LOG.error("backfill of index {} on table {} failed", indexName, table.name(), e);
          }
        });
  }

  private void build(Table table, String indexName) {
    byte[] from = ItemKeys.itemsLower();
    while (!closed) {
      Batch b = new Batch();
      byte[] start = from;
      writePath.exclusive(() -> step(table, indexName, start, b));
      if (b.abandoned) {
        return;
      }
      if (b.next == null) {
        activate(table, indexName);
        return;
      }
      from = b.next;
    }
  }

  /** The outcome of one batch: where the next starts (null when done), or that the index went. */
  private static final class Batch {
    byte[] next;
    boolean abandoned;
  }

  private void step(Table table, String indexName, byte[] from, Batch b) {
    Optional<IndexDefinition> current = building(table, indexName);
    if (current.isEmpty()) {
      b.abandoned = true;
      return;
    }
    IndexDefinition index = current.get();
    TableDefinition d = table.definition();
    KeySchema schema = d.keySchema();
    long tableId = d.id();
    WriteSet batch = new WriteSet();
    long count = 0;
    long size = 0;
    int read = 0;
    byte[] last = null;
    try (Cursor c = storage.scan(tableId, from, ItemKeys.itemsUpper(), false)) {
      while (read < BATCH_ITEMS && c.next()) {
        read++;
        last = c.key();
        Map<String, AttributeValue> item = ItemCodec.decode(c.value());
        if (!IndexEntries.indexed(index, item)) {
          continue;
        }
        byte[] key = IndexEntries.key(schema, index, item);
        if (storage.get(tableId, key) != null) {
          continue;
        }
        Map<String, AttributeValue> entry = IndexEntries.project(schema, index, item);
        batch.put(tableId, key, ItemCodec.encode(entry));
        count++;
        size += ItemSize.of(entry);
      }
    }
    IndexMaintainer.addStats(storage, batch, tableId, index.number(), count, size);
    if (!batch.isEmpty()) {
      storage.apply(batch);
    }
    b.next = read < BATCH_ITEMS ? null : KeyBounds.concat(last, NEXT);
  }

  /** The index if it is still being built on this table incarnation. */
  private Optional<IndexDefinition> building(Table table, String indexName) {
    if (closed
        || catalog.find(table.name()).orElse(null) != table
        || !storage.hasTableSpace(table.id())) {
      return Optional.empty();
    }
    return table
        .definition()
        .index(indexName)
        .filter(i -> IndexDefinition.CREATING.equals(i.status()) && i.number() != 0);
  }

  private void activate(Table table, String indexName) {
    // Catalog monitor before write lock: the order UpdateTable and DeleteTable use.
    synchronized (catalog) {
      writePath.exclusive(
          () -> {
            if (building(table, indexName).isEmpty()) {
              return;
            }
            TableDefinition d = table.definition();
            catalog.update(
                table,
                d.withIndexes(
                    d.attributeDefinitions(),
                    activated(d.localIndexes(), indexName),
                    activated(d.globalIndexes(), indexName)));
          });
    }
    LOG.info("index {} on table {} is ACTIVE", indexName, table.name());
  }

  private static List<IndexDefinition> activated(List<IndexDefinition> list, String indexName) {
    List<IndexDefinition> out = new ArrayList<>();
    for (IndexDefinition i : list) {
      out.add(i.name().equals(indexName) ? i.withStatus(IndexDefinition.ACTIVE) : i);
    }
    return out;
  }

  @Override
  public void close() {
    closed = true;
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
        LOG.warn("index backfill did not stop within 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
