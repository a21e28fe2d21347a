package dev.tidemark.backup;

import dev.tidemark.api.ItemKeys;
import dev.tidemark.backup.crypto.CorruptObjectException;
import dev.tidemark.indexes.IndexEntries;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.model.ItemSize;
import dev.tidemark.storage.BulkLoader;
import dev.tidemark.storage.ItemCodec;
import dev.tidemark.tables.IndexDefinition;
import dev.tidemark.tables.KeySchema;
import dev.tidemark.tables.TableDefinition;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Loads a snapshot into a new table space at disk speed, optionally with later item images laid
 * over it (the replayed log of a point-in-time restore). Entries stream in key order straight into
 * a {@link BulkLoader}: base-table items first (leading byte 0x01), then each index's entries. An
 * overlaid item also moves its index entries, computed from its base and final images, so indexes
 * stay exact without rebuilding them. Entries of indexes the target does not keep are dropped.
 *
 * <p>An index whose entries the base cannot supply (see {@link #notInBase}) is rebuilt instead: its
 * entries are computed from the final items, held in memory, and written after them.
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

  /** Entries of rebuilt indexes, computed from the final items. */
  private final Map<Integer, NavigableMap<byte[], byte[]>> rebuilt = new HashMap<>();

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
      Map<Integer, long[]> baseIndexStats,
      Set<Integer> rebuild) {
    this.loader = loader;
    this.keySchema = target.keySchema();
    for (IndexDefinition i : target.allIndexes()) {
      kept.put(i.number(), i);
      long[] s = baseIndexStats.get(i.number());
      indexStats.put(
          i.number(), s == null || rebuild.contains(i.number()) ? new long[2] : s.clone());
      if (rebuild.contains(i.number())) {
        rebuilt.put(i.number(), new TreeMap<>(Arrays::compareUnsigned));
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
    return load(
        repository, base, baseItems, baseBytes, baseIndexStats, overlay, target, Set.of(), loader);
  }

  /**
   * As above, rebuilding the entries of the indexes numbered in {@code rebuild} from the final
   * items instead of taking them from the base.
   */
  public static Result load(
      BackupRepository repository,
      Manifest base,
      long baseItems,
      long baseBytes,
      Map<Integer, long[]> baseIndexStats,
      NavigableMap<byte[], Optional<Map<String, AttributeValue>>> overlay,
      TableDefinition target,
      Set<Integer> rebuild,
      BulkLoader loader)
      throws IOException {
    SnapshotLoader l =
        new SnapshotLoader(loader, target, overlay, baseItems, baseBytes, baseIndexStats, rebuild);
    List<DataObjectRef> refs = base.baseObjects();
    RestoreProgress.expect(refs);
    // Read ahead, verified and (cold objects) inflated on the transfer threads.
    try (Transfers.Prefetch<InputStream> objects =
        Transfers.prefetch(
            refs,
            repository.store().transfersInFlight(),
            ref -> TableChunks.inflated(read(repository, base, ref), ref.name()))) {
      for (DataObjectRef ref : refs) {
        TableChunks.read(objects.next(), ref.name(), l::accept);
        RestoreProgress.loaded(ref);
      }
    }
    l.advanceTo(256);
    return new Result(l.itemCount, l.sizeBytes, l.indexStats);
  }

  /**
   * Loads a backup, full or incremental, with {@code later} images laid over it. An incremental
   * backup's delta objects are read first (verified like every object) into the overlay, each layer
   * over the one before, and {@code later} over them; its base objects are then loaded under that
   * overlay. Indexes the base snapshot cannot supply are rebuilt (see {@link #notInBase}), as are
   * those numbered in {@code rebuild}.
   */
  public static Result loadBackup(
      BackupRepository repository,
      Manifest manifest,
      NavigableMap<byte[], Optional<Map<String, AttributeValue>>> later,
      TableDefinition target,
      Set<Integer> rebuild,
      BulkLoader loader)
      throws IOException {
    Manifest.Incremental inc = manifest.incremental();
    if (inc == null) {
      BackupMetadata md = manifest.metadata();
      return load(
          repository,
          manifest,
          md.itemCount(),
          md.sizeBytes(),
          BackupService.indexStats(md.tableSchema()),
          later,
          target,
          rebuild,
          loader);
    }
    NavigableMap<byte[], Optional<Map<String, AttributeValue>>> overlay = newOverlay();
    RestoreProgress.expect(manifest.objects());
    List<DataObjectRef> deltas = manifest.deltaObjects();
    try (Transfers.Prefetch<byte[]> objects = readAhead(repository, manifest, deltas)) {
      for (DataObjectRef ref : deltas) {
        TableChunks.readDelta(
            new ByteArrayInputStream(objects.next()),
            ref.name(),
            (k, v) ->
                overlay.put(k, v == null ? Optional.empty() : Optional.of(ItemCodec.decode(v))));
        RestoreProgress.loaded(ref);
      }
    }
    overlay.putAll(later);
    Set<Integer> rebuilt = new java.util.TreeSet<>(rebuild);
    rebuilt.addAll(notInBase(definition(inc.baseTableSchema(), manifest), target));
    return load(
        repository,
        manifest,
        inc.baseItemCount(),
        inc.baseSizeBytes(),
        BackupService.indexStats(inc.baseTableSchema()),
        overlay,
        target,
        rebuilt,
        loader);
  }

  /**
   * Reads a backup's objects ahead of the loader, several at a time: each whole and verified (its
   * size and SHA-256 are checked at the end of its stream) before the loader sees a byte of it.
   */
  private static Transfers.Prefetch<byte[]> readAhead(
      BackupRepository repository, Manifest manifest, List<DataObjectRef> refs) {
    return Transfers.prefetch(
        refs, repository.store().transfersInFlight(), ref -> read(repository, manifest, ref));
  }

  /** One object whole, verified (its size and SHA-256 are checked at the end of its stream). */
  private static byte[] read(BackupRepository repository, Manifest manifest, DataObjectRef ref)
      throws IOException {
    try (InputStream in = repository.openObject(manifest, ref)) {
      // Straight into an array of the size the manifest records: readAllBytes would gather
      // 8 KiB pieces and copy them all once more.
      byte[] plaintext = new byte[Math.toIntExact(ref.plaintextSize())];
      in.readNBytes(plaintext, 0, plaintext.length);
      // The end of the stream is where its size and SHA-256 are checked; a longer object fails
      // there too.
      if (in.read() >= 0) {
        throw new CorruptObjectException(
            ref.name(),
            CorruptObjectException.Reason.SIZE_MISMATCH,
            "longer than its manifest records");
      }
      return plaintext;
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper DEFINITIONS =
      com.fasterxml.jackson.databind.json.JsonMapper.builder()
          .findAndAddModules()
          .configure(
              com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
              false)
          .build();

  private static TableDefinition definition(
      com.fasterxml.jackson.databind.JsonNode schema, Manifest manifest) throws IOException {
    com.fasterxml.jackson.databind.JsonNode def = schema.get("definition");
    if (def == null) {
      throw new ManifestFormatException(
          manifest.manifestName(), "the base's table schema has no definition");
    }
    return DEFINITIONS.treeToValue(def, TableDefinition.class);
  }

  private void accept(byte[] key, byte[] value) {
    int prefix = key[0] & 0xFF;
    advanceTo(prefix);
    if (prefix == ItemKeys.ITEMS) {
      item(key, value);
    } else if (kept.containsKey(prefix) && !rebuilt.containsKey(prefix)) {
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
    if (!rebuilt.isEmpty()) {
      addRebuiltEntries(ItemCodec.decode(value));
    }
  }

  /** Adds a final item's entries to every rebuilt index. */
  private void addRebuiltEntries(Map<String, AttributeValue> item) {
    for (Map.Entry<Integer, NavigableMap<byte[], byte[]>> e : rebuilt.entrySet()) {
      IndexDefinition index = kept.get(e.getKey());
      if (IndexEntries.indexed(index, item)) {
        Map<String, AttributeValue> projected = IndexEntries.project(keySchema, index, item);
        e.getValue().put(IndexEntries.key(keySchema, index, item), ItemCodec.encode(projected));
        long[] stats = indexStats.get(index.number());
        stats[0]++;
        stats[1] += ItemSize.of(projected);
      }
    }
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
    if (now != null && !rebuilt.isEmpty()) {
      addRebuiltEntries(now);
    }
    for (IndexDefinition index : kept.values()) {
      if (rebuilt.containsKey(index.number())) {
        continue;
      }
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
      NavigableMap<byte[], byte[]> changes =
          rebuilt.containsKey(number) ? rebuilt.get(number) : indexChanges.get(number);
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

  /**
   * The indexes of {@code target} whose entries a snapshot of {@code base} cannot supply: those it
   * had under no such number, or under the number with another definition (an index deleted and
   * another created since, which reuses the number), or whose backfill was still running. PITR
   * restores of a live table need this, since they take the table's current indexes.
   */
  public static Set<Integer> notInBase(TableDefinition base, TableDefinition target) {
    Set<Integer> out = new java.util.TreeSet<>();
    for (IndexDefinition t : target.allIndexes()) {
      IndexDefinition b =
          base.allIndexes().stream().filter(i -> i.number() == t.number()).findFirst().orElse(null);
      boolean same =
          b != null
              && IndexDefinition.ACTIVE.equals(b.status())
              && b.name().equals(t.name())
              && b.global() == t.global()
              && b.keySchema().equals(t.keySchema())
              && b.projectionType().equals(t.projectionType())
              && Objects.equals(b.nonKeyAttributes(), t.nonKeyAttributes());
      if (!same) {
        out.add(t.number());
      }
    }
    return out;
  }

  private Map.Entry<byte[], byte[]> advanceIndex(int number) {
    Iterator<Map.Entry<byte[], byte[]>> it = indexPending.get(number);
    Map.Entry<byte[], byte[]> next = it.hasNext() ? it.next() : null;
    indexNext.put(number, next);
    return next;
  }
}
