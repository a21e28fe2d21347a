package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.Json;
import dev.tidemark.api.TableDescriptions;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.tables.CrossRegionRestores;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.IndexDefinition;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.TableDefinition;
import dev.tidemark.tables.Throughput;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The new table a restore creates: the source's schema and indexes, with the request's overrides,
 * and none of what DynamoDB does not carry over (tags, TTL, streams, PITR, deletion protection).
 * Shared by RestoreTableFromBackup and RestoreTableToPointInTime.
 */
final class RestoreTargets {
  private RestoreTargets() {}

  /**
   * A restore whose source is in another region: the target name is checked here first, the source
   * is resolved there (its refusals are the answer), the target is built with the request's
   * overrides, and then it is created and filled from that region.
   */
  static ObjectNode fromRegion(
      Database db, JsonNode req, Supplier<CrossRegionRestores.Source> resolve) {
    targetName(db, req);
    CrossRegionRestores.Source source = resolve.get();
    synchronized (db.catalog()) {
      String target = targetName(db, req);
      TableDefinition def = build(db, source.definition(), target, req);
      Table table = db.crossRegionRestores().restore(source, def);
      ObjectNode out = Json.object();
      out.set("TableDescription", TableDescriptions.describe(db, table));
      return out;
    }
  }

  /** Validates the target name parameter and that no table has it. */
  static String targetName(Database db, JsonNode req) {
    String target = Json.string(req, "TargetTableName");
    new Constraints()
        .notNull(Json.field(req, "TargetTableName"), "targetTableName")
        .name(target, "targetTableName")
        .check();
    if (db.catalog().find(target).isPresent()) {
      throw new DynamoException(WireError.TABLE_ALREADY_EXISTS, "Table already exists: " + target);
    }
    return target;
  }

  /** The target definition; all override errors are raised before anything is created. */
  static TableDefinition build(Database db, TableDefinition source, String target, JsonNode req) {
    String billing = Json.string(req, "BillingModeOverride");
    new Constraints()
        .oneOf(billing, "billingModeOverride", List.of("PROVISIONED", "PAY_PER_REQUEST"))
        .check();
    JsonNode pt = Json.objectField(req, "ProvisionedThroughputOverride");
    String newBilling = billing == null ? source.billingMode() : billing;
    Throughput throughput;
    if (TableDefinition.PAY_PER_REQUEST.equals(newBilling)) {
      if (pt != null) {
        throw DynamoException.invalidParameter(
            "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is"
                + " PAY_PER_REQUEST");
      }
      throughput = Throughput.ZERO;
    } else if (pt != null) {
      throughput = Schemas.throughput(pt, "provisionedThroughputOverride");
    } else if (TableDefinition.PROVISIONED.equals(source.billingMode())) {
      throughput = source.throughput();
    } else {
      throw DynamoException.invalidParameter(
          "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is"
              + " PROVISIONED");
    }
    List<IndexDefinition> gsis =
        keptIndexes(source.globalIndexes(), Json.array(req, "GlobalSecondaryIndexOverride"));
    List<IndexDefinition> lsis =
        keptIndexes(source.localIndexes(), Json.array(req, "LocalSecondaryIndexOverride"));
    List<IndexDefinition> adjusted = new ArrayList<>();
    for (IndexDefinition g : gsis) {
      // The index keeps its number, so its entries in the snapshot carry over unchanged.
      adjusted.add(
          g.withThroughput(
              TableDefinition.PAY_PER_REQUEST.equals(newBilling)
                  ? Throughput.ZERO
                  : (g.throughput().equals(Throughput.ZERO) ? throughput : g.throughput())));
    }
    JsonNode sse = Json.objectField(req, "SSESpecificationOverride");
    Boolean sseEnabled = source.sseEnabled();
    String sseType = source.sseType();
    String kms = source.kmsMasterKeyId();
    if (sse != null) {
      sseEnabled = Json.bool(sse, "Enabled");
      sseType = Json.string(sse, "SSEType");
      kms = Json.string(sse, "KMSMasterKeyId");
      new Constraints()
          .oneOf(sseType, "sSESpecificationOverride.sSEType", List.of("AES256", "KMS"))
          .check();
    }
    return new TableDefinition(
        target,
        db.catalog().allocateId(),
        UUID.randomUUID().toString(),
        db.now(),
        source.keySchema(),
        source.attributeDefinitions(),
        newBilling,
        throughput,
        lsis,
        adjusted,
        null,
        sseEnabled,
        sseType,
        kms,
        source.tableClass(),
        false,
        0);
  }

  /**
   * The source's indexes the override keeps: all of them when absent. An override may only name
   * indexes the source had, as DynamoDB cannot create an index during a restore.
   */
  private static List<IndexDefinition> keptIndexes(
      List<IndexDefinition> source, JsonNode override) {
    if (override == null) {
      return source;
    }
    List<IndexDefinition> kept = new ArrayList<>();
    for (JsonNode o : override) {
      String name = Json.string(o, "IndexName");
      IndexDefinition match =
          source.stream().filter(i -> i.name().equals(name)).findFirst().orElse(null);
      if (match == null) {
        throw DynamoException.validation(
            "Index "
                + name
                + " does not match a secondary index that existed in the source table and cannot be"
                + " created during the restore operation");
      }
      kept.add(match);
    }
    return kept;
  }
}
