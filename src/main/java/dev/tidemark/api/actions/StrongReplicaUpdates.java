package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.Json;
import dev.tidemark.api.TableDescriptions;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.StrongReplication;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.TableDefinition;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * UpdateTable's multi-Region strong consistency (MRSC) changes: {@code MultiRegionConsistency:
 * STRONG} with two replica Creates, or one Create and a {@code GlobalTableWitnessUpdates} Create,
 * on an empty table (born complete in one call); and the teardown of such a table, which removes
 * every other member in one call. Refusals carry AWS's texts (global-tables reference §1.4); the
 * few AWS has not been seen to send are marked.
 *
 * @param create whether the group is created (else dissolved)
 * @param replicas regions to hold a replica (create) or to leave (teardown)
 * @param witness the witness region created or deleted, or null
 */
record StrongReplicaUpdates(boolean create, List<String> replicas, String witness) {
  static final String STRONG = "STRONG";
  private static final String COUNT =
      "Unsupported replica count for global tables with MultiRegionConsistency set to STRONG.";

  /**
   * The MRSC change this request asks for, or null when it is none (a plain request, or replica
   * changes of an eventually consistent global table, which {@link ReplicaUpdates} handles).
   */
  static StrongReplicaUpdates read(Database db, JsonNode req) {
    String consistency = Json.string(req, "MultiRegionConsistency");
    JsonNode witnesses = Json.field(req, "GlobalTableWitnessUpdates");
    JsonNode updates = Json.field(req, "ReplicaUpdates");
    boolean strongTable =
        updates != null
            && db.catalog()
                .find(Database.tableName(Json.string(req, "TableName")))
                .map(t -> t.strong() != null)
                .orElse(false);
    if (!STRONG.equals(consistency) && witnesses == null && !strongTable) {
      return null;
    }
    new Constraints()
        .oneOf(consistency, "multiRegionConsistency", List.of("EVENTUAL", STRONG))
        .check();
    for (Iterator<String> it = req.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!List.of(
                  "TableName",
                  "ReplicaUpdates",
                  "MultiRegionConsistency",
                  "GlobalTableWitnessUpdates")
              .contains(f)
          && !req.get(f).isNull()) {
        throw DynamoException.validation(
            "Requests that modify replicas or witnesses must not also modify other fields");
      }
    }
    List<String> witnessCreates = new ArrayList<>();
    List<String> witnessDeletes = new ArrayList<>();
    if (witnesses != null) {
      if (!witnesses.isArray() || witnesses.isEmpty() || witnesses.size() > 1) {
        throw DynamoException.validation(
            "1 validation error detected: Value '"
                + witnesses
                + "' at 'globalTableWitnessUpdates' failed to satisfy constraint: Member must have"
                + " length "
                + (witnesses.size() > 1
                    ? "less than or equal to 1"
                    : "greater than or equal to 1"));
      }
      JsonNode w = witnesses.get(0);
      String c = regionOf(w, "Create");
      String d = regionOf(w, "Delete");
      if (c == null && d == null) {
        throw DynamoException.validation(
            "There are no actions specified in the Witness Update Action of the request.");
      }
      if (c != null) {
        witnessCreates.add(c);
      }
      if (d != null) {
        witnessDeletes.add(d);
      }
      if (!STRONG.equals(consistency) && !strongTable) {
        throw DynamoException.validation(
            "MultiRegionConsistency must be set as STRONG when GlobalTableWitnessUpdates parameter"
                + " is present.");
      }
    }
    if (updates == null) {
      // A witness-only or STRONG-only call: AWS answers the generic list, without the parameter.
      throw DynamoException.validation(
          "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled,"
              + " GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates,"
              + " MultiAccountReplicaReady, ReplicaTransitRoleArn, DeletionProtectionEnabled,"
              + " OnDemandThroughput, WarmThroughput or TableClass is required");
    }
    if (!updates.isArray() || updates.isEmpty()) {
      throw DynamoException.validation(
          "1 validation error detected: Value '[]' at 'replicaUpdates' failed to satisfy"
              + " constraint: Member must have length greater than or equal to 1");
    }
    Set<String> creates = new LinkedHashSet<>();
    Set<String> deletes = new LinkedHashSet<>();
    boolean others = false;
    for (JsonNode u : updates) {
      String c = regionOf(u, "Create");
      String d = regionOf(u, "Delete");
      if (c != null) {
        creates.add(c);
      }
      if (d != null) {
        deletes.add(d);
      }
      if (c == null && d == null) {
        others = true;
      }
    }
    if (consistency != null) {
      if (others || !deletes.isEmpty() || !witnessDeletes.isEmpty()) {
        throw DynamoException.validation(
            "Only Replica Create actions are supported when MultiRegionConsistency parameter is"
                + " provided.");
      }
      if (strongTable) {
        throw DynamoException.validation(
            "MultiRegionConsistency parameter is unsupported on existing global table");
      }
    }
    if (strongTable) {
      if (!creates.isEmpty() || !witnessCreates.isEmpty()) {
        throw DynamoException.validation(
            "Cannot add replicas to a global table with strong MultiRegionConsistency");
      }
      if (others) {
        throw DynamoException.validation(
            "Tidemark does not support per-replica overrides (ReplicaUpdates Update) yet: replicas"
                + " inherit the table's capacity and table class");
      }
      return new StrongReplicaUpdates(
          false, List.copyOf(deletes), witnessDeletes.isEmpty() ? null : witnessDeletes.get(0));
    }
    String witness = witnessCreates.isEmpty() ? null : witnessCreates.get(0);
    if (witness != null && creates.contains(witness)) {
      throw DynamoException.validation("Cannot target multiple regions with the same action");
    }
    if (creates.size() + witnessCreates.size() != 2) {
      throw DynamoException.validation(COUNT);
    }
    return new StrongReplicaUpdates(true, List.copyOf(creates), witness);
  }

  /** The RegionName of the update's {@code kind} action, or null when it has none. */
  private static String regionOf(JsonNode update, String kind) {
    JsonNode action = Json.objectField(update, kind);
    return action == null ? null : Json.string(action, "RegionName");
  }

  /** Checks the regions and the table's state, then creates or dissolves the group. */
  ObjectNode execute(Database db, String tableName) {
    String unavailable = db.strongTables().unavailableReason();
    List<String> peers = db.globalTables().peerRegions();
    List<String> named = new ArrayList<>(replicas);
    if (witness != null) {
      named.add(witness);
    }
    synchronized (db.catalog()) {
      Table t = db.require(tableName);
      if (create) {
        if (db.region().equals(witness)) {
          throw DynamoException.validation(
              "Cannot add a witness in the same region as an existing replica when creating a"
                  + " global table with MultiRegionConsistency set to STRONG.");
        }
        if (replicas.contains(db.region())) {
          throw DynamoException.validation(
              "Cannot add or delete the local region through ReplicaUpdates. Use CreateTable,"
                  + " DeleteTable, or UpdateTable as required.");
        }
        List<String> unknown = named.stream().filter(r -> !peers.contains(r)).toList();
        if (!unknown.isEmpty()) {
          throw DynamoException.validation(
              "Unsupported Region(s) specified for global tables with MultiRegionConsistency set"
                  + " to STRONG: "
                  + unknown
                  + ".");
        }
        if (t.replication() != null) {
          throw DynamoException.validation(
              "MultiRegionConsistency parameter is unsupported on existing global table");
        }
        TableDefinition d = t.definition();
        if (TableDefinition.PROVISIONED.equals(d.billingMode())) {
          throw DynamoException.validation(
              "Table write capacity should either be Pay-Per-Request or AutoScaled.");
        }
        // AWS documents these refusals without their texts (reference §1.4: unverified).
        if (!d.localIndexes().isEmpty()) {
          throw DynamoException.validation(
              "Local secondary indexes are not supported for global tables with"
                  + " MultiRegionConsistency set to STRONG.");
        }
        if (t.itemCount() > 0) {
          throw DynamoException.validation(
              "Converting a single-Region table to a global table with MultiRegionConsistency set"
                  + " to STRONG is not supported when the table contains items.");
        }
        if (unavailable != null) {
          throw DynamoException.validation(
              "Tidemark cannot create a global table with MultiRegionConsistency set to STRONG"
                  + " here: "
                  + unavailable);
        }
        db.strongTables().create(t, replicas, witness);
      } else {
        StrongReplication group = t.strong();
        List<String> strangers =
            replicas.stream().filter(r -> !group.replicas().contains(r)).toList();
        if (!strangers.isEmpty()) {
          throw ReplicaUpdates.notMembers(strangers);
        }
        if (witness != null && !witness.equals(group.witness())) {
          throw DynamoException.validation(
              "Update global table operation failed because one or more witnesses were not part"
                  + " of the global table. Please retry the request without these witnesses: ["
                  + witness
                  + "].");
        }
        if (group.witness() != null && witness == null) {
          throw DynamoException.validation(
              "Update table delete operation does not include all witnesses.");
        }
        if (replicas.size() != group.replicas().size()) {
          throw DynamoException.validation(COUNT);
        }
        db.strongTables().teardown(t);
      }
      ObjectNode out = Json.object();
      out.set("TableDescription", TableDescriptions.describe(db, t));
      return out;
    }
  }
}
