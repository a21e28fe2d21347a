package dev.tidemark.auth;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * What each DynamoDB and DynamoDB Streams operation needs permission for, worked out from its
 * request: the IAM action, the resource ARNs (tables, indexes, streams, backups) and the
 * DynamoDB-specific condition keys. Operations that touch several resources yield one check per
 * resource: every table of a batch or transaction, the backup and the target table of a restore.
 *
 * <p>An operation missing from {@link #checks} is refused for every caller but the administrator,
 * so an operation added to the server without a line here fails closed (and a test enumerating the
 * routes fails).
 */
public final class DynamoPermissions {
  static final String STREAMS_PREFIX = "DynamoDBStreams_20120810.";

  /**
   * What AWS requires on the target table of a restore, besides the restore permission on its
   * source: the item reads and writes a restore performs.
   */
  static final List<String> RESTORE_TARGET_ACTIONS =
      List.of(
          "dynamodb:PutItem",
          "dynamodb:UpdateItem",
          "dynamodb:DeleteItem",
          "dynamodb:GetItem",
          "dynamodb:Query",
          "dynamodb:Scan",
          "dynamodb:BatchWriteItem");

  private final String account;
  private final Function<String, String> hashKeyOf;
  private final String tablePrefix;

  /**
   * @param hashKeyOf the partition key attribute of a table by name, or null when the table is
   *     unknown (then {@code dynamodb:LeadingKeys} is unknown too)
   */
  public DynamoPermissions(String region, String account, Function<String, String> hashKeyOf) {
    this.account = account;
    this.hashKeyOf = hashKeyOf;
    this.tablePrefix = "arn:aws:dynamodb:" + region + ":" + account + ":table/";
  }

  /** Every operation this class knows; the route-enumeration test compares it with the server's. */
  public static final Set<String> OPERATIONS =
      Set.of(
          "UpdateContinuousBackups",
          "DescribeContinuousBackups",
          "RestoreTableToPointInTime",
          "CreateBackup",
          "DescribeBackup",
          "ListBackups",
          "DeleteBackup",
          "RestoreTableFromBackup",
          "CreateTable",
          "DescribeTable",
          "ListTables",
          "UpdateTable",
          "DeleteTable",
          "PutItem",
          "GetItem",
          "UpdateItem",
          "DeleteItem",
          "Query",
          "Scan",
          "BatchGetItem",
          "BatchWriteItem",
          "TransactWriteItems",
          "TransactGetItems",
          "UpdateTimeToLive",
          "DescribeTimeToLive",
          "TagResource",
          "UntagResource",
          "ListTagsOfResource",
          "DescribeLimits",
          "DescribeEndpoints",
          "CreateGlobalTable",
          "UpdateGlobalTable",
          "DescribeGlobalTable",
          "ListGlobalTables",
          "DescribeGlobalTableSettings",
          "UpdateGlobalTableSettings",
          "PutResourcePolicy",
          "GetResourcePolicy",
          "DeleteResourcePolicy",
          STREAMS_PREFIX + "ListStreams",
          STREAMS_PREFIX + "DescribeStream",
          STREAMS_PREFIX + "GetShardIterator",
          STREAMS_PREFIX + "GetRecords");

  // "dynamodb:" + each operation, made once: decisions are cached by action, and a fresh string
  // would be hashed on every request.
  private static final Map<String, String> ACTIONS =
      OPERATIONS.stream()
          .map(o -> o.startsWith(STREAMS_PREFIX) ? o.substring(STREAMS_PREFIX.length()) : o)
          .collect(java.util.stream.Collectors.toUnmodifiableMap(n -> n, n -> "dynamodb:" + n));

  /**
   * Tidemark's own operations (the console's {@code /console/api}), as the gate names them; the
   * route-enumeration test compares it with {@code console.ConsoleApi}'s.
   */
  public static final Set<String> TIDEMARK_OPERATIONS =
      Set.of(
          "tidemark:ListItemVersions",
          "tidemark:DescribePitrWindow",
          "tidemark:DescribeReplicas",
          "tidemark:ListAuditEvents",
          "tidemark:DescribeTableSummaries",
          "tidemark:DescribeRestoreProgress");

  /**
   * The checks an operation needs; null when the operation is unknown here (refused).
   *
   * @param operation the action name the handler routed, or a Streams target
   */
  public List<Check> checks(String operation, JsonNode in) {
    if (TIDEMARK_OPERATIONS.contains(operation)) {
      return tidemarkChecks(operation, in);
    }
    if (!OPERATIONS.contains(operation)) {
      return null;
    }
    String name =
        operation.startsWith(STREAMS_PREFIX)
            ? operation.substring(STREAMS_PREFIX.length())
            : operation;
    String action = ACTIONS.get(name);
    List<Check> checks = new ArrayList<>();
    switch (name) {
      case "ListTables",
              "ListBackups",
              "DescribeLimits",
              "DescribeEndpoints",
              "ListStreams",
              "ListGlobalTables" ->
          checks.add(new Check(action, "*"));
      case "CreateGlobalTable",
              "UpdateGlobalTable",
              "DescribeGlobalTable",
              "DescribeGlobalTableSettings",
              "UpdateGlobalTableSettings" ->
          // A global table's ARN names no region.
          checks.add(
              new Check(
                  action,
                  "arn:aws:dynamodb::" + account + ":global-table/" + text(in, "GlobalTableName")));
      case "DescribeBackup", "DeleteBackup" -> checks.add(new Check(action, text(in, "BackupArn")));
      case "PutResourcePolicy", "GetResourcePolicy", "DeleteResourcePolicy" ->
          checks.add(new Check(action, text(in, "ResourceArn")));
      case "CreateTable" -> {
        checks.add(new Check(action, tableArn(text(in, "TableName")), readFacts(in)));
        if (in != null && in.hasNonNull("ResourcePolicy")) {
          // As on DynamoDB: creating a table with a policy needs both permissions.
          checks.add(new Check("dynamodb:PutResourcePolicy", tableArn(text(in, "TableName"))));
        }
      }
      case "TagResource", "UntagResource", "ListTagsOfResource" ->
          checks.add(new Check(action, text(in, "ResourceArn")));
      case "DescribeStream", "GetShardIterator" ->
          checks.add(new Check(action, text(in, "StreamArn")));
      case "GetRecords" -> checks.add(new Check(action, iteratorStream(text(in, "ShardIterator"))));
      case "RestoreTableFromBackup" -> {
        checks.add(new Check(action, text(in, "BackupArn")));
        restoreTarget(checks, text(in, "TargetTableName"));
      }
      case "RestoreTableToPointInTime" -> {
        String source = text(in, "SourceTableArn");
        checks.add(
            new Check(action, source != null ? source : tableArn(text(in, "SourceTableName"))));
        restoreTarget(checks, text(in, "TargetTableName"));
      }
      case "Query", "Scan" -> {
        String table = text(in, "TableName");
        String index = text(in, "IndexName");
        String resource = index == null ? tableArn(table) : tableArn(table) + "/index/" + index;
        Facts f =
            Facts.later(
                null,
                ITEM_KEYS,
                later -> {
                  readFacts(later, in);
                  if (name.equals("Query")) {
                    queryLeadingKeys(later, table, in);
                  }
                });
        checks.add(new Check(action, resource, f));
      }
      case "GetItem", "DeleteItem", "UpdateItem", "PutItem" -> {
        String table = text(in, "TableName");
        Facts f =
            Facts.later(
                null,
                ITEM_KEYS,
                later -> {
                  readFacts(later, in);
                  JsonNode item = in.get(name.equals("PutItem") ? "Item" : "Key");
                  leadingKeys(later, table, item == null ? List.of() : List.of(item));
                  attributes(later, name, in);
                });
        checks.add(new Check(action, tableArn(table), f));
      }
      case "BatchGetItem", "BatchWriteItem" -> {
        JsonNode requests = in.get("RequestItems");
        if (requests == null || !requests.isObject() || requests.isEmpty()) {
          checks.add(new Check(action, tableArn(null)));
        } else {
          for (Map.Entry<String, JsonNode> e : requests.properties()) {
            Facts f = readFacts(in);
            List<JsonNode> items = new ArrayList<>();
            if (name.equals("BatchGetItem")) {
              JsonNode keys = e.getValue().get("Keys");
              if (keys != null) {
                keys.forEach(items::add);
              }
              projection(f, e.getValue());
            } else if (e.getValue().isArray()) {
              for (JsonNode r : e.getValue()) {
                JsonNode put = r.path("PutRequest").get("Item");
                JsonNode del = r.path("DeleteRequest").get("Key");
                if (put != null) {
                  items.add(put);
                }
                if (del != null) {
                  items.add(del);
                }
              }
            }
            leadingKeys(f, e.getKey(), items);
            checks.add(new Check(action, tableArn(e.getKey()), f));
          }
        }
      }
      case "TransactWriteItems", "TransactGetItems" -> {
        JsonNode items = in.get("TransactItems");
        if (items == null || !items.isArray() || items.isEmpty()) {
          checks.add(new Check(action, tableArn(null)));
        } else {
          for (JsonNode item : items) {
            transactItem(checks, in, item);
          }
        }
      }
      default -> checks.add(new Check(action, tableArn(text(in, "TableName")), readFacts(in)));
    }
    return checks;
  }

  /**
   * An item's history shows what a restore to any instant of the window would show of it, and what
   * reading it then would: it needs both, so neither a reader nor a restore role learns more here
   * than it could already. The PITR timeline is what DescribeContinuousBackups tells, in detail.
   * The table summaries are what ListTables lists, each shown only where DescribeTable is allowed
   * (the operation filters them through {@link Visibility}).
   */
  private List<Check> tidemarkChecks(String operation, JsonNode in) {
    String table = text(in, "TableName");
    List<Check> checks = new ArrayList<>();
    if (operation.equals("tidemark:DescribeTableSummaries")) {
      // The list as ListTables gives it; each table in it is then filtered by DescribeTable.
      checks.add(new Check("dynamodb:ListTables", "*"));
    } else if (operation.equals("tidemark:ListItemVersions")) {
      Facts f = readFacts(in);
      JsonNode key = in.get("Key");
      leadingKeys(f, table, key == null ? List.of() : List.of(key));
      checks.add(new Check("dynamodb:GetItem", tableArn(table), f));
      checks.add(new Check("dynamodb:RestoreTableToPointInTime", tableArn(table)));
    } else if (operation.equals("tidemark:DescribeReplicas")
        || operation.equals("tidemark:DescribeRestoreProgress")) {
      // The replicas' replication state is DescribeTable's Replicas in detail; a restore's progress
      // its RestoreSummary's RestoreInProgress.
      checks.add(new Check("dynamodb:DescribeTable", tableArn(table)));
    } else if (operation.equals("tidemark:ListAuditEvents")) {
      // The trail names every caller's actions, whatever the table filter: AWS's audit read,
      // CloudTrail's LookupEvents, on everything.
      checks.add(new Check("cloudtrail:LookupEvents", "*"));
    } else {
      checks.add(new Check("dynamodb:DescribeContinuousBackups", tableArn(table)));
    }
    return checks;
  }

  private void transactItem(List<Check> checks, JsonNode request, JsonNode item) {
    Iterator<Map.Entry<String, JsonNode>> fields = item.properties().iterator();
    if (!fields.hasNext()) {
      checks.add(new Check("dynamodb:TransactWriteItems", tableArn(null)));
      return;
    }
    Map.Entry<String, JsonNode> e = fields.next();
    String action =
        switch (e.getKey()) {
          case "Put" -> "dynamodb:PutItem";
          case "Update" -> "dynamodb:UpdateItem";
          case "Delete" -> "dynamodb:DeleteItem";
          case "ConditionCheck" -> "dynamodb:ConditionCheckItem";
          case "Get" -> "dynamodb:GetItem";
          default -> "dynamodb:" + e.getKey();
        };
    String table = text(e.getValue(), "TableName");
    Facts f = readFacts(request);
    JsonNode keyOrItem = e.getValue().get(e.getKey().equals("Put") ? "Item" : "Key");
    leadingKeys(f, table, keyOrItem == null ? List.of() : List.of(keyOrItem));
    checks.add(new Check(action, tableArn(table), f));
  }

  private void restoreTarget(List<Check> checks, String target) {
    for (String a : RESTORE_TARGET_ACTIONS) {
      checks.add(new Check(a, tableArn(target)));
    }
  }

  /** The condition keys of item reads and writes, queries and scans. */
  private static final Set<String> ITEM_KEYS =
      Set.of(
          "dynamodb:select",
          "dynamodb:returnvalues",
          "dynamodb:returnconsumedcapacity",
          "dynamodb:leadingkeys",
          "dynamodb:attributes");

  private static Facts readFacts(JsonNode in) {
    return readFacts(new Facts(), in);
  }

  private static Facts readFacts(Facts f, JsonNode in) {
    // Keys in lower case already: folding them on every request showed in profiles.
    return f.putLower("dynamodb:select", text(in, "Select"))
        .putLower("dynamodb:returnvalues", text(in, "ReturnValues"))
        .putLower("dynamodb:returnconsumedcapacity", text(in, "ReturnConsumedCapacity"));
  }

  private void leadingKeys(Facts f, String table, List<JsonNode> items) {
    String hash = table == null ? null : hashKeyOf.apply(tableName(table));
    if (hash == null) {
      f.unknown("dynamodb:LeadingKeys");
      return;
    }
    Set<String> values = new LinkedHashSet<>();
    for (JsonNode item : items) {
      String v = scalar(item.get(hash));
      if (v == null) {
        f.unknown("dynamodb:LeadingKeys");
        return;
      }
      values.add(v);
    }
    f.putAll("dynamodb:LeadingKeys", new ArrayList<>(values));
  }

  /** A Query's partition is its key condition's equality on the hash key. */
  private void queryLeadingKeys(Facts f, String table, JsonNode in) {
    String hash = table == null ? null : hashKeyOf.apply(tableName(table));
    JsonNode legacy = in.get("KeyConditions");
    if (hash != null && legacy != null && in.get("IndexName") == null) {
      JsonNode c = legacy.get(hash);
      if (c != null && "EQ".equals(text(c, "ComparisonOperator"))) {
        String v = scalar(c.path("AttributeValueList").get(0));
        if (v != null) {
          f.putAll("dynamodb:LeadingKeys", List.of(v));
          return;
        }
      }
    }
    String expression = text(in, "KeyConditionExpression");
    if (hash != null && expression != null && in.get("IndexName") == null) {
      String v = expressionHashValue(expression, hash, in);
      if (v != null) {
        f.putAll("dynamodb:LeadingKeys", List.of(v));
        return;
      }
    }
    // Index queries (whose partition key is the index's) and anything unparsable: unknown, so a
    // policy on LeadingKeys does not allow them and an explicit Deny on them refuses them.
    f.unknown("dynamodb:LeadingKeys");
  }

  /** The partition-key value of a key condition expression, parsed as Query parses it. */
  private static String expressionHashValue(String expression, String hash, JsonNode in) {
    try {
      Map<String, String> names = new java.util.LinkedHashMap<>();
      JsonNode n = in.get("ExpressionAttributeNames");
      if (n != null && n.isObject()) {
        n.properties().forEach(e -> names.put(e.getKey(), e.getValue().asText()));
      }
      Map<String, dev.tidemark.model.AttributeValue> values = new java.util.LinkedHashMap<>();
      JsonNode v = in.get("ExpressionAttributeValues");
      if (v != null && v.isObject()) {
        for (Map.Entry<String, JsonNode> e : v.properties()) {
          values.put(e.getKey(), dev.tidemark.model.AttributeJson.read(e.getValue()));
        }
      }
      var parsed =
          dev.tidemark.expressions.Expressions.parseKeyCondition(
              expression, new dev.tidemark.expressions.ExpressionContext(names, values));
      for (var c : parsed.conditions()) {
        if (c.attribute().equals(hash) && c.op() == dev.tidemark.expressions.RangeCondition.Op.EQ) {
          if (c.value() instanceof dev.tidemark.model.AttributeValue.S str) {
            return str.value();
          }
          if (c.value() instanceof dev.tidemark.model.AttributeValue.N num) {
            return num.value().toPlainString();
          }
        }
      }
    } catch (RuntimeException e) {
      // The Query itself will refuse the request with DynamoDB's message.
    }
    return null;
  }

  private static void attributes(Facts f, String op, JsonNode in) {
    switch (op) {
      case "PutItem" -> {
        JsonNode item = in.get("Item");
        if (item != null && item.isObject()) {
          List<String> names = new ArrayList<>();
          item.fieldNames().forEachRemaining(names::add);
          f.putAll("dynamodb:Attributes", names);
        }
      }
      case "GetItem" -> projection(f, in);
      case "UpdateItem" -> {
        if (in.has("UpdateExpression")) {
          f.unknown("dynamodb:Attributes");
        } else if (in.get("AttributeUpdates") != null) {
          List<String> names = new ArrayList<>();
          in.get("AttributeUpdates").fieldNames().forEachRemaining(names::add);
          f.putAll("dynamodb:Attributes", names);
        }
      }
      default -> {}
    }
  }

  /** The top-level attributes a projection names; absent without one, as on DynamoDB. */
  private static void projection(Facts f, JsonNode in) {
    JsonNode toGet = in.get("AttributesToGet");
    if (toGet != null && toGet.isArray()) {
      List<String> names = new ArrayList<>();
      toGet.forEach(n -> names.add(n.asText()));
      f.putAll("dynamodb:Attributes", names);
      return;
    }
    String expr = text(in, "ProjectionExpression");
    if (expr == null) {
      return;
    }
    JsonNode placeholders = in.get("ExpressionAttributeNames");
    Set<String> names = new LinkedHashSet<>();
    for (String path : expr.split(",")) {
      String top = path.strip().split("[.\\[]", 2)[0].strip();
      if (top.startsWith("#")) {
        JsonNode n = placeholders == null ? null : placeholders.get(top);
        if (n == null) {
          f.unknown("dynamodb:Attributes");
          return;
        }
        top = n.asText();
      }
      names.add(top);
    }
    f.putAll("dynamodb:Attributes", new ArrayList<>(names));
  }

  private static String scalar(JsonNode av) {
    if (av == null || !av.isObject() || av.size() != 1) {
      return null;
    }
    JsonNode v = av.elements().next();
    return v.isValueNode() ? v.asText() : null;
  }

  /** The stream ARN an iterator names (its MAC binds it, so the claim cannot be changed). */
  private static String iteratorStream(String iterator) {
    if (iterator == null) {
      return "*";
    }
    int last = iterator.lastIndexOf('|');
    int middle = last <= 0 ? -1 : iterator.lastIndexOf('|', last - 1);
    return middle <= 0 ? iterator : iterator.substring(0, middle);
  }

  String tableArn(String tableNameOrArn) {
    if (tableNameOrArn != null && tableNameOrArn.startsWith("arn:")) {
      return tableNameOrArn;
    }
    return tableNameOrArn == null ? tablePrefix : tablePrefix.concat(tableNameOrArn);
  }

  private static String tableName(String nameOrArn) {
    if (nameOrArn.startsWith("arn:")) {
      int i = nameOrArn.indexOf(":table/");
      return i < 0 ? nameOrArn : nameOrArn.substring(i + ":table/".length());
    }
    return nameOrArn;
  }

  private static String text(JsonNode in, String field) {
    JsonNode n = in == null ? null : in.get(field);
    return n != null && n.isTextual() ? n.asText() : null;
  }
}
