package dev.tidemark.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.Json;
import dev.tidemark.api.TableDescriptions;
import dev.tidemark.api.actions.DescribeContinuousBackups;
import dev.tidemark.auth.Check;
import dev.tidemark.pitr.PitrService;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.Table;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * {@code DescribeTableSummaries}: one page of the console's tables list in one call, where the
 * DynamoDB API needs ListTables and then DescribeTable and DescribeContinuousBackups per table (two
 * thousand calls for a thousand tables). Input: {@code ExclusiveStartTableName} and {@code Limit}
 * (1 to 100, default 100), paged by name as ListTables pages.
 *
 * <p>The gate admits the call as ListTables on every table; each table is then shown only when the
 * caller may DescribeTable it, and its PITR state only when it may DescribeContinuousBackups it, so
 * the list tells nobody more than those calls would. Tables left out still advance the page, and
 * {@code LastEvaluatedTableName} is the last name examined when names remain.
 */
final class DescribeTableSummaries implements ConsoleOperation {
  static final String NAME = "DescribeTableSummaries";
  private static final int DEFAULT_LIMIT = 100;

  private final Database db;
  private final PitrService pitr;

  DescribeTableSummaries(Database db, PitrService pitr) {
    this.db = db;
    this.pitr = pitr;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public ObjectNode execute(JsonNode req) {
    return execute(req, check -> true);
  }

  @Override
  public ObjectNode execute(JsonNode req, Predicate<Check> visible) {
    String start = Json.string(req, "ExclusiveStartTableName");
    Long limit = Json.integer(req, "Limit");
    new Constraints().name(start, "exclusiveStartTableName").range(limit, 1, 100, "limit").check();
    int max = limit == null ? DEFAULT_LIMIT : limit.intValue();
    List<String> names = db.catalog().names();
    int i = 0;
    if (start != null) {
      while (i < names.size() && names.get(i).compareTo(start) <= 0) {
        i++;
      }
    }
    ObjectNode out = Json.object();
    ArrayNode rows = out.putArray("TableSummaries");
    String last = null;
    for (; i < names.size() && rows.size() < max; i++) {
      last = names.get(i);
      Optional<Table> table = db.catalog().find(last);
      String arn = db.tableArn(last);
      if (table.isEmpty() || !visible.test(new Check("dynamodb:DescribeTable", arn))) {
        continue;
      }
      rows.add(
          summary(table.get(), visible.test(new Check("dynamodb:DescribeContinuousBackups", arn))));
    }
    if (i < names.size() && last != null) {
      out.put("LastEvaluatedTableName", last);
    }
    return out;
  }

  /** DescribeTable's fields the list shows, and DescribeContinuousBackups' description. */
  private ObjectNode summary(Table t, boolean withPitr) {
    ObjectNode full = TableDescriptions.describe(db, t);
    ObjectNode o = Json.object();
    for (String f :
        List.of(
            "TableName",
            "TableArn",
            "TableStatus",
            "ItemCount",
            "TableSizeBytes",
            "DeletionProtectionEnabled",
            "Replicas",
            "MultiRegionConsistency")) {
      if (full.has(f)) {
        o.set(f, full.get(f));
      }
    }
    if (withPitr && t.isUsable()) {
      o.set("ContinuousBackupsDescription", DescribeContinuousBackups.description(pitr.status(t)));
    }
    return o;
  }
}
