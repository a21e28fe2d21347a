package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.Json;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.tables.IndexDefinition;
import dev.tidemark.tables.KeySchema;
import dev.tidemark.tables.TableDefinition;
import dev.tidemark.tables.Throughput;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Parsing and validation of the schema parts shared by CreateTable, UpdateTable and restores. */
final class Schemas {
  /** Key attribute names (table and index keys) are limited to 255 characters. */
  private static final int MAX_KEY_NAME = 255;

  /** NonKeyAttributes summed over a table's secondary indexes (one name in two indexes is two). */
  static final int MAX_PROJECTED_ATTRIBUTES = 100;

  private Schemas() {}

  /**
   * Refuses more than 100 projected non-key attributes across a table's indexes. The limit is
   * DynamoDB's documented one; the wording is not confirmed from the service.
   */
  static void checkProjectedCount(List<IndexDefinition> indexes) {
    int total = 0;
    for (IndexDefinition i : indexes) {
      total += i.nonKeyAttributes().size();
    }
    if (total > MAX_PROJECTED_ATTRIBUTES) {
      throw DynamoException.invalidParameter(
          "Number of projected attributes in all indexes exceeds limit of "
              + MAX_PROJECTED_ATTRIBUTES);
    }
  }

  static Map<String, AttributeValue.Type> attributeDefinitions(JsonNode attrs) {
    Map<String, AttributeValue.Type> out = new LinkedHashMap<>();
    for (JsonNode a : attrs) {
      String name = Json.string(a, "AttributeName");
      String type = Json.string(a, "AttributeType");
      new Constraints()
          .notNull(a.get("AttributeName"), "attributeDefinitions.member.attributeName")
          .length(name, "attributeDefinitions.member.attributeName", 1, MAX_KEY_NAME)
          .notNull(a.get("AttributeType"), "attributeDefinitions.member.attributeType")
          .oneOf(type, "attributeDefinitions.member.attributeType", List.of("S", "N", "B"))
          .check();
      if (out.put(name, AttributeValue.Type.valueOf(type)) != null) {
        throw DynamoException.invalidParameter(
            "Cannot have two attributes with the same name. Attribute name: " + name);
      }
    }
    return out;
  }

  static KeySchema keySchema(
      JsonNode keys, Map<String, AttributeValue.Type> definitions, String member) {
    return keySchema(keys, definitions, member, false);
  }

  /**
   * Parses a KeySchema.
   *
   * @param multiAttribute whether up to four HASH and four RANGE elements are allowed (a global
   *     index's key, DynamoDB's multi-attribute keys); otherwise one HASH and at most one RANGE
   */
  static KeySchema keySchema(
      JsonNode keys,
      Map<String, AttributeValue.Type> definitions,
      String member,
      boolean multiAttribute) {
    if (keys.isEmpty() || (keys.size() > 2 && !multiAttribute)) {
      new Constraints()
          .add(
              "Value '"
                  + keys
                  + "' at '"
                  + member
                  + "' failed to satisfy constraint: Member must have length "
                  + (keys.isEmpty() ? "greater than or equal to 1" : "less than or equal to 2"))
          .check();
    }
    List<String> names = new ArrayList<>();
    List<String> types = new ArrayList<>();
    for (JsonNode k : keys) {
      String name = Json.string(k, "AttributeName");
      String type = Json.string(k, "KeyType");
      new Constraints()
          .notNull(k.get("AttributeName"), member + ".member.attributeName")
          .length(name, member + ".member.attributeName", 1, MAX_KEY_NAME)
          .notNull(k.get("KeyType"), member + ".member.keyType")
          .oneOf(type, member + ".member.keyType", List.of("HASH", "RANGE"))
          .check();
      names.add(name);
      types.add(type);
    }
    if (!types.get(0).equals("HASH")) {
      throw DynamoException.validation(
          "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
    }
    if (names.size() == 2 && types.get(1).equals("RANGE") && names.get(0).equals(names.get(1))) {
      throw DynamoException.validation(
          "Both the Hash Key and the Range Key element in the KeySchema have the same name");
    }
    if (multiAttribute) {
      checkMultiAttribute(names, types);
    } else if (names.size() == 2 && !types.get(1).equals("RANGE")) {
      throw DynamoException.validation(
          "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
    }
    List<String> missing = new ArrayList<>();
    for (String n : names) {
      if (!definitions.containsKey(n)) {
        missing.add(n);
      }
    }
    if (!missing.isEmpty()) {
      throw DynamoException.invalidParameter(
          "Some index key attributes are not defined in AttributeDefinitions. Keys: "
              + missing
              + ", AttributeDefinitions: "
              + new ArrayList<>(definitions.keySet()));
    }
    List<KeySchema.Part> hash = new ArrayList<>();
    List<KeySchema.Part> range = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      KeySchema.Part part = new KeySchema.Part(names.get(i), definitions.get(names.get(i)));
      (types.get(i).equals("HASH") ? hash : range).add(part);
    }
    return KeySchema.of(hash, range);
  }

  /**
   * The shape rules of a multi-attribute key: HASH elements first, at most four of each kind, no
   * name twice. DynamoDB's exact wording for these is not published; the messages name the rule
   * with the words its answers are known to contain (see docs/conformance.md).
   */
  private static void checkMultiAttribute(List<String> names, List<String> types) {
    int hash = 0;
    int range = 0;
    for (String t : types) {
      if (t.equals("HASH")) {
        if (range > 0) {
          throw DynamoException.validation(
              "Invalid KeySchema: every HASH KeySchemaElement must precede the RANGE"
                  + " KeySchemaElements");
        }
        hash++;
      } else {
        range++;
      }
    }
    if (hash > KeySchema.MAX_PARTS) {
      throw DynamoException.validation(
          "Invalid KeySchema: a global secondary index can have at most "
              + KeySchema.MAX_PARTS
              + " HASH key attributes");
    }
    if (range > KeySchema.MAX_PARTS) {
      throw DynamoException.validation(
          "Invalid KeySchema: a global secondary index can have at most "
              + KeySchema.MAX_PARTS
              + " RANGE key attributes");
    }
    Set<String> seen = new HashSet<>();
    for (String n : names) {
      if (!seen.add(n)) {
        throw DynamoException.validation(
            "Invalid KeySchema: Two KeySchemaElements have the same name: " + n);
      }
    }
  }

  static Throughput throughput(JsonNode pt, String member) {
    Long read = Json.integer(pt, "ReadCapacityUnits");
    Long write = Json.integer(pt, "WriteCapacityUnits");
    new Constraints()
        .notNull(pt.get("ReadCapacityUnits"), member + ".readCapacityUnits")
        .notNull(pt.get("WriteCapacityUnits"), member + ".writeCapacityUnits")
        .range(read, 1, Long.MAX_VALUE, member + ".readCapacityUnits")
        .range(write, 1, Long.MAX_VALUE, member + ".writeCapacityUnits")
        .check();
    return new Throughput(read, write);
  }

  static Throughput throughputForBilling(JsonNode pt, String billing) {
    if (TableDefinition.PAY_PER_REQUEST.equals(billing)) {
      if (pt != null) {
        throw DynamoException.invalidParameter(
            "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is"
                + " PAY_PER_REQUEST");
      }
      return Throughput.ZERO;
    }
    if (pt == null) {
      throw DynamoException.invalidParameter(
          "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is"
              + " PROVISIONED");
    }
    return throughput(pt, "provisionedThroughput");
  }

  static IndexDefinition index(
      JsonNode n, Map<String, AttributeValue.Type> definitions, boolean global, String billing) {
    String kind = global ? "globalSecondaryIndexes" : "localSecondaryIndexes";
    String name = Json.string(n, "IndexName");
    JsonNode keys = Json.array(n, "KeySchema");
    JsonNode projection = Json.objectField(n, "Projection");
    new Constraints()
        .notNull(n.get("IndexName"), kind + ".member.indexName")
        .name(name, kind + ".member.indexName")
        .notNull(keys, kind + ".member.keySchema")
        .notNull(projection, kind + ".member.projection")
        .check();
    KeySchema key = keySchema(keys, definitions, kind + ".member.keySchema", global);
    String type = Json.string(projection, "ProjectionType");
    JsonNode nonKey = Json.array(projection, "NonKeyAttributes");
    new Constraints()
        .oneOf(
            type,
            kind + ".member.projection.projectionType",
            List.of("ALL", "KEYS_ONLY", "INCLUDE"))
        .check();
    if (type == null) {
      throw DynamoException.invalidParameter("Unknown ProjectionType: null");
    }
    List<String> nonKeyAttributes = new ArrayList<>();
    if ("INCLUDE".equals(type)) {
      if (nonKey == null || nonKey.isEmpty()) {
        throw DynamoException.invalidParameter(
            "ProjectionType is INCLUDE, but NonKeyAttributes is not specified");
      }
      nonKey.forEach(x -> nonKeyAttributes.add(x.asText()));
    } else if (nonKey != null) {
      throw DynamoException.invalidParameter(
          "ProjectionType is " + type + ", but NonKeyAttributes is specified");
    }
    Throughput t = Throughput.ZERO;
    JsonNode pt = Json.objectField(n, "ProvisionedThroughput");
    if (global) {
      if (TableDefinition.PROVISIONED.equals(billing)) {
        if (pt == null) {
          throw DynamoException.invalidParameter(
              "ProvisionedThroughput should not be null for index: " + name);
        }
        t = throughput(pt, kind + ".member.provisionedThroughput");
      } else if (pt != null) {
        throw DynamoException.invalidParameter(
            "ProvisionedThroughput should not be specified for index: "
                + name
                + " when BillingMode is PAY_PER_REQUEST");
      }
    }
    return new IndexDefinition(name, global, key, type, nonKeyAttributes, t);
  }

  static String streamViewType(JsonNode spec) {
    if (spec == null) {
      return null;
    }
    Boolean enabled = Json.bool(spec, "StreamEnabled");
    String view = Json.string(spec, "StreamViewType");
    new Constraints()
        .notNull(spec.get("StreamEnabled"), "streamSpecification.streamEnabled")
        .oneOf(
            view,
            "streamSpecification.streamViewType",
            List.of("NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"))
        .check();
    if (Boolean.TRUE.equals(enabled)) {
      if (view == null) {
        throw DynamoException.validation(
            "One or more parameter values were invalid: StreamViewType is required when"
                + " StreamEnabled is true");
      }
      return view;
    }
    if (view != null) {
      throw DynamoException.validation(
          "One or more parameter values were invalid: StreamViewType may not be specified when"
              + " StreamEnabled is false");
    }
    return null;
  }

  static Map<String, String> tags(JsonNode tags) {
    Map<String, String> out = new LinkedHashMap<>();
    if (tags == null) {
      return out;
    }
    for (JsonNode t : tags) {
      String k = Json.string(t, "Key");
      String v = Json.string(t, "Value");
      new Constraints()
          .notNull(t.get("Key"), "tags.member.key")
          .notNull(t.get("Value"), "tags.member.value")
          .check();
      out.put(k, v);
    }
    TagRules.checkNotReserved(out.keySet());
    TagRules.checkCount(out.size());
    return out;
  }
}
