package dev.tidemark.tables;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tidemark.storage.Cursor;
import dev.tidemark.storage.Storage;
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
 * count and size (written by the write path in the same batch as the items), {@code tags/<id>} the
 * tags, {@code ttl/<id>} the time-to-live setting, {@code next-table-id} the incarnation counter.
 *
 * <p>Create, update and delete take an optional batch of further writes (stream descriptors, for
 * example) that must commit atomically with the table's own.
 */
public final class TableCatalog {
  private static final ObjectMapper JSON = JsonMapper.builder().findAndAddModules().build();
  private static final byte[] NEXT_ID = bytes("next-table-id");

  private final Storage storage;
  private final Map<String, Table> byName = new ConcurrentSkipListMap<>();
  private long nextId;

  public TableCatalog(Storage storage) {
    this.storage = storage;
    byte[] next = storage.getMeta(NEXT_ID);
    this.nextId = next == null ? 1 : ByteBuffer.wrap(next).getLong();
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
        byName.put(d.name(), new Table(d, "ACTIVE", count, size));
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException("table catalog is unreadable", e);
    }
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

  private static byte[] tagsKey(long id) {
    return ByteBuffer.allocate(13).put(bytes("tags/")).putLong(id).array();
  }

  private static byte[] ttlKey(long id) {
    return ByteBuffer.allocate(12).put(bytes("ttl/")).putLong(id).array();
  }

  public static byte[] statsValue(long count, long size) {
    return ByteBuffer.allocate(16).putLong(count).putLong(size).array();
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

  /** Registers a new table; the caller has checked the name is free under the catalog lock. */
  public Table create(TableDefinition d, Map<String, String> tags) {
    return create(d, tags, new WriteSet());
  }

  /** Registers a new table, applying {@code batch} (to which its own writes are added) at once. */
  public synchronized Table create(TableDefinition d, Map<String, String> tags, WriteSet batch) {
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

  public void update(Table t, TableDefinition d) {
    update(t, d, new WriteSet());
  }

  /** Replaces a definition, applying {@code batch} (to which it adds its own write) at once. */
  public synchronized void update(Table t, TableDefinition d, WriteSet batch) {
    storage.apply(batch.putMeta(tableKey(d.name()), json(d)));
    storage.sync();
    t.definition(d);
  }

  /** Removes the table and its data. Its change log stays until retention trims it. */
  public void delete(Table t) {
    delete(t, new WriteSet());
  }

  /** Removes the table, applying {@code batch} (to which its own writes are added) at once. */
  public synchronized void delete(Table t, WriteSet batch) {
    t.status("DELETING");
    byName.remove(t.name());
    storage.apply(
        batch
            .deleteMeta(tableKey(t.name()))
            .deleteMeta(statsKey(t.id()))
            .deleteMeta(tagsKey(t.id()))
            .deleteMeta(ttlKey(t.id())));
    storage.sync();
    storage.dropTableSpace(t.id());
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
