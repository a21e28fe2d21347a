package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.Capacity;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.ItemKeys;
import dev.tidemark.api.Json;
import dev.tidemark.api.RequestContext;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.expressions.Projection;
import dev.tidemark.model.AttributeJson;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.model.ItemSize;
import dev.tidemark.storage.ItemCodec;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.Table;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * BatchGetItem: up to 100 keys across tables, each read on its own (there is no common snapshot, as
 * on DynamoDB). When the items read would make the response larger than 16 MB, the keys not yet
 * read come back in UnprocessedKeys, in the same shape as RequestItems, for the client to ask
 * again.
 */
public final class BatchGetItem implements Action {
  static final int MAX_KEYS = 100;

  /** DynamoDB returns at most 16 MB of items per BatchGetItem call. */
  static final long MAX_RESPONSE_BYTES = 16L * 1024 * 1024;

  private final Database db;

  public BatchGetItem(Database db) {
    this.db = db;
  }

  @Override
  public boolean mayWait() {
    return false;
  }

  @Override
  public String name() {
    return "BatchGetItem";
  }

  /** One table's part of the request, validated. */
  private record TableRead(
      String name,
      Table table,
      JsonNode spec,
      List<Map<String, AttributeValue>> keys,
      Projection projection,
      boolean consistent) {}

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    JsonNode requestItems = Json.objectField(req, "RequestItems");
    String returnCapacity = Json.string(req, "ReturnConsumedCapacity");
    Constraints c =
        new Constraints()
            .oneOf(returnCapacity, "returnConsumedCapacity", Capacity.RETURN_VALUES)
            .notNull(requestItems, "requestItems");
    if (requestItems != null) {
      MultiItem.tableNameKeys(c, requestItems, "requestItems");
      Iterator<Map.Entry<String, JsonNode>> it = requestItems.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode keys = Json.array(spec(e), "Keys");
        c.notNull(keys, "requestItems." + e.getKey() + ".member.keys");
        if (keys != null && keys.isEmpty()) {
          MultiItem.length(c, keys, "requestItems." + e.getKey() + ".member.keys", 1, MAX_KEYS);
        } else if (keys != null && keys.size() > MAX_KEYS) {
          // The service names this member differently from its other constraints, and echoes no
          // value; this is its message as observed.
          c.add(
              "Value at 'RequestItems."
                  + e.getKey()
                  + ".member.Keys' failed to satisfy constraint: Member must have length less"
                  + " than or equal to "
                  + MAX_KEYS);
        }
      }
    }
    c.check();
    if (requestItems.isEmpty()) {
      throw DynamoException.validation("The requestItems parameter is required for BatchGetItem");
    }

    List<String> names = new ArrayList<>();
    List<JsonNode> specs = new ArrayList<>();
    List<List<Map<String, AttributeValue>>> rawKeys = new ArrayList<>();
    List<Projection> projections = new ArrayList<>();
    List<Boolean> consistency = new ArrayList<>();
    String expressionTable = null;
    String legacyTable = null;
    int total = 0;
    Iterator<Map.Entry<String, JsonNode>> it = requestItems.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode spec = spec(e);
      List<Map<String, AttributeValue>> keys = new ArrayList<>();
      for (JsonNode k : spec.get("Keys")) {
        keys.add(AttributeJson.readMap(k));
        if (++total > MAX_KEYS) {
          throw DynamoException.validation("Too many items requested for the BatchGetItem call");
        }
      }
      consistency.add(Boolean.TRUE.equals(Json.bool(spec, "ConsistentRead")));
      projections.add(GetItem.projection(spec));
      if (Json.field(spec, "ProjectionExpression") != null) {
        expressionTable = e.getKey();
      }
      if (Json.field(spec, "AttributesToGet") != null) {
        legacyTable = e.getKey();
      }
      names.add(e.getKey());
      specs.add(spec);
      rawKeys.add(keys);
    }
    if (expressionTable != null && legacyTable != null) {
      // One table each: DynamoDB judges the request as a whole, as it does within one table.
      throw DynamoException.validation(
          "Can not use both expression and non-expression parameters in the same request:"
              + " Non-expression parameters: {AttributesToGet} Expression parameters:"
              + " {ProjectionExpression}");
    }

    List<Table> tables = new ArrayList<>();
    for (String n : names) {
      tables.add(db.require(n));
    }
    List<TableRead> reads = new ArrayList<>();
    Set<Object> seen = new HashSet<>();
    for (int i = 0; i < names.size(); i++) {
      Table table = tables.get(i);
      List<Map<String, AttributeValue>> keys = new ArrayList<>();
      for (Map<String, AttributeValue> raw : rawKeys.get(i)) {
        Map<String, AttributeValue> key = ItemKeys.fromKey(table.keySchema(), raw);
        byte[] storageKey = ItemKeys.storageKey(table.keySchema(), key);
        if (!seen.add(MultiItem.itemIdentity(table.id(), storageKey))) {
          throw DynamoException.validation("Provided list of item keys contains duplicates");
        }
        keys.add(key);
      }
      reads.add(
          new TableRead(
              names.get(i), table, specs.get(i), keys, projections.get(i), consistency.get(i)));
    }

    ObjectNode out = Json.object();
    ObjectNode responses = out.putObject("Responses");
    ObjectNode unprocessedKeys = out.putObject("UnprocessedKeys");
    Capacity.Tally tally = new Capacity.Tally(Capacity.Kind.STANDARD);
    long responseBytes = 0;
    boolean full = false;
    for (TableRead r : reads) {
      tally.touch(r.name());
      ArrayNode found = responses.putArray(r.name());
      ArrayNode unprocessed = Json.object().arrayNode();
      for (Map<String, AttributeValue> key : r.keys()) {
        if (full) {
          unprocessed.add(AttributeJson.writeMap(key));
          continue;
        }
        if (!db.storage().hasTableSpace(r.table().id())) {
          throw DynamoException.tableNotFound();
        }
        byte[] raw =
            db.storage().get(r.table().id(), ItemKeys.storageKey(r.table().keySchema(), key));
        Map<String, AttributeValue> item = raw == null ? null : ItemCodec.decode(raw);
        long size = item == null ? 0 : ItemSize.of(item);
        if (responseBytes + size > MAX_RESPONSE_BYTES) {
          // This key and every later one go back unread; the client asks for them again.
          full = true;
          unprocessed.add(AttributeJson.writeMap(key));
          continue;
        }
        responseBytes += size;
        tally.read(r.name(), item, r.consistent());
        if (item != null) {
          found.add(
              AttributeJson.writeMap(r.projection() == null ? item : r.projection().apply(item)));
        }
      }
      if (!unprocessed.isEmpty()) {
        ObjectNode again = ((ObjectNode) r.spec()).deepCopy();
        again.set("Keys", unprocessed);
        unprocessedKeys.set(r.name(), again);
      }
    }
    tally.putList(out, Capacity.Return.of(returnCapacity));
    return out;
  }

  private static JsonNode spec(Map.Entry<String, JsonNode> e) {
    JsonNode spec = e.getValue();
    if (spec == null || !spec.isObject()) {
      throw DynamoException.serialization(
          "Unexpected value type in 'RequestItems': expected a structure for table " + e.getKey());
    }
    return spec;
  }
}
