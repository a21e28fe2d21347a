package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.Json;
import dev.tidemark.api.TableDescriptions;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.ReplicatedSettings;
import dev.tidemark.tables.Replication;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.TableDefinition;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * UpdateTable's {@code ReplicaUpdates} (global tables version 2019.11.21): one Create or one Delete
 * per request, alone in it, with DynamoDB's refusals in DynamoDB's order (request shape first, then
 * regions, then the table's state). The work is {@link dev.tidemark.tables.GlobalTables}'.
 *
 * @param create whether the action is a Create (else a Delete)
 */
record ReplicaUpdates(boolean create, String region) {

  /** The single replica action of the request, or null when it has no ReplicaUpdates. */
  static ReplicaUpdates read(JsonNode req) {
    JsonNode updates = Json.field(req, "ReplicaUpdates");
    if (updates == null) {
      return null;
    }
    if (!updates.isArray() || updates.isEmpty()) {
      throw DynamoException.validation(
          "1 validation error detected: Value '[]' at 'replicaUpdates' failed to satisfy"
              + " constraint: Member must have length greater than or equal to 1");
    }
    for (Iterator<String> it = req.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("TableName") && !f.equals("ReplicaUpdates") && !req.get(f).isNull()) {
        if (f.equals("MultiRegionConsistency")) {
          continue;
        }
        throw DynamoException.validation(
            "Requests that modify replicas or witnesses must not also modify other fields");
      }
    }
    new Constraints()
        .oneOf(
            Json.string(req, "MultiRegionConsistency"),
            "multiRegionConsistency",
            List.of("EVENTUAL", "STRONG"))
        .check();
    String createRegion = null;
    String deleteRegion = null;
    int creates = 0;
    int deletes = 0;
    boolean updates1 = false;
    int n = 0;
    for (JsonNode u : updates) {
      n++;
      JsonNode c = Json.objectField(u, "Create");
      JsonNode d = Json.objectField(u, "Delete");
      JsonNode up = Json.objectField(u, "Update");
      if (c != null) {
        String r = regionName(c, n, "create");
        if (!r.equals(createRegion)) {
          creates++; // two identical Creates for one region count once, as on DynamoDB
        }
        createRegion = r;
      }
      if (d != null) {
        deleteRegion = regionName(d, n, "delete");
        deletes++;
      }
      if (up != null) {
        regionName(up, n, "update");
        updates1 = true;
        if (up.size() <= 1) {
          throw DynamoException.validation(
              "There are no actions specified in the Replica Update Action of the request.");
        }
      }
      if (c == null && d == null && up == null) {
        throw DynamoException.validation(
            "There are no actions specified in the Replica Update Action of the request.");
      }
    }
    if ((creates > 0 ? 1 : 0) + (deletes > 0 ? 1 : 0) + (updates1 ? 1 : 0) > 1) {
      throw DynamoException.validation(
          "Update table operation with more than one type of replica actions not allowed.");
    }
    if (creates > 1 || deletes > 1) {
      throw DynamoException.validation(
          "Update table operation with more than one create or delete replica actions not"
              + " allowed");
    }
    if (updates1) {
      throw DynamoException.validation(
          "Tidemark does not support per-replica overrides (ReplicaUpdates Update) yet: replicas"
              + " inherit the table's capacity and table class");
    }
    return new ReplicaUpdates(
        createRegion != null, createRegion != null ? createRegion : deleteRegion);
  }

  private static String regionName(JsonNode action, int n, String kind) {
    String r = Json.string(action, "RegionName");
    if (r == null) {
      throw DynamoException.validation(
          "1 validation error detected: Value null at 'replicaUpdates."
              + n
              + ".member."
              + kind
              + ".regionName' failed to satisfy constraint: Member must not be null");
    }
    return r;
  }

  /** Checks the regions and the table's state, then creates or deletes the replica. */
  ObjectNode execute(Database db, String tableName) {
    List<String> peers = db.globalTables().peerRegions();
    if (region.equals(db.region())) {
      throw DynamoException.validation(
          "Cannot add or delete the local region through ReplicaUpdates. Use CreateTable,"
              + " DeleteTable, or UpdateTable as required.");
    }
    if (!peers.contains(region)) {
      throw DynamoException.validation(
          "Region "
              + region
              + " is not supported. The latest version of global tables are only supported in the"
              + " following regions: "
              + peers
              + ".");
    }
    synchronized (db.catalog()) {
      Table t = db.require(tableName);
      Replication group = t.replication();
      boolean member =
          group != null && group.replicas().stream().anyMatch(m -> m.region().equals(region));
      if (group != null
          && group.replicas().stream()
              .anyMatch(m -> "CREATING".equals(m.status()) || "DELETING".equals(m.status()))) {
        throw DynamoException.resourceInUse(
            "The resource which you are attempting to change is in use.");
      }
      if (create) {
        if (member) {
          throw DynamoException.validation(
              "Failed to create a the new replica of table with name: \u2018"
                  + t.name()
                  + "\u2019 because one or more replicas already existed as tables.");
        }
        TableDefinition d = t.definition();
        if (TableDefinition.PROVISIONED.equals(d.billingMode())) {
          // DynamoDB requires write auto scaling on provisioned tables; Tidemark has none.
          throw DynamoException.validation(
              "Table write capacity should either be Pay-Per-Request or AutoScaled.");
        }
        if (d.streamViewType() != null && !"NEW_AND_OLD_IMAGES".equals(d.streamViewType())) {
          throw DynamoException.validation(
              "Tidemark needs the table's stream to be NEW_AND_OLD_IMAGES (or off, and it turns it"
                  + " on) to replicate it; it is "
                  + d.streamViewType());
        }
        db.globalTables().createReplica(t, region);
        if (db.catalog().timeToLive(t).enabled()) {
          // The new replica is created with the table's keys and indexes; TTL follows as a
          // synchronized setting once it is filled.
          db.replicatedSettings().changed(t, Set.of(ReplicatedSettings.TTL));
        }
      } else {
        if (!member) {
          throw DynamoException.validation(
              "Update global table operation failed because one or more replicas were not part of"
                  + " the global table. Please retry the request without these replicas: ["
                  + region
                  + "].");
        }
        db.globalTables().deleteReplica(t, region);
      }
      ObjectNode out = Json.object();
      out.set("TableDescription", TableDescriptions.describe(db, t));
      return out;
    }
  }
}
