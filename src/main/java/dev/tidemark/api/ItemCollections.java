package dev.tidemark.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.indexes.IndexEntries;
import dev.tidemark.model.AttributeJson;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.storage.Cursor;
import dev.tidemark.storage.KeyBounds;
import dev.tidemark.storage.Storage;
import dev.tidemark.tables.IndexDefinition;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.TableDefinition;
import java.util.List;
import java.util.Map;

/**
 * ReturnItemCollectionMetrics: on a table with local secondary indexes, a write with SIZE reports
 * the size of the item collection it touched (the items sharing its partition key, with their local
 * index entries) as DynamoDB's range of gigabytes.
 *
 * <p>The size is summed from storage when asked for, over the partition's items and local index
 * entries, by their stored lengths. DynamoDB limits an item collection to 10 GB, which bounds the
 * walk; clients that do not ask pay nothing.
 */
public final class ItemCollections {
  private static final double GIB = 1024.0 * 1024.0 * 1024.0;

  private ItemCollections() {}

  /** Reads ReturnItemCollectionMetrics; true when the request asks for SIZE. */
  public static boolean requested(JsonNode req) {
    String v = Json.string(req, "ReturnItemCollectionMetrics");
    new Constraints().oneOf(v, "returnItemCollectionMetrics", List.of("SIZE", "NONE")).check();
    return "SIZE".equals(v);
  }

  /** Adds ItemCollectionMetrics for the collection of {@code key} when asked and applicable. */
  public static void render(
      ObjectNode out,
      boolean requested,
      Storage storage,
      Table table,
      Map<String, AttributeValue> key) {
    TableDefinition d = table.definition();
    if (!requested || d.localIndexes().isEmpty()) {
      return;
    }
    AttributeValue hash = key.get(d.keySchema().hashName());
    long bytes = rangeBytes(storage, d.id(), ItemKeys.partitionPrefix(hash));
    for (IndexDefinition lsi : d.localIndexes()) {
      if (lsi.number() != 0) {
        bytes += rangeBytes(storage, d.id(), IndexEntries.partitionPrefix(lsi, hash));
      }
    }
    double lower = Math.floor(bytes / GIB);
    ObjectNode m = out.putObject("ItemCollectionMetrics");
    m.set("ItemCollectionKey", AttributeJson.writeMap(Map.of(d.keySchema().hashName(), hash)));
    m.putArray("SizeEstimateRangeGB").add(lower).add(lower + 1);
  }

  private static long rangeBytes(Storage storage, long tableId, byte[] prefix) {
    long total = 0;
    try (Cursor c = storage.scan(tableId, prefix, KeyBounds.successor(prefix), false)) {
      while (c.next()) {
        total += c.key().length + c.value().length;
      }
    }
    return total;
  }
}
