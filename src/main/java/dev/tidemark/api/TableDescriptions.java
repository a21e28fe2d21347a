package dev.tidemark.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.indexes.IndexStats;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.IndexDefinition;
import dev.tidemark.tables.KeySchema;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.TableDefinition;
import dev.tidemark.tables.Throughput;
import java.util.Map;

/** Renders DynamoDB's {@code TableDescription} shape from a table's definition and counters. */
public final class TableDescriptions {
  private TableDescriptions() {}

  public static ObjectNode describe(Database db, Table table) {
    ObjectNode o =
        describe(db, table.definition(), table.status(), table.itemCount(), table.sizeBytes());
    dev.tidemark.tables.RestoreSummary r = table.restoreSummary();
    if (r != null) {
      ObjectNode summary = o.putObject("RestoreSummary");
      if (r.sourceBackupArn() != null) {
        summary.put("SourceBackupArn", r.sourceBackupArn());
      }
      summary.put("SourceTableArn", r.sourceTableArn());
      summary.put("RestoreDateTime", Json.seconds(r.restoreDateTimeMillis()));
      summary.put("RestoreInProgress", "CREATING".equals(table.status()));
    }
    dev.tidemark.tables.Replication group = table.replication();
    if (group != null) {
      // The other regions only, never this one, as DynamoDB lists them.
      o.put("GlobalTableVersion", "2019.11.21");
      com.fasterxml.jackson.databind.node.ArrayNode replicas = o.putArray("Replicas");
      java.util.Map<String, String> classes = db.replicatedSettings().tableClassOverrides(table);
      for (dev.tidemark.tables.Replication.Replica m : group.replicas()) {
        ObjectNode replica = replicas.addObject().put("RegionName", m.region());
        replica.put("ReplicaStatus", m.status());
        String cls = classes.get(m.region());
        if (cls != null) {
          // Only a replica with an override shows a class: inherited values are absent.
          replica.putObject("ReplicaTableClassSummary").put("TableClass", cls);
        }
        if (m.percentProgress() != null
            && ("CREATING".equals(m.status()) || "UPDATING".equals(m.status()))) {
          replica.put("ReplicaStatusPercentProgress", Integer.toString(m.percentProgress()));
        }
        if (m.statusDescription() != null) {
          replica.put("ReplicaStatusDescription", m.statusDescription());
        }
      }
    }
    dev.tidemark.tables.StrongReplication strong = table.strong();
    if (strong != null) {
      // MRSC: members are fixed at creation and ACTIVE once joined; the witness is listed apart.
      o.put("GlobalTableVersion", "2019.11.21");
      com.fasterxml.jackson.databind.node.ArrayNode replicas = o.putArray("Replicas");
      for (String member : strong.replicas()) {
        replicas.addObject().put("RegionName", member).put("ReplicaStatus", "ACTIVE");
      }
      if (strong.witness() != null) {
        o.putArray("GlobalTableWitnesses")
            .addObject()
            .put("RegionName", strong.witness())
            .put("WitnessStatus", "ACTIVE");
      }
      o.put("MultiRegionConsistency", "STRONG");
    }
    return o;
  }

  public static ObjectNode describe(
      Database db, TableDefinition d, String status, long itemCount, long sizeBytes) {
    ObjectNode o = Json.object();
    ArrayNode defs = o.putArray("AttributeDefinitions");
    for (Map.Entry<String, dev.tidemark.model.AttributeValue.Type> e :
        d.attributeDefinitions().entrySet()) {
      defs.addObject().put("AttributeName", e.getKey()).put("AttributeType", e.getValue().name());
    }
    o.put("TableName", d.name());
    o.set("KeySchema", keySchema(d.keySchema()));
    o.put("TableStatus", status);
    o.put("CreationDateTime", Json.seconds(d.createdMillis()));
    o.set("ProvisionedThroughput", throughput(d.throughput(), d.lastThroughputChangeMillis()));
    o.put("TableSizeBytes", sizeBytes);
    o.put("ItemCount", itemCount);
    String arn = db.tableArn(d.name());
    o.put("TableArn", arn);
    o.put("TableId", d.tableId());
    if (TableDefinition.PAY_PER_REQUEST.equals(d.billingMode())) {
      o.putObject("BillingModeSummary")
          .put("BillingMode", d.billingMode())
          .put(
              "LastUpdateToPayPerRequestDateTime",
              Json.seconds(Math.max(d.createdMillis(), d.lastThroughputChangeMillis())));
    }
    if (!d.localIndexes().isEmpty()) {
      ArrayNode lsis = o.putArray("LocalSecondaryIndexes");
      for (IndexDefinition i : d.localIndexes()) {
        lsis.add(index(db, d, i, arn));
      }
    }
    if (!d.globalIndexes().isEmpty()) {
      ArrayNode gsis = o.putArray("GlobalSecondaryIndexes");
      for (IndexDefinition i : d.globalIndexes()) {
        gsis.add(globalIndex(db, d, i, i.status()));
      }
    }
    if (d.streamViewType() != null) {
      o.putObject("StreamSpecification")
          .put("StreamEnabled", true)
          .put("StreamViewType", d.streamViewType());
    }
    // DynamoDB keeps reporting the latest stream after it is disabled, while it is still readable.
    db.streams()
        .latest(d)
        .ifPresent(
            s -> o.put("LatestStreamLabel", s.label()).put("LatestStreamArn", db.streams().arn(s)));
    if (Boolean.TRUE.equals(d.sseEnabled())) {
      ObjectNode sse = o.putObject("SSEDescription").put("Status", "ENABLED").put("SSEType", "KMS");
      sse.put(
          "KMSMasterKeyArn",
          d.kmsMasterKeyId() != null
              ? d.kmsMasterKeyId()
              : "arn:aws:kms:" + db.region() + ":" + db.account() + ":key/tidemark-managed");
    }
    o.putObject("TableClassSummary").put("TableClass", d.tableClass());
    o.put("DeletionProtectionEnabled", d.deletionProtection());
    return o;
  }

  public static ArrayNode keySchema(KeySchema k) {
    ArrayNode a = Json.object().arrayNode();
    for (KeySchema.Part p : k.hashParts()) {
      a.addObject().put("AttributeName", p.name()).put("KeyType", "HASH");
    }
    for (KeySchema.Part p : k.rangeParts()) {
      a.addObject().put("AttributeName", p.name()).put("KeyType", "RANGE");
    }
    return a;
  }

  /** One entry of GlobalSecondaryIndexes, with the given IndexStatus. */
  public static ObjectNode globalIndex(
      Database db, TableDefinition d, IndexDefinition i, String status) {
    ObjectNode g = index(db, d, i, db.tableArn(d.name()));
    g.put("IndexStatus", status);
    if (IndexDefinition.CREATING.equals(status)) {
      g.put("Backfilling", true);
    }
    g.set("ProvisionedThroughput", throughput(i.throughput(), 0));
    return g;
  }

  private static ObjectNode index(
      Database db, TableDefinition d, IndexDefinition i, String tableArn) {
    ObjectNode o = Json.object();
    o.put("IndexName", i.name());
    o.set("KeySchema", keySchema(i.keySchema()));
    ObjectNode p = o.putObject("Projection").put("ProjectionType", i.projectionType());
    if (!i.nonKeyAttributes().isEmpty()) {
      ArrayNode nk = p.putArray("NonKeyAttributes");
      i.nonKeyAttributes().forEach(nk::add);
    }
    IndexStats stats = db.indexes().stats(d.id(), i);
    o.put("IndexSizeBytes", stats.sizeBytes());
    o.put("ItemCount", stats.itemCount());
    o.put("IndexArn", tableArn + "/index/" + i.name());
    return o;
  }

  private static ObjectNode throughput(Throughput t, long lastChangeMillis) {
    ObjectNode o = Json.object();
    if (lastChangeMillis > 0) {
      o.put("LastIncreaseDateTime", Json.seconds(lastChangeMillis));
    }
    o.put("NumberOfDecreasesToday", 0);
    o.put("ReadCapacityUnits", t.readCapacityUnits());
    o.put("WriteCapacityUnits", t.writeCapacityUnits());
    return o;
  }
}
