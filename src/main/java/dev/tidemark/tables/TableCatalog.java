package dev.tidemark.tables;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tidemark.indexes.IndexStats;
import dev.tidemark.storage.Cursor;
import dev.tidemark.storage.Storage;
import dev.tidemark.storage.StorageSnapshot;
import dev.tidemark.storage.WriteSet;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The tables that exist, persisted in the storage meta space. Catalog changes are synced before
 * they are acknowledged; they are rare, so the cost does not matter.
 *
 * <p>Meta keys: {@code table/<name>} holds the definition as JSON, {@code stats/<id>} the item
 * count and size (written by the write path in the same batch as the items), {@code
 * istats/<id><index number>} the same for each secondary index, {@code tags/<id>} the tags, {@code
 * ttl/<id>} the time-to-live setting, {@code rpolicy/<id>...} the resource-based policies ({@link
 * ResourcePolicies}), {@code next-table-id} the incarnation counter.
 *
 * <p>Create, update and delete take an optional batch of further writes (stream descriptors, for
 * example) that must commit atomically with the table's own.
 */
public final class TableCatalog {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TableCatalog.class);
  private static final ObjectMapper JSON = JsonMapper.builder().findAndAddModules().build();
  private static final byte[] NEXT_ID = bytes("next-table-id");

  private final Storage storage;
  private final Map<String, Table> byName = new ConcurrentSkipListMap<>();
  private final ResourcePolicies policies;
  private long nextId;

  public TableCatalog(Storage storage) {
    this.storage = storage;
    byte[] next = storage.getMeta(NEXT_ID);
    this.nextId = next == null ? 1 : ByteBuffer.wrap(next).getLong();
    this.policies = new ResourcePolicies(storage);
    try (Cursor c = storage.scanMeta(bytes("table/"))) {
      while (c.next()) {
        TableDefinition d = JSON.readValue(c.value(), TableDefinition.class);
        byte[] stats = storage.getMeta(statsKey(d.id()));
        long count = 0;
        long size = 0;
        if (stats != null) {
          ByteBuffer b = ByteBuffer.wrap(stats);
          count = b.getLong();
          size = b.getLong();
        }
        Table t = new Table(d, "ACTIVE", count, size);
        byte[] restore = storage.getMeta(restoreKey(d.id()));
        if (restore != null) {
          t.restoreSummary(JSON.readValue(restore, RestoreSummary.class));
        }
        byName.put(d.name(), t);
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException("table catalog is unreadable", e);
    }
    abandonInterruptedRestores();
    dropOrphanSpaces();
  }

  /**
   * A restore that was running when the server stopped left a table space but never reached its
   * catalog entry. Invariant I4: no half-filled table survives, so the space is dropped.
   */
  private void abandonInterruptedRestores() {
    List<byte[]> markers = new ArrayList<>();
    try (Cursor c = storage.scanMeta(bytes("restoring/"))) {
      while (c.next()) {
        markers.add(c.key());
      }
    }
    for (byte[] marker : markers) {
      long id = ByteBuffer.wrap(marker, marker.length - 8, 8).getLong();
      LOG.warn(
          "A restore into table space {} was interrupted by a shutdown; its partial data has been"
              + " dropped and no table was created",
          id);
      storage.dropTableSpace(id);
      storage.apply(new WriteSet().deleteMeta(marker));
    }
    if (!markers.isEmpty()) {
      storage.sync();
    }
  }

  private static byte[] restoringKey(long id) {
    return ByteBuffer.allocate(18).put(bytes("restoring/")).putLong(id).array();
  }

  private static byte[] restoreKey(long id) {
    return ByteBuffer.allocate(16).put(bytes("restore/")).putLong(id).array();
  }

  /**
   * Registers a table that a restore is filling. It is visible as CREATING but not persisted: until
   * {@link #activateRestored} only a marker records its space, so a crash drops it.
   */
  public synchronized Table createRestoring(TableDefinition d, RestoreSummary summary) {
    if (byName.containsKey(d.name())) {
      throw new IllegalStateException("table exists: " + d.name());
    }
    storage.apply(new WriteSet().putMeta(restoringKey(d.id()), new byte[0]));
    storage.sync();
    storage.createTableSpace(d.id());
    Table t = new Table(d, "CREATING", 0, 0);
    t.restoreSummary(summary);
    byName.put(d.name(), t);
    return t;
  }

  /** Completes a restore: the table and its counters become durable and the table ACTIVE. */
  public synchronized void activateRestored(
      Table t, long itemCount, long sizeBytes, WriteSet extra) {
    WriteSet w =
        extra
            .putMeta(tableKey(t.name()), json(t.definition()))
            .putMeta(statsKey(t.id()), statsValue(itemCount, sizeBytes))
            .putMeta(restoreKey(t.id()), json(t.restoreSummary()))
            .deleteMeta(restoringKey(t.id()));
    storage.apply(w);
    storage.sync();
    t.itemCount.set(itemCount);
    t.sizeBytes.set(sizeBytes);
    t.status("ACTIVE");
  }

  /**
   * Sets the counters of a table whose items were bulk-loaded beside the write path (a replica's
   * fill), durably. The caller holds the write lock, so no commit's delta interleaves.
   */
  public synchronized void bulkLoaded(
      Table t, long itemCount, long sizeBytes, Map<Integer, IndexStats> indexStats) {
    WriteSet w = new WriteSet().putMeta(statsKey(t.id()), statsValue(itemCount, sizeBytes));
    indexStats.forEach((number, s) -> w.putMeta(indexStatsKey(t.id(), number), s.encode()));
    storage.apply(w);
    storage.sync();
    t.itemCount.set(itemCount);
    t.sizeBytes.set(sizeBytes);
  }

  /** Drops a restore that failed: its space, its marker and its name. */
  public synchronized void abandonRestore(Table t) {
    byName.remove(t.name(), t);
    storage.dropTableSpace(t.id());
    storage.apply(new WriteSet().deleteMeta(restoringKey(t.id())));
    storage.sync();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] tableKey(String name) {
    return bytes("table/" + name);
  }

  public static byte[] statsKey(long id) {
    return ByteBuffer.allocate(14).put(bytes("stats/")).putLong(id).array();
  }

  /** Entry count and size of one secondary index, kept in the same batch as its entries. */
  public static byte[] indexStatsKey(long id, int indexNumber) {
    return ByteBuffer.allocate(16)
        .put(bytes("istats/"))
        .putLong(id)
        .put((byte) indexNumber)
        .array();
  }

  private static byte[] tagsKey(long id) {
    return ByteBuffer.allocate(13).put(bytes("tags/")).putLong(id).array();
  }

  private static byte[] ttlKey(long id) {
    return ByteBuffer.allocate(12).put(bytes("ttl/")).putLong(id).array();
  }

  public static byte[] statsValue(long count, long size) {
    return ByteBuffer.allocate(16).putLong(count).putLong(size).array();
  }

  /**
   * The definition of table incarnation {@code id} as {@code snapshot} holds it: what its data in
   * that snapshot was written under (an index the snapshot shows ACTIVE has every entry there).
   */
  public static Optional<TableDefinition> definitionIn(
      StorageSnapshot snapshot, String name, long id) {
    byte[] raw = snapshot.getMeta(tableKey(name));
    if (raw == null) {
      return Optional.empty();
    }
    try {
      TableDefinition d = JSON.readValue(raw, TableDefinition.class);
      return d.id() == id ? Optional.of(d) : Optional.empty();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot read the definition of " + name, e);
    }
  }

  public Optional<Table> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** Table names in DynamoDB's ListTables order (ascending by UTF-8 bytes for ASCII names). */
  public List<String> names() {
    return new ArrayList<>(byName.keySet());
  }

  /**
   * The highest table id ever allocated (0 if none). Every incarnation, live or dropped, has an id
   * at or below it; retention uses it to find change logs of dropped tables too.
   */
  public synchronized long lastAllocatedId() {
    return nextId - 1;
  }

  public synchronized long allocateId() {
    long id = nextId++;
    storage.apply(new WriteSet().putMeta(NEXT_ID, ByteBuffer.allocate(8).putLong(nextId).array()));
    storage.sync();
    return id;
  }

  /**
   * Registers a new table; the caller has checked the name is free under the catalog lock. Indexes
   * without a storage number get one here, so every created table's indexes can hold entries.
   */
  public Table create(TableDefinition declared, Map<String, String> tags) {
    return create(declared, tags, new WriteSet());
  }

  /** Registers a new table, applying {@code batch} (to which its own writes are added) at once. */
  public synchronized Table create(
      TableDefinition declared, Map<String, String> tags, WriteSet batch) {
    TableDefinition d = declared.withIndexNumbers();
    if (byName.containsKey(d.name())) {
      throw new IllegalStateException("table exists: " + d.name());
    }
    storage.createTableSpace(d.id());
    WriteSet w =
        batch.putMeta(tableKey(d.name()), json(d)).putMeta(statsKey(d.id()), statsValue(0, 0));
    if (!tags.isEmpty()) {
      w.putMeta(tagsKey(d.id()), json(tags));
    }
    storage.apply(w);
    storage.sync();
    Table t = new Table(d, "ACTIVE", 0, 0);
    byName.put(d.name(), t);
    return t;
  }

  public synchronized void update(Table t, TableDefinition d) {
    update(t, d, new WriteSet());
  }

  /**
   * Replaces a table's definition together with {@code extra} operations in one atomic batch (an
   * index definition and the removal of its entries, for example).
   */
  public synchronized void update(Table t, TableDefinition d, WriteSet extra) {
    extra.putMeta(tableKey(d.name()), json(d));
    storage.apply(extra);
    storage.sync();
    t.definition(d);
  }

  /** Removes the table and its data. Its change log stays until retention trims it. */
  public void delete(Table t) {
    delete(t, new WriteSet());
  }

  /** Removes the table and its data, applying {@code batch} (to which its own writes are added). */
  public synchronized void delete(Table t, WriteSet batch) {
    deleteKeepingSpace(t, batch);
    storage.dropTableSpace(t.id());
  }

  /**
   * Removes the table from the catalog but leaves its key space for a snapshot still reading it (a
   * deleted table's system backup); the caller drops the space with {@link #dropSpace} after.
   * Should the server stop first, the space is an orphan and is dropped at the next start.
   */
  public synchronized void deleteKeepingSpace(Table t, WriteSet batch) {
    t.status("DELETING");
    byName.remove(t.name());
    WriteSet w =
        batch
            .deleteMeta(tableKey(t.name()))
            .deleteMeta(statsKey(t.id()))
            .deleteMeta(tagsKey(t.id()))
            .deleteMeta(ttlKey(t.id()))
            .deleteMeta(restoreKey(t.id()));
    policies.forget(t.id(), w);
    for (IndexDefinition i : t.definition().allIndexes()) {
      w.deleteMeta(indexStatsKey(t.id(), i.number()));
    }
    storage.apply(w);
    storage.sync();
  }

  /** The resource-based policies of the tables and their streams. */
  public ResourcePolicies resourcePolicies() {
    return policies;
  }

  public void dropSpace(long id) {
    storage.dropTableSpace(id);
  }

  /** Drops table spaces no catalog entry owns: left by a deletion cut short by a stop. */
  private void dropOrphanSpaces() {
    java.util.Set<Long> owned = new java.util.HashSet<>();
    byName.values().forEach(t -> owned.add(t.id()));
    List<Long> orphans = new ArrayList<>();
    for (long id : storage.tableSpaces()) {
      if (owned.contains(id)) {
        continue;
      }
      orphans.add(id);
      // Spaces above the last allocated id were made ahead by the storage and never used.
      if (id < nextId) {
        LOG.info(
            "dropping table space {}, which belongs to no table (a deletion or creation was cut short,"
                + " or its id was allocated and never used)",
            id);
      }
    }
    storage.dropTableSpaces(orphans);
  }

  public Map<String, String> tags(Table t) {
    byte[] raw = storage.getMeta(tagsKey(t.id()));
    if (raw == null) {
      return Map.of();
    }
    try {
      return JSON.readValue(
          raw,
          JSON.getTypeFactory().constructMapType(LinkedHashMap.class, String.class, String.class));
    } catch (java.io.IOException e) {
      throw new IllegalStateException("tags of table " + t.name() + " are unreadable", e);
    }
  }

  public synchronized void tags(Table t, Map<String, String> tags) {
    storage.apply(new WriteSet().putMeta(tagsKey(t.id()), json(tags)));
    storage.sync();
  }

  public TimeToLive timeToLive(Table t) {
    byte[] raw = storage.getMeta(ttlKey(t.id()));
    if (raw == null) {
      return TimeToLive.DISABLED;
    }
    try {
      return JSON.readValue(raw, TimeToLive.class);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("time to live of table " + t.name() + " is unreadable", e);
    }
  }

  public synchronized void timeToLive(Table t, TimeToLive ttl) {
    storage.apply(new WriteSet().putMeta(ttlKey(t.id()), json(ttl)));
    storage.sync();
  }

  private static byte[] json(Object o) {
    try {
      return JSON.writeValueAsBytes(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize " + o.getClass().getSimpleName(), e);
    }
  }
}
