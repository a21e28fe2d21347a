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
import dev.tidemark.expressions.Expressions;
import dev.tidemark.expressions.UpdatePlan;
import dev.tidemark.indexes.IndexKeyCheck;
import dev.tidemark.model.AttributeJson;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.model.ItemSize;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.WritePath;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * UpdateItem: applies an UpdateExpression (or legacy AttributeUpdates) to the current item,
 * creating it from its key when absent. The plan is fully validated before the write, so it applies
 * whole or not at all.
 */
public final class UpdateItem implements Action {
  private final Database db;

  public UpdateItem(Database db) {
    this.db = db;
  }

  /** Never waits: the handler holds the answer until the write is durable, not this thread. */
  @Override
  public boolean mayWait() {
    return false;
  }

  @Override
  public String name() {
    return "UpdateItem";
  }

  /**
   * Refuses an updated item its table's indexes cannot hold or that is over the size limit; null
   * (an update that created nothing) passes.
   */
  static Map<String, AttributeValue> checkUpdated(Table table, Map<String, AttributeValue> next) {
    if (next != null) {
      IndexKeyCheck.check(table.definition(), next, IndexKeyCheck.Source.UPDATE);
      if (ItemSize.of(next) > ItemSize.MAX_ITEM_BYTES) {
        throw DynamoException.validation(
            "Item size to update has exceeded the maximum allowed size");
      }
    }
    return next;
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
    ReturnValues returnValues = ReturnValues.read(req, List.of(ReturnValues.values()));
    boolean returnOld = Conditions.returnOldOnFailure(req);
    boolean collectionMetrics = ItemCollections.requested(req);
    Map<String, AttributeValue> rawKey = AttributeJson.readMap(keyNode);
    String updateExpression = Json.string(req, "UpdateExpression");
    JsonNode attributeUpdates = Json.objectField(req, "AttributeUpdates");
    Map<String, String> expressions = new HashMap<>();
    expressions.put("UpdateExpression", updateExpression);
    expressions.put("ConditionExpression", Json.string(req, "ConditionExpression"));
    Map<String, JsonNode> legacy = new HashMap<>();
    legacy.put("AttributeUpdates", attributeUpdates);
    legacy.put("Expected", Json.field(req, "Expected"));
    ExpressionContext ctx = ExpressionParams.read(req, expressions, legacy);
    UpdatePlan plan = null;
    if (updateExpression != null) {
      plan = Expressions.parseUpdate(updateExpression, ctx);
    } else if (attributeUpdates != null) {
      plan = Expressions.fromAttributeUpdates(attributeUpdates);
    }
    Condition condition = Conditions.parse(req, ctx);
    ctx.checkAllUsed();

    Table table = db.require(tableName);
    Map<String, AttributeValue> key = ItemKeys.fromKey(table.keySchema(), rawKey);
    if (plan != null) {
      for (String name : plan.updatedTopLevelNames()) {
        if (table.keySchema().isKeyAttribute(name)) {
          throw DynamoException.invalidParameter(
              "Cannot update attribute " + name + ". This attribute is part of the key");
        }
      }
      IndexKeyCheck.checkUpdatedPaths(table.definition(), plan.updatedPaths());
    }
    UpdatePlan finalPlan = plan;
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
                          // Without UpdateExpression or AttributeUpdates the item is created
                          // from its key, as on DynamoDB.
                          Map<String, AttributeValue> next =
                              finalPlan == null
                                  ? (current == null ? new LinkedHashMap<>(key) : current)
                                  : finalPlan.applyToItem(current, key);
                          return checkUpdated(table, next);
                        })),
                ChangeRecord.Origin.USER)
            .get(0);
    ObjectNode out = Json.object();
    returnValues.render(
        out,
        outcome.oldItem(),
        outcome.newItem(),
        finalPlan == null ? List.of() : finalPlan.updatedPaths());
    new Capacity.Tally(Capacity.Kind.STANDARD)
        .write(tableName, table.definition(), outcome.oldItem(), outcome.newItem())
        .putSingle(out, Capacity.Return.of(returnCapacity));
    ItemCollections.render(out, collectionMetrics, db.storage(), table, key);
    return out;
  }
}
