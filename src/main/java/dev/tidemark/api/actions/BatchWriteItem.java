package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.Capacity;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.ItemKeys;
import dev.tidemark.api.Json;
import dev.tidemark.api.RequestContext;
import dev.tidemark.changelog.ChangeRecord;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.indexes.IndexKeyCheck;
import dev.tidemark.model.AttributeJson;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.model.ItemSize;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.WritePath;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * BatchWriteItem: up to 25 unconditional puts and deletes across tables. On DynamoDB each write is
 * atomic on its own and the batch is not a transaction; here the whole batch goes through one
 * commit, which keeps each write's semantics (no two writes may touch one item, so none sees
 * another) and is faster. Nothing is ever throttled, so UnprocessedItems is always empty, and that
 * is the true answer.
 */
public final class BatchWriteItem implements Action {
  static final int MAX_WRITES = 25;

  private final Database db;

  public BatchWriteItem(Database db) {
    this.db = db;
  }

  /** Never waits: the handler holds the answer until the write is durable, not this thread. */
  @Override
  public boolean mayWait() {
    return false;
  }

  @Override
  public String name() {
    return "BatchWriteItem";
  }

  /** One validated request: {@code item} is null for a delete. */
  private record Request(
      String tableName, Map<String, AttributeValue> key, Map<String, AttributeValue> item) {}

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    JsonNode requestItems = Json.objectField(req, "RequestItems");
    String returnCapacity = Json.string(req, "ReturnConsumedCapacity");
    String returnMetrics = Json.string(req, "ReturnItemCollectionMetrics");
    Constraints c =
        new Constraints()
            .oneOf(returnCapacity, "returnConsumedCapacity", Capacity.RETURN_VALUES)
            .oneOf(returnMetrics, "returnItemCollectionMetrics", List.of("SIZE", "NONE"))
            .notNull(requestItems, "requestItems");
    int total = 0;
    if (requestItems != null) {
      MultiItem.tableNameKeys(c, requestItems, "requestItems");
      boolean badLength = false;
      Iterator<Map.Entry<String, JsonNode>> it = requestItems.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode writes = writes(e);
        total += writes.size();
        badLength |= writes.isEmpty() || writes.size() > MAX_WRITES;
        for (int i = 0; i < writes.size(); i++) {
          JsonNode w = writes.get(i);
          String member = "requestItems." + e.getKey() + ".member." + (i + 1) + ".member.";
          JsonNode put = Json.objectField(w, "PutRequest");
          JsonNode delete = Json.objectField(w, "DeleteRequest");
          if (put != null) {
            c.notNull(Json.objectField(put, "Item"), member + "putRequest.item");
          }
          if (delete != null) {
            c.notNull(Json.objectField(delete, "Key"), member + "deleteRequest.key");
          }
        }
      }
      if (badLength) {
        c.add(
            "Value '"
                + MultiItem.dump(requestItems)
                + "' at 'requestItems' failed to satisfy constraint: Map value must satisfy"
                + " constraint: [Member must have length less than or equal to "
                + MAX_WRITES
                + ", Member must have length greater than or equal to 1]");
      }
    }
    c.check();
    if (requestItems.isEmpty()) {
      throw DynamoException.validation("The requestItems parameter is required for BatchWriteItem");
    }
    if (total > MAX_WRITES) {
      throw DynamoException.validation("Too many items requested for the BatchWriteItem call");
    }

    List<Request> requests = new ArrayList<>();
    Iterator<Map.Entry<String, JsonNode>> it = requestItems.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      for (JsonNode w : writes(e)) {
        JsonNode put = Json.objectField(w, "PutRequest");
        JsonNode delete = Json.objectField(w, "DeleteRequest");
        if ((put == null) == (delete == null)) {
          // WriteRequest is a union; the service words a wrong member count as it does for
          // AttributeValue unions.
          throw DynamoException.validation(
              "Supplied AttributeValue has more than one datatypes set, must contain exactly one of"
                  + " the supported datatypes");
        }
        if (put != null) {
          Map<String, AttributeValue> item = AttributeJson.readMap(put.get("Item"));
          if (ItemSize.of(item) > ItemSize.MAX_ITEM_BYTES) {
            throw DynamoException.validation("Item size has exceeded the maximum allowed size");
          }
          requests.add(new Request(e.getKey(), null, item));
        } else {
          requests.add(new Request(e.getKey(), AttributeJson.readMap(delete.get("Key")), null));
        }
      }
    }

    List<Table> tables = new ArrayList<>();
    for (Request r : requests) {
      tables.add(db.require(r.tableName()));
    }
    List<WritePath.ItemWrite> writes = new ArrayList<>();
    Set<Object> seen = new HashSet<>();
    for (int i = 0; i < requests.size(); i++) {
      Request r = requests.get(i);
      Table table = tables.get(i);
      Map<String, AttributeValue> key;
      if (r.item() != null) {
        // A put names its key inside the item; here a missing or mistyped key attribute gets the
        // schema message, not PutItem's.
        if (Cancellation.itemKeyMismatch(table.keySchema(), r.item()) != null) {
          throw DynamoException.validation(Cancellation.KEY_MISMATCH);
        }
        key = ItemKeys.fromItem(table.keySchema(), r.item());
        IndexKeyCheck.check(table.definition(), r.item(), IndexKeyCheck.Source.ITEM);
      } else {
        key = ItemKeys.fromKey(table.keySchema(), r.key());
      }
      byte[] storageKey = ItemKeys.storageKey(table.keySchema(), key);
      if (!seen.add(MultiItem.itemIdentity(table.id(), storageKey))) {
        throw DynamoException.validation("Provided list of item keys contains duplicates");
      }
      Map<String, AttributeValue> item = r.item();
      writes.add(new WritePath.ItemWrite(table, storageKey, key, current -> item));
    }

    List<WritePath.Outcome> outcomes = db.writePath().commit(writes, ChangeRecord.Origin.USER);
    ObjectNode out = Json.object();
    out.putObject("UnprocessedItems");
    Capacity.Tally tally = new Capacity.Tally(Capacity.Kind.STANDARD);
    for (int i = 0; i < requests.size(); i++) {
      WritePath.Outcome o = outcomes.get(i);
      tally.write(
          requests.get(i).tableName(),
          writes.get(i).table().definition(),
          o.oldItem(),
          o.newItem());
    }
    tally.putList(out, Capacity.Return.of(returnCapacity));
    return out;
  }

  private static JsonNode writes(Map.Entry<String, JsonNode> e) {
    JsonNode writes = e.getValue();
    if (writes == null || !writes.isArray()) {
      throw DynamoException.serialization(
          "Unexpected value type in 'RequestItems': expected a list for table " + e.getKey());
    }
    return writes;
  }
}
