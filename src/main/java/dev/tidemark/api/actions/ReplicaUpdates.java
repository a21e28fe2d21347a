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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * UpdateTable's {@code ReplicaUpdates} (global tables version 2019.11.21): one Create or one Delete
 * per request, alone in it, or Updates of existing replicas, with DynamoDB's refusals in DynamoDB's
 * order (request shape first, then regions, then the table's state). The work is {@link
 * dev.tidemark.tables.GlobalTables}' and, for overrides, {@link ReplicatedSettings}'.
 *
 * <p>Of the per-replica overrides only {@code TableClassOverride} has a meaning here: Tidemark's
 * replicas are on-demand (a provisioned table cannot get one), and it has no on-demand read limit
 * and no per-region KMS keys. The others are refused, never accepted and dropped.
 *
 * @param kind Create, Update or Delete
 * @param regions the regions the action names, in request order (one, except for Updates)
 * @param tableClassOverrides per region, the TableClassOverride of a Create or an Update
 */
record ReplicaUpdates(String kind, List<String> regions, Map<String, String> tableClassOverrides) {
  private static final List<String> CLASSES = List.of("STANDARD", "STANDARD_INFREQUENT_ACCESS");
  private static final List<String> OVERRIDES =
      List.of(
          "KMSMasterKeyId",
          "ProvisionedThroughputOverride",
          "OnDemandThroughputOverride",
          "GlobalSecondaryIndexes");

  ReplicaUpdates {
    regions = List.copyOf(regions);
    tableClassOverrides = Map.copyOf(tableClassOverrides);
    if (!List.of("Create", "Update", "Delete").contains(kind) || regions.isEmpty()) {
      throw new IllegalArgumentException("replica action " + kind + " " + regions);
    }
  }

  boolean create() {
    return kind.equals("Create");
  }

  String region() {
    return regions.get(0);
  }

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
    List<String> updated = new ArrayList<>();
    Map<String, String> classes = new LinkedHashMap<>();
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
        tableClassOverride(c, n, "create", r, classes);
      }
      if (d != null) {
        deleteRegion = regionName(d, n, "delete");
        deletes++;
      }
      if (up != null) {
        String r = regionName(up, n, "update");
        updates1 = true;
        if (up.size() <= 1) {
          throw DynamoException.validation(
              "There are no actions specified in the Replica Update Action of the request.");
        }
        tableClassOverride(up, n, "update", r, classes);
        updated.add(r);
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
      return new ReplicaUpdates("Update", updated, classes);
    }
    return createRegion != null
        ? new ReplicaUpdates("Create", List.of(createRegion), classes)
        : new ReplicaUpdates("Delete", List.of(deleteRegion), Map.of());
  }

  /** Reads a Create's or an Update's TableClassOverride; refuses the overrides Tidemark lacks. */
  private static void tableClassOverride(
      JsonNode action, int n, String kind, String region, Map<String, String> into) {
    for (String f : OVERRIDES) {
      if (Json.field(action, f) != null) {
        throw DynamoException.validation(
            "Tidemark does not support "
                + f
                + " on a replica: its replicas are on-demand, with no read limit or KMS key of"
                + " their own; only TableClassOverride can differ per replica");
      }
    }
    String cls = Json.string(action, "TableClassOverride");
    new Constraints()
        .oneOf(cls, "replicaUpdates." + n + ".member." + kind + ".tableClassOverride", CLASSES)
        .check();
    if (cls != null) {
      into.put(region, cls);
    }
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

  /** Checks the regions and the table's state, then creates, updates or deletes the replicas. */
  ObjectNode execute(Database db, String tableName) {
    List<String> peers = db.globalTables().peerRegions();
    for (String region : regions) {
      checkRegion(db, peers, region);
    }
    synchronized (db.catalog()) {
      Table t = db.require(tableName);
      Replication group = t.replication();
      if (group != null
          && group.replicas().stream()
              .anyMatch(m -> "CREATING".equals(m.status()) || "DELETING".equals(m.status()))) {
        throw DynamoException.resourceInUse(
            "The resource which you are attempting to change is in use.");
      }
      if (kind.equals("Update")) {
        update(db, t, group);
      } else {
        createOrDelete(db, t, group, region());
      }
      ObjectNode out = Json.object();
      out.set("TableDescription", TableDescriptions.describe(db, t));
      return out;
    }
  }

  private void update(Database db, Table t, Replication group) {
    List<String> strangers = new ArrayList<>();
    for (String region : regions) {
      if (group == null || group.replicas().stream().noneMatch(m -> m.region().equals(region))) {
        strangers.add(region);
      }
    }
    if (!strangers.isEmpty()) {
      throw notMembers(strangers);
    }
    tableClassOverrides.forEach(
        (region, cls) -> db.replicatedSettings().overrideTableClass(t, region, cls));
  }

  /** AWS's refusal of an Update or Delete naming regions outside the group (MRSC's too). */
  static DynamoException notMembers(List<String> regions) {
    return DynamoException.validation(
        "Update global table operation failed because one or more replicas were not part of the"
            + " global table. Please retry the request without these replicas: "
            + regions
            + ".");
  }

  private static void checkRegion(Database db, List<String> peers, String region) {
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
  }

  private void createOrDelete(Database db, Table t, Replication group, String region) {
    boolean member =
        group != null && group.replicas().stream().anyMatch(m -> m.region().equals(region));
    if (create()) {
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
      String cls = tableClassOverrides.get(region);
      if (cls != null) {
        db.replicatedSettings().overrideTableClass(t, region, cls);
      }
      if (db.catalog().timeToLive(t).enabled()) {
        // The new replica is created with the table's keys and indexes; TTL follows as a
        // synchronized setting once it is filled.
        db.replicatedSettings().changed(t, Set.of(ReplicatedSettings.TTL));
      }
    } else {
      if (!member) {
        throw notMembers(List.of(region));
      }
      db.globalTables().deleteReplica(t, region);
    }
  }
}
