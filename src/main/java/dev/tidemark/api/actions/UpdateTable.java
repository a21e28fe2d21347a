package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.Json;
import dev.tidemark.api.RequestContext;
import dev.tidemark.api.TableDescriptions;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.storage.WriteSet;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.ReplicatedSettings;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.TableDefinition;
import dev.tidemark.tables.Throughput;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * UpdateTable: deletion protection, billing mode, provisioned throughput, table class, global
 * secondary index changes ({@link GsiUpdates}) and streams.
 */
public final class UpdateTable implements Action {
  private final Database db;

  public UpdateTable(Database db) {
    this.db = db;
  }

  @Override
  public String name() {
    return "UpdateTable";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    String name = Json.string(req, "TableName");
    String billing = Json.string(req, "BillingMode");
    String tableClass = Json.string(req, "TableClass");
    Boolean protection = Json.bool(req, "DeletionProtectionEnabled");
    JsonNode pt = Json.objectField(req, "ProvisionedThroughput");
    new Constraints()
        .notNull(Json.field(req, "TableName"), "tableName")
        .tableNameOrArn(name, "tableName")
        .oneOf(billing, "billingMode", List.of("PROVISIONED", "PAY_PER_REQUEST"))
        .oneOf(tableClass, "tableClass", List.of("STANDARD", "STANDARD_INFREQUENT_ACCESS"))
        .check();
    StrongReplicaUpdates strong = StrongReplicaUpdates.read(db, req);
    if (strong != null) {
      return strong.execute(db, name);
    }
    ReplicaUpdates replicaUpdates = ReplicaUpdates.read(req);
    if (replicaUpdates != null) {
      return replicaUpdates.execute(db, name);
    }
    Throughput requested = pt == null ? null : Schemas.throughput(pt, "provisionedThroughput");
    GsiUpdates indexUpdates = GsiUpdates.read(req);
    JsonNode streamSpec = Json.objectField(req, "StreamSpecification");
    String streamView = streamSpec == null ? null : Schemas.streamViewType(streamSpec);
    if (Json.field(req, "SSESpecification") != null) {
      throw DynamoException.validation(
          "Tidemark does not support this UpdateTable change yet: only DeletionProtectionEnabled,"
              + " BillingMode, ProvisionedThroughput, TableClass, GlobalSecondaryIndexUpdates,"
              + " StreamSpecification and ReplicaUpdates can be updated");
    }
    if (protection == null
        && billing == null
        && requested == null
        && tableClass == null
        && indexUpdates == null
        && streamSpec == null) {
      throw DynamoException.validation(
          "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled,"
              + " GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required");
    }
    if (indexUpdates != null && streamSpec != null) {
      // DynamoDB performs one of these operations per UpdateTable request.
      throw DynamoException.invalidParameter(
          "GlobalSecondaryIndexUpdates and StreamSpecification cannot be changed in the same"
              + " UpdateTable request");
    }
    // What this change alters of the settings every replica of a global table shares.
    Set<String> synced = new HashSet<>();
    if (indexUpdates != null) {
      synced.add(ReplicatedSettings.INDEXES);
    }
    if (billing != null || requested != null) {
      synced.add(ReplicatedSettings.CAPACITY);
    }
    if (tableClass != null) {
      synced.add(ReplicatedSettings.TABLE_CLASS);
    }
    synchronized (db.catalog()) {
      Table t = db.require(name);
      TableDefinition d = t.definition();
      if (streamSpec != null && streamView != null && d.streamViewType() != null) {
        // DynamoDB refuses even the same view type: a stream's view cannot change, only end.
        throw DynamoException.validation(
            "Table already has an enabled stream: TableName: " + d.name());
      }
      if (streamSpec != null && streamView == null && t.replication() != null) {
        throw DynamoException.validation(
            "Disabling Stream is not allowed for a Global Table replica.");
      }
      if (streamSpec != null && streamView == null && d.streamViewType() == null) {
        throw DynamoException.validation("Table has no stream to disable");
      }
      String newBilling = billing == null ? d.billingMode() : billing;
      Throughput newThroughput = d.throughput();
      if (TableDefinition.PAY_PER_REQUEST.equals(newBilling)) {
        if (requested != null) {
          throw DynamoException.invalidParameter(
              "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode"
                  + " is PAY_PER_REQUEST");
        }
        newThroughput = Throughput.ZERO;
      } else if (requested != null) {
        if (requested.equals(d.throughput()) && billing == null) {
          throw DynamoException.validation(
              "The provisioned throughput for the table will not change. The requested value"
                  + " equals the current value. Current ReadCapacityUnits provisioned for the"
                  + " table: "
                  + d.throughput().readCapacityUnits()
                  + ". Requested ReadCapacityUnits: "
                  + requested.readCapacityUnits()
                  + ". Current WriteCapacityUnits provisioned for the table: "
                  + d.throughput().writeCapacityUnits()
                  + ". Requested WriteCapacityUnits: "
                  + requested.writeCapacityUnits()
                  + ". Refer to the Amazon DynamoDB Developer Guide for current limits and how to"
                  + " request higher limits.");
        }
        newThroughput = requested;
      } else if (!newBilling.equals(d.billingMode())) {
        throw DynamoException.invalidParameter(
            "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is"
                + " PROVISIONED");
      }
      TableDefinition updated = d;
      if (!newBilling.equals(d.billingMode()) || !newThroughput.equals(d.throughput())) {
        updated = updated.withCapacity(newBilling, newThroughput, db.now());
      }
      updated = GsiUpdates.followBillingMode(d, updated, indexUpdates);
      if (protection != null) {
        updated = updated.withDeletionProtection(protection);
      }
      if (tableClass != null) {
        updated = updated.withTableClass(tableClass);
      }
      ObjectNode out = Json.object();
      if (indexUpdates != null) {
        out.set("TableDescription", indexUpdates.apply(db, t, updated));
        report(t, synced);
        return out;
      }
      WriteSet batch = new WriteSet();
      if (streamSpec != null) {
        // Writes acknowledged before this point have lower sequence numbers; writes sent after
        // the answer, higher ones. That is the stream's boundary.
        long next = db.writePath().appliedSeq() + 1;
        if (streamView != null) {
          db.streams().open(updated, streamView, next, db.now(), batch);
        } else {
          db.streams().close(updated, next, db.now(), batch);
        }
        updated = updated.withStreamViewType(streamView);
      }
      db.catalog().update(t, updated, batch);
      out.set("TableDescription", TableDescriptions.describe(db, t));
      report(t, synced);
      return out;
    }
  }

  private void report(Table t, Set<String> synced) {
    if (!synced.isEmpty() && t.replication() != null) {
      db.replicatedSettings().changed(t, synced);
    }
  }
}
