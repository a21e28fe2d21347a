package dev.tidemark.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.expressions.Condition;
import dev.tidemark.expressions.Projection;
import dev.tidemark.model.AttributeJson;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.model.ItemSize;
import dev.tidemark.storage.Cursor;
import dev.tidemark.storage.ItemCodec;
import dev.tidemark.tables.KeySchema;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The shared half of Query and Scan: Select, Limit, filter, projection, the 1 MB page and
 * LastEvaluatedKey. Limit and the page size count items read before the filter, as on DynamoDB.
 */
public final class ReadRequest {
  /** DynamoDB stops a Query or Scan page after 1 MB of items read. */
  public static final long PAGE_BYTES = 1024 * 1024;

  private final Integer limit;
  private final Condition filter;
  private final Projection projection;
  private final boolean countOnly;

  private ReadRequest(Integer limit, Condition filter, Projection projection, boolean countOnly) {
    this.limit = limit;
    this.filter = filter;
    this.projection = projection;
    this.countOnly = countOnly;
  }

  /** Reads Limit and Select and checks them against the projection the request gave. */
  public static ReadRequest of(
      JsonNode req, Condition filter, Projection projection, boolean hasIndex) {
    Long limit = Json.integer(req, "Limit");
    String select = Json.string(req, "Select");
    new Constraints()
        .range(limit, 1, Integer.MAX_VALUE, "limit")
        .oneOf(
            select,
            "select",
            List.of("ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT"))
        .check();
    if (select != null) {
      switch (select) {
        case "ALL_PROJECTED_ATTRIBUTES" -> {
          if (!hasIndex) {
            throw DynamoException.validation(
                "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
          }
        }
        case "SPECIFIC_ATTRIBUTES" -> {
          if (projection == null) {
            throw DynamoException.validation(
                "SPECIFIC_ATTRIBUTES requires ProjectionExpression or AttributesToGet");
          }
        }
        default -> {
          if (projection != null) {
            throw DynamoException.validation(
                "Cannot specify the ProjectionExpression or AttributesToGet when choosing to get "
                    + select);
          }
        }
      }
    }
    return new ReadRequest(
        limit == null ? null : limit.intValue(), filter, projection, "COUNT".equals(select));
  }

  /**
   * Reads one page from the cursor. {@code include} selects which stored items belong to the read
   * at all (a parallel scan's segment); items it rejects are not counted.
   */
  public ObjectNode page(
      Cursor cursor, KeySchema keySchema, Predicate<Map<String, AttributeValue>> include) {
    return page(
        cursor,
        include,
        item -> item,
        (stored, item) -> item,
        item -> ItemKeys.keyOf(keySchema, item));
  }

  /**
   * Reads one page from a cursor whose values are not the items themselves: index entries. Limit,
   * the 1 MB page and LastEvaluatedKey follow the stored values; the filter and the projection see
   * {@code view} of each (the table item, for a local index read that needs attributes the index
   * does not hold), and without a projection {@code unprojected} decides what is returned.
   *
   * @param view null skips the stored value uncounted (its table item has gone meanwhile)
   * @param lastKey the LastEvaluatedKey for a stored value
   */
  public ObjectNode page(
      Cursor cursor,
      Predicate<Map<String, AttributeValue>> include,
      UnaryOperator<Map<String, AttributeValue>> view,
      BinaryOperator<Map<String, AttributeValue>> unprojected,
      UnaryOperator<Map<String, AttributeValue>> lastKey) {
    ObjectNode out = Json.object();
    ArrayNode items = countOnly ? null : out.putArray("Items");
    int count = 0;
    int scanned = 0;
    long bytes = 0;
    Map<String, AttributeValue> last = null;
    boolean more = false;
    while (true) {
      if ((limit != null && scanned >= limit) || bytes >= PAGE_BYTES) {
        more = true;
        break;
      }
      if (!cursor.next()) {
        break;
      }
      Map<String, AttributeValue> stored = ItemCodec.decode(cursor.value());
      if (!include.test(stored)) {
        continue;
      }
      Map<String, AttributeValue> item = view.apply(stored);
      if (item == null) {
        continue;
      }
      scanned++;
      bytes += ItemSize.of(stored);
      last = stored;
      if (filter != null && !filter.test(item)) {
        continue;
      }
      count++;
      if (items != null) {
        items.add(
            AttributeJson.writeMap(
                projection == null ? unprojected.apply(stored, item) : projection.apply(item)));
      }
    }
    out.put("Count", count);
    out.put("ScannedCount", scanned);
    if (more && last != null) {
      out.set("LastEvaluatedKey", AttributeJson.writeMap(lastKey.apply(last)));
    }
    return out;
  }
}
