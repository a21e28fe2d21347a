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
import dev.tidemark.expressions.Projection;
import dev.tidemark.model.AttributeJson;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.storage.Cursor;
import dev.tidemark.storage.KeyBounds;
import dev.tidemark.storage.KeyEncoding;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.IndexDefinition;
import dev.tidemark.tables.KeySchema;
import dev.tidemark.tables.Table;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Scan, including parallel scan: an item belongs to the segment chosen by a stable hash of its
 * partition key, so the segments partition the table and all items of a partition share one.
 */
public final class Scan implements Action {
  private static final byte[] NEXT = {0};
  private final Database db;

  public Scan(Database db) {
    this.db = db;
  }

  @Override
  public String name() {
    return "Scan";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    String tableName = Json.string(req, "TableName");
    String indexName = Json.string(req, "IndexName");
    Long segment = Json.integer(req, "Segment");
    Long totalSegments = Json.integer(req, "TotalSegments");
    String returnCapacity = Json.string(req, "ReturnConsumedCapacity");
    new Constraints()
        .oneOf(returnCapacity, "returnConsumedCapacity", Capacity.RETURN_VALUES)
        .notNull(Json.field(req, "TableName"), "tableName")
        .tableNameOrArn(tableName, "tableName")
        .name(indexName, "indexName")
        .range(segment, 0, 999999, "segment")
        .range(totalSegments, 1, 1000000, "totalSegments")
        .check();
    Boolean consistentRead = Json.bool(req, "ConsistentRead");
    boolean consistent = Boolean.TRUE.equals(consistentRead);
    if ((segment == null) != (totalSegments == null)) {
      throw DynamoException.validation(
          segment == null
              ? "The TotalSegments parameter is non-null, but the Segment parameter is null"
              : "The Segment parameter is non-null, but the TotalSegments parameter is null");
    }
    if (segment != null && segment >= totalSegments) {
      throw DynamoException.validation(
          "The Segment parameter is zero-based and must be less than parameter TotalSegments:"
              + " Segment: "
              + segment
              + " is not less than TotalSegments: "
              + totalSegments);
    }
    String filterExpression = Json.string(req, "FilterExpression");
    String projectionExpression = Json.string(req, "ProjectionExpression");
    JsonNode scanFilter = Json.objectField(req, "ScanFilter");
    JsonNode attributesToGet = Json.array(req, "AttributesToGet");
    String operator = Json.string(req, "ConditionalOperator");
    new Constraints().oneOf(operator, "conditionalOperator", List.of("AND", "OR")).check();
    Map<String, String> expressions = new HashMap<>();
    expressions.put("FilterExpression", filterExpression);
    expressions.put("ProjectionExpression", projectionExpression);
    Map<String, JsonNode> legacy = new HashMap<>();
    legacy.put("ScanFilter", scanFilter);
    legacy.put("AttributesToGet", attributesToGet);
    ExpressionContext ctx = ExpressionParams.read(req, expressions, legacy);
    Condition filter = ReadParams.filter(ctx, filterExpression, scanFilter, operator);
    Projection projection = ReadParams.projection(ctx, projectionExpression, attributesToGet);
    ctx.checkAllUsed();
    ReadRequest read = ReadRequest.of(req, filter, projection, indexName != null);
    Map<String, AttributeValue> startKey =
        AttributeJson.readMap(Json.objectField(req, "ExclusiveStartKey"));

    Table table = db.require(tableName);
    if (indexName != null) {
      IndexDefinition index =
          IndexReads.resolve(table, indexName, consistentRead, Json.string(req, "Select"));
      Predicate<Map<String, AttributeValue>> segmentOf =
          segment == null ? item -> true : inSegment(index.keySchema(), segment, totalSegments);
      ObjectNode out =
          IndexReads.scan(
              db,
              table,
              index,
              startKey,
              segmentOf,
              read,
              filter,
              projection,
              Json.string(req, "Select"));
      new Capacity.Tally(Capacity.Kind.STANDARD)
          .indexRangeRead(tableName, index.name(), index.global(), read.bytesRead(), consistent)
          .putSingle(out, Capacity.Return.of(returnCapacity));
      return out;
    }
    KeySchema schema = table.keySchema();
    byte[] lower = ItemKeys.itemsLower();
    if (!startKey.isEmpty()) {
      Map<String, AttributeValue> start =
          ItemKeys.fromKey(
              schema,
              startKey,
              "The provided starting key is invalid: The provided key element does not match the"
                  + " schema");
      lower = KeyBounds.concat(ItemKeys.storageKey(schema, start), NEXT);
    }
    Predicate<Map<String, AttributeValue>> include =
        segment == null ? item -> true : inSegment(schema, segment, totalSegments);
    ObjectNode out;
    try (Cursor cursor = db.storage().scan(table.id(), lower, ItemKeys.itemsUpper(), false)) {
      out = read.page(cursor, schema, include);
    }
    new Capacity.Tally(Capacity.Kind.STANDARD)
        .rangeRead(tableName, read.bytesRead(), consistent)
        .putSingle(out, Capacity.Return.of(returnCapacity));
    return out;
  }

  private static Predicate<Map<String, AttributeValue>> inSegment(
      KeySchema schema, long segment, long total) {
    return item -> {
      int h = Arrays.hashCode(KeyEncoding.encode(item.get(schema.hashName())));
      return Math.floorMod(h * 0x9E3779B1, (int) total) == segment;
    };
  }
}
