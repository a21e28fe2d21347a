package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.Json;
import dev.tidemark.api.TableDescriptions;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.IndexDefinition;
import dev.tidemark.tables.KeySchema;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.TableDefinition;
import dev.tidemark.tables.Throughput;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * UpdateTable's GlobalSecondaryIndexUpdates: Create (online, with backfill), Delete, and Update of
 * an index's provisioned throughput. As on DynamoDB, one request creates or deletes at most one
 * index, and not while another index of the table is still being created.
 */
final class GsiUpdates {
  private static final int MAX_GSI = 20;
  private static final String ONE_AT_A_TIME =
      "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per"
          + " table";

  /** One action as requested; {@code node} is its Create or Update structure. */
  private record Action(String kind, String indexName, JsonNode node) {}

  private final List<Action> actions;
  private final JsonNode attributeDefinitions;

  private GsiUpdates(List<Action> actions, JsonNode attributeDefinitions) {
    this.actions = List.copyOf(actions);
    this.attributeDefinitions = attributeDefinitions;
  }

  /**
   * Reads and checks the shape of GlobalSecondaryIndexUpdates; null when the request has none (an
   * empty list counts as none, as on DynamoDB).
   */
  static GsiUpdates read(JsonNode req) {
    JsonNode list = Json.array(req, "GlobalSecondaryIndexUpdates");
    if (list == null || list.isEmpty()) {
      return null;
    }
    List<Action> actions = new ArrayList<>();
    Constraints constraints = new Constraints();
    int position = 0;
    for (JsonNode u : list) {
      position++;
      if (!u.isObject()) {
        throw DynamoException.serialization(
            "Unexpected value type in 'GlobalSecondaryIndexUpdates': expected structures");
      }
      JsonNode create = Json.objectField(u, "Create");
      JsonNode update = Json.objectField(u, "Update");
      JsonNode delete = Json.objectField(u, "Delete");
      int given = (create == null ? 0 : 1) + (update == null ? 0 : 1) + (delete == null ? 0 : 1);
      if (given == 0) {
        throw DynamoException.invalidParameter(
            "One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create,"
                + " GlobalSecondaryIndexUpdate.Delete must not be null");
      }
      if (given > 1) {
        throw DynamoException.invalidParameter(
            "Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate"
                + " object");
      }
      String member = "globalSecondaryIndexUpdates." + position + ".member.";
      if (create != null) {
        String name = Json.string(create, "IndexName");
        constraints
            .notNull(create.get("IndexName"), member + "create.indexName")
            .name(name, member + "create.indexName")
            .notNull(Json.array(create, "KeySchema"), member + "create.keySchema")
            .notNull(Json.objectField(create, "Projection"), member + "create.projection");
        actions.add(new Action("Create", name, create));
      } else if (update != null) {
        String name = Json.string(update, "IndexName");
        JsonNode pt = Json.objectField(update, "ProvisionedThroughput");
        constraints
            .notNull(update.get("IndexName"), member + "update.indexName")
            .name(name, member + "update.indexName")
            .notNull(pt, member + "update.provisionedThroughput");
        if (pt != null) {
          Long read = Json.integer(pt, "ReadCapacityUnits");
          Long write = Json.integer(pt, "WriteCapacityUnits");
          String p = member + "update.provisionedThroughput.";
          constraints
              .notNull(pt.get("ReadCapacityUnits"), p + "readCapacityUnits")
              .notNull(pt.get("WriteCapacityUnits"), p + "writeCapacityUnits")
              .range(read, 1, Long.MAX_VALUE, p + "readCapacityUnits")
              .range(write, 1, Long.MAX_VALUE, p + "writeCapacityUnits");
        }
        actions.add(new Action("Update", name, update));
      } else {
        String name = Json.string(delete, "IndexName");
        constraints
            .notNull(delete.get("IndexName"), member + "delete.indexName")
            .name(name, member + "delete.indexName");
        actions.add(new Action("Delete", name, delete));
      }
    }
    constraints.check();
    Set<String> names = new HashSet<>();
    int online = 0;
    for (Action a : actions) {
      if (!names.add(a.indexName())) {
        throw DynamoException.invalidParameter(
            "Only one global secondary index update per index is allowed simultaneously. Index: "
                + a.indexName());
      }
      if (!a.kind().equals("Update")) {
        online++;
      }
    }
    if (online > 1) {
      throw new DynamoException(WireError.LIMIT_EXCEEDED, ONE_AT_A_TIME);
    }
    return new GsiUpdates(actions, Json.array(req, "AttributeDefinitions"));
  }

  /**
   * Global indexes follow a billing-mode switch: on-demand clears their throughput, and a switch to
   * provisioned needs an Update with throughput for each of them in the same request.
   */
  static TableDefinition followBillingMode(
      TableDefinition before, TableDefinition after, GsiUpdates updates) {
    if (before.billingMode().equals(after.billingMode()) || after.globalIndexes().isEmpty()) {
      return after;
    }
    if (TableDefinition.PAY_PER_REQUEST.equals(after.billingMode())) {
      List<IndexDefinition> gsis = new ArrayList<>();
      after.globalIndexes().forEach(i -> gsis.add(i.withThroughput(Throughput.ZERO)));
      return after.withIndexes(after.attributeDefinitions(), after.localIndexes(), gsis);
    }
    List<String> missing = new ArrayList<>();
    for (IndexDefinition i : after.globalIndexes()) {
      boolean given =
          updates != null
              && updates.actions.stream()
                  .anyMatch(a -> a.kind().equals("Update") && a.indexName().equals(i.name()));
      if (!given) {
        missing.add(i.name());
      }
    }
    if (!missing.isEmpty()) {
      throw DynamoException.invalidParameter(
          "ProvisionedThroughput must be specified for index: " + String.join(",", missing));
    }
    return after;
  }

  /**
   * Checks the actions against the table, then applies them on top of {@code base} (the table's
   * definition with this request's other changes) in one catalog update. The caller holds the
   * catalog monitor. Returns the table description to answer.
   */
  ObjectNode apply(Database db, Table table, TableDefinition base) {
    Action online = null;
    TableDefinition d = base;
    IndexDefinition created = null;
    Map<String, AttributeValue.Type> definitions = null;
    for (Action a : actions) {
      if (!a.kind().equals("Update")) {
        online = a;
        continue;
      }
      d = updateThroughput(d, a);
    }
    if (online != null) {
      boolean building =
          d.globalIndexes().stream().anyMatch(i -> !IndexDefinition.ACTIVE.equals(i.status()));
      if (building) {
        throw new DynamoException(WireError.LIMIT_EXCEEDED, ONE_AT_A_TIME);
      }
      if (online.kind().equals("Create")) {
        // A new index is backfilled into the data directory; deleting one frees space and stays
        // allowed on a full disk.
        db.space().checkDataWritable();
        definitions = new LinkedHashMap<>(d.attributeDefinitions());
        created = parseCreate(d, online, definitions);
      } else {
        checkDelete(d, online.indexName());
      }
    }
    if (online == null) {
      db.catalog().update(table, d);
    } else if (created != null) {
      db.indexes().createGlobal(table, d, created, definitions);
    } else {
      IndexDefinition gone = d.index(online.indexName()).orElseThrow();
      db.indexes().deleteGlobal(table, d, online.indexName());
      ObjectNode description = TableDescriptions.describe(db, table);
      ArrayNode gsis =
          description.has("GlobalSecondaryIndexes")
              ? (ArrayNode) description.get("GlobalSecondaryIndexes")
              : description.putArray("GlobalSecondaryIndexes");
      // DynamoDB still lists the index, DELETING, in the answer to the request that drops it.
      gsis.add(TableDescriptions.globalIndex(db, d, gone, "DELETING"));
      description.put("TableStatus", "UPDATING");
      return description;
    }
    ObjectNode description = TableDescriptions.describe(db, table);
    if (created != null) {
      description.put("TableStatus", "UPDATING");
    }
    return description;
  }

  private IndexDefinition parseCreate(
      TableDefinition d, Action a, Map<String, AttributeValue.Type> definitions) {
    String name = a.indexName();
    if (d.index(name).isPresent()) {
      throw DynamoException.validation("Attempting to create an index which already exists");
    }
    if (attributeDefinitions == null || attributeDefinitions.isEmpty()) {
      throw DynamoException.invalidParameter(
          "AttributeDefinitions is not specified for index: " + name);
    }
    Map<String, AttributeValue.Type> requested = Schemas.attributeDefinitions(attributeDefinitions);
    JsonNode pt = Json.objectField(a.node(), "ProvisionedThroughput");
    if (TableDefinition.PROVISIONED.equals(d.billingMode()) && pt == null) {
      throw DynamoException.invalidParameter(
          "ProvisionedThroughput must be specified for index: " + name);
    }
    if (TableDefinition.PAY_PER_REQUEST.equals(d.billingMode()) && pt != null) {
      throw DynamoException.invalidParameter(
          "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified for index: "
              + name
              + " when BillingMode is PAY_PER_REQUEST");
    }
    for (Map.Entry<String, AttributeValue.Type> e : requested.entrySet()) {
      AttributeValue.Type existing = definitions.get(e.getKey());
      if (existing != null && existing != e.getValue()) {
        // Keys already stored under the old type would no longer match their schema.
        throw DynamoException.invalidParameter(
            "Cannot change the type of attribute "
                + e.getKey()
                + " from "
                + existing
                + " to "
                + e.getValue());
      }
    }
    // The new index's keys may name attributes the table already defines (its sort key, say).
    Map<String, AttributeValue.Type> known = new LinkedHashMap<>(definitions);
    known.putAll(requested);
    IndexDefinition index = Schemas.index(a.node(), known, true, d.billingMode());
    List<IndexDefinition> all = new ArrayList<>(d.allIndexes());
    all.add(index);
    Schemas.checkProjectedCount(all);
    if (d.globalIndexes().size() >= MAX_GSI) {
      throw new DynamoException(
          WireError.LIMIT_EXCEEDED,
          "Subscriber limit exceeded: The number of global secondary indexes exceeds the per-table"
              + " limit of "
              + MAX_GSI);
    }
    for (KeySchema.Part part : index.keySchema().parts()) {
      definitions.put(part.name(), part.type());
    }
    return index;
  }

  private static void checkDelete(TableDefinition d, String name) {
    IndexDefinition index = d.index(name).orElseThrow(() -> indexNotFound(d, name));
    if (!index.global()) {
      throw DynamoException.validation(
          "Cannot delete an index that is not a GlobalSecondaryIndex: " + name);
    }
  }

  private static TableDefinition updateThroughput(TableDefinition d, Action a) {
    String name = a.indexName();
    IndexDefinition index = d.index(name).orElseThrow(() -> indexNotFound(d, name));
    if (!index.global()) {
      throw DynamoException.validation(
          "Cannot update an index that is not a GlobalSecondaryIndex: " + name);
    }
    if (TableDefinition.PAY_PER_REQUEST.equals(d.billingMode())) {
      throw DynamoException.invalidParameter(
          "The only Updates for index: "
              + name
              + " when TableThroughputMode is PAY_PER_REQUEST can be to OnDemandThroughput,"
              + " WarmThroughput");
    }
    Throughput t =
        Schemas.throughput(
            Json.objectField(a.node(), "ProvisionedThroughput"), "provisionedThroughput");
    List<IndexDefinition> gsis = new ArrayList<>();
    for (IndexDefinition i : d.globalIndexes()) {
      gsis.add(i.name().equals(name) ? i.withThroughput(t) : i);
    }
    return d.withIndexes(d.attributeDefinitions(), d.localIndexes(), gsis);
  }

  private static DynamoException indexNotFound(TableDefinition d, String name) {
    return DynamoException.resourceNotFound(
        "Requested resource not found: Index " + name + " for table " + d.name());
  }
}
