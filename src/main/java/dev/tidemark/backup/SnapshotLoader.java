package dev.tidemark.backup;

import dev.tidemark.api.ItemKeys;
import dev.tidemark.indexes.IndexEntries;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.model.ItemSize;
import dev.tidemark.storage.BulkLoader;
import dev.tidemark.storage.ItemCodec;
import dev.tidemark.tables.IndexDefinition;
import dev.tidemark.tables.KeySchema;
import dev.tidemark.tables.TableDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Loads a snapshot into a new table space at disk speed, optionally with later item images laid
 * over it (the replayed log of a point-in-time restore). Entries stream in key order straight into
 * a {@link BulkLoader}: base-table items first (leading byte 0x01), then each index's entries. An
 * overlaid item also moves its index entries, computed from its base and final images, so indexes
 * stay exact without rebuilding them. Entries of indexes the target does not keep, or must still
 * build, are dropped.
 */
public final class SnapshotLoader {
  /** Final item images by item storage key; an empty Optional deletes the item. */
  public static NavigableMap<byte[], Optional<Map<String, AttributeValue>>> newOverlay() {
    return new TreeMap<>(Arrays::compareUnsigned);
  }

  /** What was loaded: the counters the new table starts with. */
  public record Result(long itemCount, long sizeBytes, Map<Integer, long[]> indexStats) {}

  private final BulkLoader loader;
  private final KeySchema keySchema;
  private final Map<Integer, IndexDefinition> kept = new HashMap<>();
  private final NavigableMap<byte[], Optional<Map<String, AttributeValue>>> overlay;
  private final Iterator<Map.Entry<byte[], Optional<Map<String, AttributeValue>>>> pendingItems;
  private Map.Entry<byte[], Optional<Map<String, AttributeValue>>> nextOverlay;

  /** Index entry changes caused by overlaid items: entry key to value, null to delete. */
  private final Map<Integer, NavigableMap<byte[], byte[]>> indexChanges = new TreeMap<>();

  private final Map<Integer, Iterator<Map.Entry<byte[], byte[]>>> indexPending = new HashMap<>();
  private final Map<Integer, Map.Entry<byte[], byte[]>> indexNext = new HashMap<>();
  private long itemCount;
  private long sizeBytes;
  private final Map<Integer, long[]> indexStats = new HashMap<>();
  private int currentPrefix = 0;

  private SnapshotLoader(
      BulkLoader loader,
      TableDefinition target,
      NavigableMap<byte[], Optional<Map<String, AttributeValue>>> overlay,
      long baseItems,
      long baseBytes,
      Map<Integer, long[]> baseIndexStats) {
    this.loader = loader;
    this.keySchema = target.keySchema();
    for (IndexDefinition i : target.allIndexes()) {
      // An index the target still has to build (CREATING) starts empty: the index builder fills
      // it from the restored items once the table is active, so nothing of it is copied here.
      if (IndexDefinition.ACTIVE.equals(i.status())) {
        kept.put(i.number(), i);
        long[] s = baseIndexStats.get(i.number());
        indexStats.put(i.number(), s == null ? new long[2] : s.clone());
      }
    }
    this.overlay = overlay;
    this.pendingItems = overlay.entrySet().iterator();
    this.nextOverlay = pendingItems.hasNext() ? pendingItems.next() : null;
    this.itemCount = baseItems;
    this.sizeBytes = baseBytes;
  }

  /**
   * Loads the base backup's objects (verified as they are read) with the overlay applied, into
   * {@code loader}, without finishing it.
   *
   * @param baseIndexStats the base's index counters by index number
   */
  public static Result load(
      BackupRepository repository,
      Manifest base,
      long baseItems,
      long baseBytes,
      Map<Integer, long[]> baseIndexStats,
      NavigableMap<byte[], Optional<Map<String, AttributeValue>>> overlay,
      TableDefinition target,
      BulkLoader loader)
      throws IOException {
    SnapshotLoader l =
        new SnapshotLoader(loader, target, overlay, baseItems, baseBytes, baseIndexStats);
    for (DataObjectRef ref : base.objects()) {
      try (InputStream in = repository.openObject(base, ref)) {
        TableChunks.read(in, ref.name(), l::accept);
        // The size and SHA-256 are checked when the stream is read to its end.
        in.transferTo(OutputStream.nullOutputStream());
      }
    }
    l.advanceTo(256);
    return new Result(l.itemCount, l.sizeBytes, l.indexStats);
  }

  private void accept(byte[] key, byte[] value) {
    int prefix = key[0] & 0xFF;
    advanceTo(prefix);
    if (prefix == ItemKeys.ITEMS) {
      item(key, value);
    } else if (kept.containsKey(prefix)) {
      indexEntry(prefix, key, value);
    }
  }

  /** Finishes every prefix below {@code prefix}: remaining overlay items, then index changes. */
  private void advanceTo(int prefix) {
    while (currentPrefix < prefix) {
      if (currentPrefix == ItemKeys.ITEMS) {
        while (nextOverlay != null) {
          applyOverlay(nextOverlay, null);
          nextOverlay = pendingItems.hasNext() ? pendingItems.next() : null;
        }
      } else if (kept.containsKey(currentPrefix)) {
        flushIndex(currentPrefix, null);
      }
      currentPrefix++;
    }
  }

  private void item(byte[] key, byte[] value) {
    while (nextOverlay != null && Arrays.compareUnsigned(nextOverlay.getKey(), key) < 0) {
      applyOverlay(nextOverlay, null);
      nextOverlay = pendingItems.hasNext() ? pendingItems.next() : null;
    }
    if (nextOverlay != null && Arrays.equals(nextOverlay.getKey(), key)) {
      applyOverlay(nextOverlay, ItemCodec.decode(value));
      nextOverlay = pendingItems.hasNext() ? pendingItems.next() : null;
      return;
    }
    loader.add(key, value);
  }

  /** Writes an overlaid item (or drops it) and records how its index entries move. */
  private void applyOverlay(
      Map.Entry<byte[], Optional<Map<String, AttributeValue>>> e, Map<String, AttributeValue> old) {
    Map<String, AttributeValue> now = e.getValue().orElse(null);
    if (now != null) {
      loader.add(e.getKey(), ItemCodec.encode(now));
    }
    itemCount += (now == null ? 0 : 1) - (old == null ? 0 : 1);
    sizeBytes += (now == null ? 0 : ItemSize.of(now)) - (old == null ? 0 : ItemSize.of(old));
    for (IndexDefinition index : kept.values()) {
      NavigableMap<byte[], byte[]> changes =
          indexChanges.computeIfAbsent(index.number(), n -> new TreeMap<>(Arrays::compareUnsigned));
      long[] stats = indexStats.get(index.number());
      if (old != null && IndexEntries.indexed(index, old)) {
        changes.putIfAbsent(IndexEntries.key(keySchema, index, old), null);
        stats[0]--;
        stats[1] -= ItemSize.of(IndexEntries.project(keySchema, index, old));
      }
      if (now != null && IndexEntries.indexed(index, now)) {
        Map<String, AttributeValue> projected = IndexEntries.project(keySchema, index, now);
        changes.put(IndexEntries.key(keySchema, index, now), ItemCodec.encode(projected));
        stats[0]++;
        stats[1] += ItemSize.of(projected);
      }
    }
  }

  private void indexEntry(int number, byte[] key, byte[] value) {
    flushIndex(number, key);
    Map.Entry<byte[], byte[]> next = indexNext.get(number);
    if (next != null && Arrays.equals(next.getKey(), key)) {
      if (next.getValue() != null) {
        loader.add(key, next.getValue());
      }
      advanceIndex(number);
      return;
    }
    loader.add(key, value);
  }

  /** Emits the index's changed entries that sort before {@code limit} (all of them if null). */
  private void flushIndex(int number, byte[] limit) {
    if (!indexPending.containsKey(number)) {
      NavigableMap<byte[], byte[]> changes = indexChanges.get(number);
      Iterator<Map.Entry<byte[], byte[]>> it =
          changes == null ? java.util.Collections.emptyIterator() : changes.entrySet().iterator();
      indexPending.put(number, it);
      indexNext.put(number, it.hasNext() ? it.next() : null);
    }
    Map.Entry<byte[], byte[]> next = indexNext.get(number);
    while (next != null && (limit == null || Arrays.compareUnsigned(next.getKey(), limit) < 0)) {
      if (next.getValue() != null) {
        loader.add(next.getKey(), next.getValue());
      }
      next = advanceIndex(number);
    }
  }

  private Map.Entry<byte[], byte[]> advanceIndex(int number) {
    Iterator<Map.Entry<byte[], byte[]>> it = indexPending.get(number);
    Map.Entry<byte[], byte[]> next = it.hasNext() ? it.next() : null;
    indexNext.put(number, next);
    return next;
  }
}
