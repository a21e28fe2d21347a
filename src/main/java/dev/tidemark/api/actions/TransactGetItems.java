package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.Capacity;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.ExpressionParams;
import dev.tidemark.api.ItemKeys;
import dev.tidemark.api.Json;
import dev.tidemark.api.RequestContext;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.expressions.ExpressionContext;
import dev.tidemark.expressions.Expressions;
import dev.tidemark.expressions.Projection;
import dev.tidemark.model.AttributeJson;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.model.ItemSize;
import dev.tidemark.storage.ItemCodec;
import dev.tidemark.storage.Storage;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.Table;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * TransactGetItems: up to 100 items across tables, read from one consistent view of the storage (a
 * RocksDB snapshot), so a transaction written by TransactWriteItems is seen whole or not at all.
 * Responses come in request order; a missing item is an empty ItemResponse.
 */
public final class TransactGetItems implements Action {
  static final int MAX_GETS = 100;

  private final Database db;

  public TransactGetItems(Database db) {
    this.db = db;
  }

  @Override
  public boolean mayWait() {
    return false;
  }

  @Override
  public String name() {
    return "TransactGetItems";
  }

  private record Get(String tableName, Map<String, AttributeValue> rawKey, Projection projection) {}

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    JsonNode items = Json.array(req, "TransactItems");
    String returnCapacity = Json.string(req, "ReturnConsumedCapacity");
    Constraints c =
        new Constraints()
            .oneOf(returnCapacity, "returnConsumedCapacity", Capacity.RETURN_VALUES)
            .notNull(items, "transactItems");
    MultiItem.length(c, items, "transactItems", 1, MAX_GETS);
    if (items != null) {
      for (int i = 0; i < items.size(); i++) {
        String member = "transactItems." + (i + 1) + ".member.get";
        JsonNode get = Json.objectField(item(items, i), "Get");
        c.notNull(get, member);
        if (get != null) {
          c.notNull(Json.field(get, "TableName"), member + ".tableName")
              .tableNameOrArn(Json.string(get, "TableName"), member + ".tableName")
              .notNull(Json.objectField(get, "Key"), member + ".key");
        }
      }
    }
    c.check();

    List<Get> gets = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      JsonNode get = items.get(i).get("Get");
      String expression = Json.string(get, "ProjectionExpression");
      Map<String, String> expressions = new HashMap<>();
      expressions.put("ProjectionExpression", expression);
      ExpressionContext ctx = ExpressionParams.read(get, expressions, Map.of());
      Projection projection =
          expression == null ? null : Expressions.parseProjection(expression, ctx);
      ctx.checkAllUsed();
      gets.add(
          new Get(
              Json.string(get, "TableName"), AttributeJson.readMap(get.get("Key")), projection));
    }
    List<Table> tables = new ArrayList<>();
    for (Get g : gets) {
      tables.add(db.require(g.tableName()));
    }
    List<ObjectNode> reasons = new ArrayList<>();
    List<Storage.TableKey> keys = new ArrayList<>();
    Set<Object> seen = new HashSet<>();
    for (int i = 0; i < gets.size(); i++) {
      Table table = tables.get(i);
      String mismatch = Cancellation.keyMismatch(table.keySchema(), gets.get(i).rawKey());
      if (mismatch != null) {
        reasons.add(Cancellation.validationError(mismatch));
        continue;
      }
      Map<String, AttributeValue> key = ItemKeys.fromKey(table.keySchema(), gets.get(i).rawKey());
      byte[] storageKey = ItemKeys.storageKey(table.keySchema(), key);
      if (!seen.add(MultiItem.itemIdentity(table.id(), storageKey))) {
        throw DynamoException.validation(
            "Transaction request cannot include multiple operations on one item");
      }
      reasons.add(Cancellation.none());
      keys.add(new Storage.TableKey(table.id(), storageKey));
    }
    if (!Cancellation.allNone(reasons)) {
      throw Cancellation.exception(reasons);
    }

    for (Table t : tables) {
      if (!db.storage().hasTableSpace(t.id())) {
        throw DynamoException.tableNotFound();
      }
    }
    List<byte[]> values = db.storage().getAll(keys);
    List<Map<String, AttributeValue>> read = new ArrayList<>();
    long aggregate = 0;
    for (byte[] raw : values) {
      Map<String, AttributeValue> item = raw == null ? null : ItemCodec.decode(raw);
      aggregate += item == null ? 0 : ItemSize.of(item);
      read.add(item);
    }
    Cancellation.checkAggregateSize(aggregate);
    ObjectNode out = Json.object();
    ArrayNode responses = out.putArray("Responses");
    Capacity.Tally tally = new Capacity.Tally(Capacity.Kind.TRANSACTIONAL_READ);
    for (int i = 0; i < gets.size(); i++) {
      Get g = gets.get(i);
      Map<String, AttributeValue> item = read.get(i);
      tally.read(g.tableName(), item, true);
      ObjectNode response = responses.addObject();
      if (item != null) {
        response.set(
            "Item",
            AttributeJson.writeMap(g.projection() == null ? item : g.projection().apply(item)));
      }
    }
    tally.putList(out, Capacity.Return.of(returnCapacity));
    return out;
  }

  private static JsonNode item(JsonNode items, int i) {
    JsonNode item = items.get(i);
    if (item == null || !item.isObject()) {
      throw DynamoException.serialization(
          "Unexpected value type in 'TransactItems': expected a structure");
    }
    return item;
  }
}
