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
import dev.tidemark.api.ReadRequest;
import dev.tidemark.api.RequestContext;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.expressions.Condition;
import dev.tidemark.expressions.ExpressionContext;
import dev.tidemark.expressions.Expressions;
import dev.tidemark.expressions.KeyCondition;
import dev.tidemark.expressions.ParsedKeyCondition;
import dev.tidemark.expressions.Projection;
import dev.tidemark.expressions.RangeCondition;
import dev.tidemark.model.AttributeJson;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.storage.Cursor;
import dev.tidemark.storage.KeyBounds;
import dev.tidemark.storage.KeyEncoding;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.IndexDefinition;
import dev.tidemark.tables.KeySchema;
import dev.tidemark.tables.Table;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Query: one partition, optionally narrowed by a range-key condition, read in range-key order. The
 * key condition becomes a byte range over the order-preserving key encoding, so only matching items
 * are read.
 */
public final class Query implements Action {
  private static final byte[] NEXT = {0};
  private final Database db;

  public Query(Database db) {
    this.db = db;
  }

  @Override
  public boolean mayWait() {
    return false;
  }

  @Override
  public String name() {
    return "Query";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    String tableName = Json.string(req, "TableName");
    String indexName = Json.string(req, "IndexName");
    String returnCapacity = Json.string(req, "ReturnConsumedCapacity");
    new Constraints()
        .oneOf(returnCapacity, "returnConsumedCapacity", Capacity.RETURN_VALUES)
        .notNull(Json.field(req, "TableName"), "tableName")
        .tableNameOrArn(tableName, "tableName")
        .name(indexName, "indexName")
        .check();
    Boolean forward = Json.bool(req, "ScanIndexForward");
    Boolean consistentRead = Json.bool(req, "ConsistentRead");
    boolean consistent = Boolean.TRUE.equals(consistentRead);
    String keyExpression = Json.string(req, "KeyConditionExpression");
    String filterExpression = Json.string(req, "FilterExpression");
    String projectionExpression = Json.string(req, "ProjectionExpression");
    JsonNode keyConditions = Json.objectField(req, "KeyConditions");
    JsonNode queryFilter = Json.objectField(req, "QueryFilter");
    JsonNode attributesToGet = Json.array(req, "AttributesToGet");
    String operator = Json.string(req, "ConditionalOperator");
    new Constraints().oneOf(operator, "conditionalOperator", List.of("AND", "OR")).check();
    Map<String, String> expressions = new HashMap<>();
    expressions.put("KeyConditionExpression", keyExpression);
    expressions.put("FilterExpression", filterExpression);
    expressions.put("ProjectionExpression", projectionExpression);
    Map<String, JsonNode> legacy = new HashMap<>();
    legacy.put("KeyConditions", keyConditions);
    legacy.put("QueryFilter", queryFilter);
    legacy.put("AttributesToGet", attributesToGet);
    ExpressionContext ctx = ExpressionParams.read(req, expressions, legacy);
    ParsedKeyCondition keyCondition;
    if (keyExpression != null) {
      keyCondition = Expressions.parseKeyCondition(keyExpression, ctx);
    } else if (keyConditions != null) {
      keyCondition = Expressions.fromKeyConditions(keyConditions);
    } else {
      throw DynamoException.validation(
          "Either the KeyConditions or KeyConditionExpression parameter must be specified in the"
              + " request.");
    }
    Condition filter = ReadParams.filter(ctx, filterExpression, queryFilter, operator);
    Projection projection = ReadParams.projection(ctx, projectionExpression, attributesToGet);
    ctx.checkAllUsed();
    ReadRequest read = ReadRequest.of(req, filter, projection, indexName != null);
    Map<String, AttributeValue> startKey =
        AttributeJson.readMap(Json.objectField(req, "ExclusiveStartKey"));

    Table table = db.require(tableName);
    String select = Json.string(req, "Select");
    IndexDefinition index =
        indexName == null ? null : IndexReads.resolve(table, indexName, consistentRead, select);
    KeySchema schema = index == null ? table.keySchema() : index.keySchema();
    refuseKeyFilter(schema, filter, queryFilter);
    KeyCondition resolved;
    if (schema.composite()) {
      resolved = IndexReads.resolveKey(keyCondition, schema);
    } else {
      resolved = keyCondition.resolve(schema.hashName(), schema.rangeName());
      if (resolved.hashValue().type() != schema.hashType()
          || (resolved.range() != null && resolved.range().value().type() != schema.rangeType())
          || (resolved.range() != null
              && resolved.range().upper() != null
              && resolved.range().upper().type() != schema.rangeType())) {
        throw DynamoException.invalidParameter(
            "Condition parameter type does not match schema type");
      }
    }
    boolean reverse = Boolean.FALSE.equals(forward);
    if (index != null) {
      ObjectNode out =
          IndexReads.query(
              db, table, index, resolved, reverse, startKey, read, filter, projection, select);
      new Capacity.Tally(Capacity.Kind.STANDARD)
          .indexRangeRead(tableName, index.name(), index.global(), read.bytesRead(), consistent)
          .putSingle(out, Capacity.Return.of(returnCapacity));
      return out;
    }
    byte[] partition = ItemKeys.partitionPrefix(resolved.hashValue());
    byte[][] bounds = bounds(partition, resolved.range());
    byte[] lower = bounds[0];
    byte[] upper = bounds[1];
    if (!startKey.isEmpty()) {
      // DynamoDB's texts as other DynamoDB-compatible servers record them from AWS (not confirmed
      // here), and as index reads already answer.
      Map<String, AttributeValue> start =
          ItemKeys.fromKey(schema, startKey, "The provided starting key is invalid");
      if (!start.get(schema.hashName()).equals(resolved.hashValue())) {
        throw DynamoException.validation(
            "The provided starting key is outside query boundaries based on provided conditions");
      }
      byte[] s = ItemKeys.storageKey(schema, start);
      if (reverse) {
        upper = min(upper, s);
      } else {
        lower = max(lower, KeyBounds.concat(s, NEXT));
      }
    }
    ObjectNode out;
    try (Cursor cursor = db.storage().scan(table.id(), lower, upper, reverse)) {
      out = read.page(cursor, schema, item -> true);
    }
    new Capacity.Tally(Capacity.Kind.STANDARD)
        .rangeRead(tableName, read.bytesRead(), consistent)
        .putSingle(out, Capacity.Return.of(returnCapacity));
    return out;
  }

  /**
   * A Query filter may not name a key attribute of the table or index it reads (DynamoDB: "Filter
   * Expression can only contain non-primary key attributes: Primary key attribute: sk"; for the
   * legacy parameter it names QueryFilter). Key conditions belong in the key condition.
   */
  private static void refuseKeyFilter(KeySchema schema, Condition filter, JsonNode queryFilter) {
    if (filter == null) {
      return;
    }
    List<String> keys = new java.util.ArrayList<>();
    for (int i = 0; i < schema.hashCount(); i++) {
      keys.add(schema.hashName(i));
    }
    for (int i = 0; i < schema.rangeCount(); i++) {
      keys.add(schema.rangeName(i));
    }
    for (String key : keys) {
      boolean named =
          queryFilter != null ? queryFilter.has(key) : filter.topLevelNames().contains(key);
      if (named) {
        throw DynamoException.validation(
            (queryFilter != null ? "QueryFilter" : "Filter Expression")
                + " can only contain non-primary key attributes: Primary key attribute: "
                + key);
      }
    }
  }

  /** The byte range of a partition that a range condition selects: [lower, upper). */
  static byte[][] bounds(byte[] partition, RangeCondition range) {
    byte[] end = KeyBounds.successor(partition);
    if (range == null) {
      return new byte[][] {partition, end};
    }
    byte[] v = KeyBounds.concat(partition, KeyEncoding.encode(range.value()));
    return switch (range.op()) {
      case EQ -> new byte[][] {v, KeyBounds.successor(v)};
      case LT -> new byte[][] {partition, v};
      case LE -> new byte[][] {partition, KeyBounds.successor(v)};
      case GT -> new byte[][] {KeyBounds.successor(v), end};
      case GE -> new byte[][] {v, end};
      case BETWEEN -> {
        byte[] u = KeyBounds.concat(partition, KeyEncoding.encode(range.upper()));
        yield new byte[][] {v, KeyBounds.successor(u)};
      }
      case BEGINS_WITH -> {
        byte[] p = KeyBounds.concat(partition, KeyEncoding.encodePrefix(range.value()));
        yield new byte[][] {p, KeyBounds.successor(p)};
      }
    };
  }

  private static byte[] max(byte[] a, byte[] b) {
    return java.util.Arrays.compareUnsigned(a, b) >= 0 ? a : b;
  }

  private static byte[] min(byte[] a, byte[] b) {
    return java.util.Arrays.compareUnsigned(a, b) <= 0 ? a : b;
  }
}
