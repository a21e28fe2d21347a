package dev.tidemark.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.backup.BackupRecord;
import dev.tidemark.tables.IndexDefinition;
import dev.tidemark.tables.TableDefinition;
import java.util.List;

/** Renders DynamoDB's backup shapes: BackupDetails, BackupSummary and BackupDescription. */
public final class BackupDescriptions {
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .findAndAddModules()
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .build();

  private BackupDescriptions() {}

  /** The source table's definition as recorded in the backup. */
  public static TableDefinition sourceDefinition(BackupRecord r) {
    try {
      return JSON.treeToValue(r.schema().get("definition"), TableDefinition.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("backup " + r.arn() + " has an unreadable table schema", e);
    }
  }

  public static ObjectNode details(BackupRecord r) {
    ObjectNode o = Json.object();
    o.put("BackupArn", r.arn());
    o.put("BackupName", r.name());
    o.put("BackupSizeBytes", r.sizeBytes());
    o.put("BackupStatus", r.status());
    o.put("BackupType", r.type());
    o.put("BackupCreationDateTime", Json.seconds(r.creationMillis()));
    if (r.expiryMillis() != null) {
      o.put("BackupExpiryDateTime", Json.seconds(r.expiryMillis()));
    }
    return o;
  }

  public static ObjectNode summary(BackupRecord r) {
    ObjectNode o = Json.object();
    o.put("TableName", r.tableName());
    o.put("TableId", r.tableUuid());
    o.put("TableArn", r.tableArn());
    o.setAll(details(r));
    return o;
  }

  public static ObjectNode description(BackupRecord r) {
    TableDefinition d = sourceDefinition(r);
    ObjectNode o = Json.object();
    o.set("BackupDetails", details(r));
    ObjectNode source = o.putObject("SourceTableDetails");
    source.put("TableName", r.tableName());
    source.put("TableId", r.tableUuid());
    source.put("TableArn", r.tableArn());
    source.put("TableSizeBytes", r.sizeBytes());
    source.set("KeySchema", TableDescriptions.keySchema(d.keySchema()));
    source.put("TableCreationDateTime", Json.seconds(d.createdMillis()));
    source
        .putObject("ProvisionedThroughput")
        .put("ReadCapacityUnits", d.throughput().readCapacityUnits())
        .put("WriteCapacityUnits", d.throughput().writeCapacityUnits());
    source.put("ItemCount", r.itemCount());
    source.put("BillingMode", d.billingMode());
    ObjectNode features = o.putObject("SourceTableFeatureDetails");
    if (!d.localIndexes().isEmpty()) {
      features.set("LocalSecondaryIndexes", indexes(d.localIndexes(), false));
    }
    if (!d.globalIndexes().isEmpty()) {
      features.set("GlobalSecondaryIndexes", indexes(d.globalIndexes(), true));
    }
    if (d.streamViewType() != null) {
      features
          .putObject("StreamDescription")
          .put("StreamEnabled", true)
          .put("StreamViewType", d.streamViewType());
    }
    if (Boolean.TRUE.equals(d.sseEnabled())) {
      features.putObject("SSEDescription").put("Status", "ENABLED").put("SSEType", "KMS");
    }
    return o;
  }

  private static ArrayNode indexes(List<IndexDefinition> list, boolean global) {
    ArrayNode a = Json.object().arrayNode();
    for (IndexDefinition i : list) {
      ObjectNode x = a.addObject();
      x.put("IndexName", i.name());
      x.set("KeySchema", TableDescriptions.keySchema(i.keySchema()));
      ObjectNode p = x.putObject("Projection").put("ProjectionType", i.projectionType());
      if (!i.nonKeyAttributes().isEmpty()) {
        ArrayNode nk = p.putArray("NonKeyAttributes");
        i.nonKeyAttributes().forEach(nk::add);
      }
      if (global) {
        x.putObject("ProvisionedThroughput")
            .put("ReadCapacityUnits", i.throughput().readCapacityUnits())
            .put("WriteCapacityUnits", i.throughput().writeCapacityUnits());
      }
    }
    return a;
  }
}
