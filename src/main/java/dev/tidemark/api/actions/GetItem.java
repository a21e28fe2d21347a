package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.Capacity;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.ExpressionParams;
import dev.tidemark.api.ItemKeys;
import dev.tidemark.api.Json;
import dev.tidemark.api.ReadParams;
import dev.tidemark.api.RequestContext;
import dev.tidemark.expressions.ExpressionContext;
import dev.tidemark.expressions.Projection;
import dev.tidemark.model.AttributeJson;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.storage.ItemCodec;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.Table;
import java.util.HashMap;
import java.util.Map;

/**
 * GetItem. Every read is strongly consistent here (one node), so ConsistentRead changes nothing but
 * is accepted.
 */
public final class GetItem implements Action {
  private final Database db;

  public GetItem(Database db) {
    this.db = db;
  }

  @Override
  public boolean mayWait() {
    return false;
  }

  @Override
  public String name() {
    return "GetItem";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    String tableName = Json.string(req, "TableName");
    JsonNode keyNode = Json.objectField(req, "Key");
    String returnCapacity = Json.string(req, "ReturnConsumedCapacity");
    new Constraints()
        .oneOf(returnCapacity, "returnConsumedCapacity", Capacity.RETURN_VALUES)
        .notNull(Json.field(req, "TableName"), "tableName")
        .tableNameOrArn(tableName, "tableName")
        .notNull(keyNode, "key")
        .check();
    boolean consistent = Boolean.TRUE.equals(Json.bool(req, "ConsistentRead"));
    Map<String, AttributeValue> rawKey = AttributeJson.readMap(keyNode);
    Projection projection = projection(req);

    Table table = db.require(tableName);
    Map<String, AttributeValue> key = ItemKeys.fromKey(table.keySchema(), rawKey);
    byte[] raw = db.storage().get(table.id(), ItemKeys.storageKey(table.keySchema(), key));
    ObjectNode out = Json.object();
    Map<String, AttributeValue> item = raw == null ? null : ItemCodec.decode(raw);
    if (item != null) {
      out.set("Item", AttributeJson.writeMap(projection == null ? item : projection.apply(item)));
    }
    new Capacity.Tally(Capacity.Kind.STANDARD)
        .read(tableName, item, consistent)
        .putSingle(out, Capacity.Return.of(returnCapacity));
    return out;
  }

  /** ProjectionExpression or the legacy AttributesToGet; null means the whole item. */
  static Projection projection(JsonNode req) {
    String expression = Json.string(req, "ProjectionExpression");
    JsonNode attributesToGet = Json.array(req, "AttributesToGet");
    Map<String, String> expressions = new HashMap<>();
    expressions.put("ProjectionExpression", expression);
    Map<String, JsonNode> legacy = new HashMap<>();
    legacy.put("AttributesToGet", attributesToGet);
    ExpressionContext ctx = ExpressionParams.read(req, expressions, legacy);
    Projection p = ReadParams.projection(ctx, expression, attributesToGet);
    ctx.checkAllUsed();
    return p;
  }
}
