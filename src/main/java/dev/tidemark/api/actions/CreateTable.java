package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.Json;
import dev.tidemark.api.RequestContext;
import dev.tidemark.api.TableDescriptions;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.storage.WriteSet;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.IndexDefinition;
import dev.tidemark.tables.KeySchema;
import dev.tidemark.tables.TableDefinition;
import dev.tidemark.tables.Throughput;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** CreateTable: validates the whole definition, then registers a new table incarnation. */
public final class CreateTable implements Action {
  private static final int MAX_LSI = 5;
  private static final int MAX_GSI = 20;
  private final Database db;

  public CreateTable(Database db) {
    this.db = db;
  }

  @Override
  public String name() {
    return "CreateTable";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    String name = Json.string(req, "TableName");
    JsonNode attrs = Json.array(req, "AttributeDefinitions");
    JsonNode keys = Json.array(req, "KeySchema");
    String billing = Json.string(req, "BillingMode");
    String tableClass = Json.string(req, "TableClass");
    new Constraints()
        .notNull(Json.field(req, "TableName"), "tableName")
        .name(name, "tableName")
        .notNull(attrs, "attributeDefinitions")
        .notNull(keys, "keySchema")
        .oneOf(billing, "billingMode", List.of("PROVISIONED", "PAY_PER_REQUEST"))
        .oneOf(tableClass, "tableClass", List.of("STANDARD", "STANDARD_INFREQUENT_ACCESS"))
        .check();

    Map<String, AttributeValue.Type> definitions = Schemas.attributeDefinitions(attrs);
    KeySchema key = Schemas.keySchema(keys, definitions, "keySchema");
    Set<String> used = new HashSet<>();
    used.add(key.hashName());
    if (key.hasRange()) {
      used.add(key.rangeName());
    }

    billing = billing == null ? TableDefinition.PROVISIONED : billing;
    Throughput throughput =
        Schemas.throughputForBilling(Json.objectField(req, "ProvisionedThroughput"), billing);

    List<IndexDefinition> lsis = new ArrayList<>();
    JsonNode lsiNode = Json.array(req, "LocalSecondaryIndexes");
    Set<String> indexNames = new LinkedHashSet<>();
    if (lsiNode != null) {
      if (!key.hasRange()) {
        throw DynamoException.invalidParameter(
            "Table KeySchema does not have a range key, which is required when specifying a"
                + " LocalSecondaryIndex");
      }
      if (lsiNode.size() > MAX_LSI) {
        throw DynamoException.invalidParameter(
            "Number of LocalSecondaryIndexes exceeds per-table limit of " + MAX_LSI);
      }
      if (lsiNode.isEmpty()) {
        throw DynamoException.invalidParameter("List of LocalSecondaryIndexes is empty");
      }
      for (JsonNode n : lsiNode) {
        IndexDefinition i = Schemas.index(n, definitions, false, billing);
        if (!i.keySchema().hashName().equals(key.hashName())) {
          throw DynamoException.invalidParameter(
              "Index KeySchema does not have the same leading hash key as table KeySchema for"
                  + " index: "
                  + i.name()
                  + ". index hash key: "
                  + i.keySchema().hashName()
                  + ", table hash key: "
                  + key.hashName());
        }
        if (!i.keySchema().hasRange()) {
          throw DynamoException.invalidParameter(
              "Index KeySchema does not have a range key for index: " + i.name());
        }
        if (!indexNames.add(i.name())) {
          throw DynamoException.invalidParameter("Duplicate index name: " + i.name());
        }
        used.add(i.keySchema().rangeName());
        lsis.add(i);
      }
    }
    List<IndexDefinition> gsis = new ArrayList<>();
    JsonNode gsiNode = Json.array(req, "GlobalSecondaryIndexes");
    if (gsiNode != null) {
      if (gsiNode.size() > MAX_GSI) {
        throw new DynamoException(
            dev.tidemark.errors.WireError.LIMIT_EXCEEDED,
            "Subscriber limit exceeded: The number of global secondary indexes exceeds the"
                + " per-table limit of "
                + MAX_GSI);
      }
      if (gsiNode.isEmpty()) {
        throw DynamoException.invalidParameter("List of GlobalSecondaryIndexes is empty");
      }
      for (JsonNode n : gsiNode) {
        IndexDefinition i = Schemas.index(n, definitions, true, billing);
        if (!indexNames.add(i.name())) {
          throw DynamoException.invalidParameter("Duplicate index name: " + i.name());
        }
        for (KeySchema.Part part : i.keySchema().parts()) {
          used.add(part.name());
        }
        gsis.add(i);
      }
    }
    List<IndexDefinition> all = new ArrayList<>(lsis);
    all.addAll(gsis);
    Schemas.checkProjectedCount(all);
    if (!used.equals(definitions.keySet())) {
      Set<String> unused = new LinkedHashSet<>(definitions.keySet());
      unused.removeAll(used);
      if (!unused.isEmpty()) {
        throw DynamoException.invalidParameter(
            "Number of attributes in KeySchema does not exactly match number of attributes defined"
                + " in AttributeDefinitions");
      }
    }

    String streamViewType = Schemas.streamViewType(Json.objectField(req, "StreamSpecification"));
    JsonNode sse = Json.objectField(req, "SSESpecification");
    Boolean sseEnabled = sse == null ? null : Json.bool(sse, "Enabled");
    String sseType = sse == null ? null : Json.string(sse, "SSEType");
    String kmsKey = sse == null ? null : Json.string(sse, "KMSMasterKeyId");
    if (sseType != null && !List.of("AES256", "KMS").contains(sseType)) {
      new Constraints()
          .oneOf(sseType, "sSESpecification.sSEType", List.of("AES256", "KMS"))
          .check();
    }
    if (sse != null && sseType != null && sseEnabled == null) {
      sseEnabled = true;
    }
    Map<String, String> tags = Schemas.tags(Json.array(req, "Tags"));
    boolean protection = Boolean.TRUE.equals(Json.bool(req, "DeletionProtectionEnabled"));
    String policy = Json.string(req, "ResourcePolicy");
    String policyText = policy == null ? null : ResourcePolicyRules.validate(db, policy, false);

    // A new table space, and the writes it invites, need the room the reserve keeps.
    db.space().checkDataWritable();
    synchronized (db.catalog()) {
      if (db.catalog().find(name).isPresent()) {
        throw DynamoException.resourceInUse("Table already exists: " + name);
      }
      long now = db.now();
      TableDefinition def =
          new TableDefinition(
              name,
              db.catalog().allocateId(),
              UUID.randomUUID().toString(),
              now,
              key,
              orderedDefinitions(definitions),
              billing,
              throughput,
              lsis,
              gsis,
              streamViewType,
              sseEnabled,
              sseType,
              kmsKey,
              tableClass,
              protection,
              0);
      WriteSet batch = new WriteSet();
      if (streamViewType != null) {
        // The table has no records yet: its stream covers everything written to it from now on.
        db.streams().open(def, streamViewType, db.writePath().appliedSeq() + 1, now, batch);
      }
      var policies = db.catalog().resourcePolicies();
      var target = dev.tidemark.tables.ResourcePolicies.Target.table(def.id());
      var stored =
          policyText == null
              ? null
              : new dev.tidemark.tables.ResourcePolicies.Stored(
                  policyText, policies.nextRevision(now));
      if (stored != null) {
        // In the table's own commit: a table created with a policy is never seen without it.
        policies.put(target, stored, batch);
      }
      var table = db.catalog().create(def, tags, batch);
      if (stored != null) {
        policies.remember(target, stored);
      }
      ObjectNode out = Json.object();
      out.set("TableDescription", TableDescriptions.describe(db, table));
      return out;
    }
  }

  private static Map<String, AttributeValue.Type> orderedDefinitions(
      Map<String, AttributeValue.Type> d) {
    return new LinkedHashMap<>(d);
  }
}
