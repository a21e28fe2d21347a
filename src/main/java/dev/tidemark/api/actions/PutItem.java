package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.Capacity;
import dev.tidemark.api.Conditions;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.ExpressionParams;
import dev.tidemark.api.ItemCollections;
import dev.tidemark.api.ItemKeys;
import dev.tidemark.api.Json;
import dev.tidemark.api.RequestContext;
import dev.tidemark.api.ReturnValues;
import dev.tidemark.changelog.ChangeRecord;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.expressions.Condition;
import dev.tidemark.expressions.ExpressionContext;
import dev.tidemark.indexes.IndexKeyCheck;
import dev.tidemark.model.AttributeJson;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.model.ItemSize;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.WritePath;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** PutItem: replaces an item whole, optionally under a condition. */
public final class PutItem implements Action {
  private final Database db;

  public PutItem(Database db) {
    this.db = db;
  }

  /** Never waits: the handler holds the answer until the write is durable, not this thread. */
  @Override
  public boolean mayWait() {
    return false;
  }

  @Override
  public String name() {
    return "PutItem";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    String tableName = Json.string(req, "TableName");
    JsonNode itemNode = Json.objectField(req, "Item");
    String returnCapacity = Json.string(req, "ReturnConsumedCapacity");
    new Constraints()
        .oneOf(returnCapacity, "returnConsumedCapacity", Capacity.RETURN_VALUES)
        .notNull(Json.field(req, "TableName"), "tableName")
        .tableNameOrArn(tableName, "tableName")
        .notNull(itemNode, "item")
        .check();
    ReturnValues returnValues =
        ReturnValues.read(req, List.of(ReturnValues.NONE, ReturnValues.ALL_OLD));
    boolean returnOld = Conditions.returnOldOnFailure(req);
    boolean collectionMetrics = ItemCollections.requested(req);
    Map<String, AttributeValue> item = AttributeJson.readMap(itemNode);
    Map<String, String> expressions = new HashMap<>();
    expressions.put("ConditionExpression", Json.string(req, "ConditionExpression"));
    Map<String, JsonNode> legacy = new HashMap<>();
    legacy.put("Expected", Json.field(req, "Expected"));
    ExpressionContext ctx = ExpressionParams.read(req, expressions, legacy);
    Condition condition = Conditions.parse(req, ctx);
    ctx.checkAllUsed();

    Table table = db.require(tableName);
    Map<String, AttributeValue> key = ItemKeys.fromItem(table.keySchema(), item);
    IndexKeyCheck.check(table.definition(), item, IndexKeyCheck.Source.ITEM);
    if (ItemSize.of(item) > ItemSize.MAX_ITEM_BYTES) {
      throw DynamoException.validation("Item size has exceeded the maximum allowed size");
    }
    WritePath.Outcome outcome =
        db.writePath()
            .commit(
                List.of(
                    new WritePath.ItemWrite(
                        table,
                        ItemKeys.storageKey(table.keySchema(), key),
                        key,
                        current -> {
                          Conditions.check(condition, current, returnOld);
                          return item;
                        })),
                ChangeRecord.Origin.USER)
            .get(0);
    ObjectNode out = Json.object();
    returnValues.render(out, outcome.oldItem(), outcome.newItem(), List.of());
    new Capacity.Tally(Capacity.Kind.STANDARD)
        .write(tableName, table.definition(), outcome.oldItem(), outcome.newItem())
        .putSingle(out, Capacity.Return.of(returnCapacity));
    ItemCollections.render(out, collectionMetrics, db.storage(), table, key);
    return out;
  }
}
