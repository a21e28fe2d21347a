package dev.tidemark.replication.strong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.ItemKeys;
import dev.tidemark.api.Json;
import dev.tidemark.api.Operations;
import dev.tidemark.api.RequestContext;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.tables.Database;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Sends the requests that touch MRSC tables where consensus needs them, around the unchanged
 * actions: writes into the group's log, strongly consistent reads behind a read barrier, and the
 * operations AWS does not offer on MRSC tables (transactions, TTL) to a refusal. A request that
 * touches no MRSC table goes straight to the action, so regional and eventually consistent tables
 * pay one map lookup per named table and nothing else.
 */
final class StrongRouting {
  private StrongRouting() {}

  static void install(Operations ops, StrongConsistency sc) {
    for (String w : StrongConsistency.WRITES) {
      ops.wrap(w, a -> new Write(a, sc));
    }
    for (String r : List.of("GetItem", "Query", "Scan", "BatchGetItem")) {
      ops.wrap(r, a -> new StrongRead(a, sc));
    }
    for (String t : List.of("TransactWriteItems", "TransactGetItems", "UpdateTimeToLive")) {
      ops.wrap(t, a -> new Refused(a, sc));
    }
  }

  /** The tables a request names: TableName, RequestItems' keys, or TransactItems' tables. */
  static List<String> tables(JsonNode req) {
    List<String> out = new ArrayList<>();
    String single = Json.string(req, "TableName");
    if (single != null) {
      out.add(single);
    }
    JsonNode items = req.get("RequestItems");
    if (items != null && items.isObject()) {
      items.fieldNames().forEachRemaining(out::add);
    }
    JsonNode transact = req.get("TransactItems");
    if (transact != null && transact.isArray()) {
      for (JsonNode t : transact) {
        for (Iterator<JsonNode> it = t.elements(); it.hasNext(); ) {
          String name = Json.string(it.next(), "TableName");
          if (name != null) {
            out.add(name);
          }
        }
      }
    }
    return out;
  }

  /** The one MRSC group a request's tables belong to, null if none; refuses a mix. */
  private static GroupRecord group(StrongConsistency sc, List<String> tables) {
    GroupRecord found = null;
    boolean other = false;
    for (String t : tables) {
      GroupRecord g = sc.groupOf(t);
      if (g == null) {
        other = true;
      } else if (found != null && !found.groupId().equals(g.groupId())) {
        other = true;
      } else {
        found = g;
      }
    }
    if (found != null && other) {
      // One log orders one table's writes; a batch across logs could not commit atomically.
      throw DynamoException.validation(
          "Tidemark cannot write to a global table with MultiRegionConsistency set to STRONG and"
              + " to other tables in one BatchWriteItem request; send them separately");
    }
    return found;
  }

  /**
   * An action in front of the registered one, under its name. While any MRSC table exists here it
   * may wait (for consensus), so it runs off the network thread.
   */
  private abstract static class Routed implements Action {
    final Action inner;
    final StrongConsistency sc;

    Routed(Action inner, StrongConsistency sc) {
      this.inner = inner;
      this.sc = sc;
    }

    @Override
    public String name() {
      return inner.name();
    }

    @Override
    public boolean mayWait() {
      return sc.hasGroups() || inner.mayWait();
    }
  }

  /** Writes to an MRSC table are proposed to its log and answered with the leader's result. */
  private static final class Write extends Routed {
    Write(Action inner, StrongConsistency sc) {
      super(inner, sc);
    }

    @Override
    public ObjectNode execute(RequestContext context, JsonNode req) {
      GroupRecord g = group(sc, tables(req));
      if (g == null) {
        return inner.execute(context, req);
      }
      return sc.propose(g, name(), withPlainTableNames(req), itemKeys(sc, req));
    }
  }

  /**
   * The items a write request touches, as {@code table NUL base64(storage key)}, for the leader's
   * conflict check. A request too malformed to say is refused when it is applied, and has none.
   */
  static List<String> itemKeys(StrongConsistency sc, JsonNode req) {
    List<String> keys = new ArrayList<>();
    try {
      String single = Json.string(req, "TableName");
      if (single != null) {
        JsonNode item = req.get("Item");
        addKey(sc, keys, single, item != null ? item : req.get("Key"), item != null);
      }
      JsonNode items = req.get("RequestItems");
      if (items != null && items.isObject()) {
        for (Iterator<Map.Entry<String, JsonNode>> it = items.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          for (JsonNode w : e.getValue()) {
            JsonNode put = w.path("PutRequest").get("Item");
            addKey(
                sc,
                keys,
                e.getKey(),
                put != null ? put : w.path("DeleteRequest").get("Key"),
                put != null);
          }
        }
      }
    } catch (DynamoException | IllegalArgumentException e) {
      return List.of();
    }
    return keys;
  }

  private static void addKey(
      StrongConsistency sc, List<String> keys, String table, JsonNode node, boolean wholeItem) {
    if (node == null || !node.isObject()) {
      return;
    }
    String plain = Database.tableName(table);
    dev.tidemark.tables.KeySchema schema = sc.db().require(plain).keySchema();
    Map<String, dev.tidemark.model.AttributeValue> values =
        dev.tidemark.model.AttributeJson.readMap(node);
    Map<String, dev.tidemark.model.AttributeValue> key =
        wholeItem ? ItemKeys.fromItem(schema, values) : ItemKeys.fromKey(schema, values);
    keys.add(
        plain
            + '\0'
            + java.util.Base64.getEncoder().encodeToString(ItemKeys.storageKey(schema, key)));
  }

  /**
   * Every region applies the request, so a table named by ARN (which carries the receiving region)
   * is renamed to its plain name first.
   */
  static JsonNode withPlainTableNames(JsonNode req) {
    ObjectNode copy = req.deepCopy();
    String single = Json.string(copy, "TableName");
    if (single != null) {
      copy.put("TableName", Database.tableName(single));
    }
    JsonNode items = copy.get("RequestItems");
    if (items instanceof ObjectNode o) {
      ObjectNode renamed = copy.putObject("RequestItems");
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        renamed.set(Database.tableName(e.getKey()), e.getValue());
      }
    }
    return copy;
  }

  /** A strongly consistent read of an MRSC table waits for the read barrier, then reads here. */
  private static final class StrongRead extends Routed {
    StrongRead(Action inner, StrongConsistency sc) {
      super(inner, sc);
    }

    @Override
    public ObjectNode execute(RequestContext context, JsonNode req) {
      if (sc.hasGroups()) {
        GroupRecord barrierFor = null;
        if (Boolean.TRUE.equals(Json.bool(req, "ConsistentRead"))) {
          barrierFor = sc.groupOf(Json.string(req, "TableName"));
        }
        JsonNode items = req.get("RequestItems");
        if (barrierFor == null && items != null && items.isObject()) {
          for (Iterator<Map.Entry<String, JsonNode>> it = items.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            GroupRecord g = sc.groupOf(e.getKey());
            if (g != null && Boolean.TRUE.equals(Json.bool(e.getValue(), "ConsistentRead"))) {
              sc.readBarrier(g);
            }
          }
        }
        if (barrierFor != null) {
          sc.readBarrier(barrierFor);
        }
      }
      return inner.execute(context, req);
    }
  }

  /**
   * What AWS does not support on MRSC tables. It documents that these "will return an error"
   * without the text (global-tables reference §1.4, unverified), so the messages are Tidemark's.
   */
  private static final class Refused extends Routed {
    Refused(Action inner, StrongConsistency sc) {
      super(inner, sc);
    }

    @Override
    public ObjectNode execute(RequestContext context, JsonNode req) {
      if (sc.hasGroups()) {
        for (String t : tables(req)) {
          if (sc.groupOf(t) != null) {
            throw DynamoException.validation(
                (name().equals("UpdateTimeToLive") ? "Time to Live is" : "Transactions are")
                    + " not supported for global tables with MultiRegionConsistency set to"
                    + " STRONG.");
          }
        }
      }
      return inner.execute(context, req);
    }
  }
}
