package dev.tidemark.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.ItemKeys;
import dev.tidemark.api.Json;
import dev.tidemark.history.ItemHistory;
import dev.tidemark.model.AttributeJson;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.Table;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;

/**
 * {@code ListItemVersions}: every version of one item that the PITR archive and the change log
 * hold, oldest first, with each write's time, event (INSERT, MODIFY, REMOVE), origin, writer (the
 * principal ARN or access key id that signed it, {@code WriterKnown}; otherwise why none is known)
 * and images. Input: {@code TableName}, {@code Key} (as GetItem's), optional {@code Limit} (1 to
 * 1000, default 100: the newest that many).
 */
final class ListItemVersions implements ConsoleOperation {
  static final String NAME = "ListItemVersions";
  static final int MAX_LIMIT = 1000;

  private final Database db;
  private final ItemHistory history;

  ListItemVersions(Database db, ItemHistory history) {
    this.db = db;
    this.history = history;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public ObjectNode execute(JsonNode req) {
    String tableName = Json.string(req, "TableName");
    JsonNode keyNode = Json.objectField(req, "Key");
    Long limit = Json.integer(req, "Limit");
    new Constraints()
        .notNull(Json.field(req, "TableName"), "tableName")
        .tableNameOrArn(tableName, "tableName")
        .notNull(keyNode, "key")
        .range(limit, 1, MAX_LIMIT, "limit")
        .check();
    Map<String, AttributeValue> rawKey = AttributeJson.readMap(keyNode);
    Table table = db.require(tableName);
    Map<String, AttributeValue> key = ItemKeys.fromKey(table.keySchema(), rawKey);
    ItemHistory.Versions found;
    try {
      found = history.of(table, key, limit == null ? 100 : limit.intValue());
    } catch (IOException e) {
      throw new UncheckedIOException("reading the PITR archive of " + table.name(), e);
    }
    ObjectNode out = Json.object();
    out.put("TableName", table.name());
    out.set("Key", AttributeJson.writeMap(key));
    out.put("PointInTimeRecoveryEnabled", found.pitr());
    if (found.earliestMillis() != null) {
      out.put("EarliestMillis", found.earliestMillis());
    }
    out.put("Truncated", found.truncated());
    ArrayNode versions = out.putArray("Versions");
    for (ItemHistory.Version v : found.versions()) {
      ObjectNode o = versions.addObject();
      o.put("SequenceNumber", Long.toString(v.seq()));
      o.put("TimeMillis", v.commitTimeMillis());
      o.put("Time", Instant.ofEpochMilli(v.commitTimeMillis()).toString());
      o.put("EventName", v.eventName());
      o.put("Origin", v.origin().name());
      o.put("Writer", v.writer());
      o.put("WriterKnown", v.writerKnown());
      if (v.oldImage() != null) {
        o.set("OldImage", AttributeJson.writeMap(v.oldImage()));
      }
      if (v.newImage() != null) {
        o.set("NewImage", AttributeJson.writeMap(v.newImage()));
      }
    }
    return out;
  }
}
