package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.Json;
import dev.tidemark.api.RequestContext;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.pitr.PitrService;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.Table;

/**
 * DescribeContinuousBackups. ContinuousBackupsStatus is always ENABLED, as on AWS; the PITR status
 * is the real switch. Unknown tables answer TableNotFoundException (not ResourceNotFoundException),
 * as DynamoDB does for this operation.
 */
public final class DescribeContinuousBackups implements Action {
  private final Database db;
  private final PitrService pitr;

  public DescribeContinuousBackups(Database db, PitrService pitr) {
    this.db = db;
    this.pitr = pitr;
  }

  @Override
  public String name() {
    return "DescribeContinuousBackups";
  }

  static Table require(Database db, String tableName) {
    String plain = Database.tableName(tableName);
    return db.catalog()
        .find(plain)
        .filter(Table::isUsable)
        .orElseThrow(
            () -> new DynamoException(WireError.TABLE_NOT_FOUND, "Table not found: " + plain));
  }

  /** The ContinuousBackupsDescription shape. */
  public static ObjectNode description(PitrService.Status s) {
    ObjectNode o = Json.object();
    o.put("ContinuousBackupsStatus", "ENABLED");
    ObjectNode p = o.putObject("PointInTimeRecoveryDescription");
    p.put("PointInTimeRecoveryStatus", s.enabled() ? "ENABLED" : "DISABLED");
    if (s.enabled()) {
      p.put("RecoveryPeriodInDays", s.periodDays());
      p.put("EarliestRestorableDateTime", Json.seconds(s.earliestMillis()));
      p.put("LatestRestorableDateTime", Json.seconds(s.latestMillis()));
    }
    return o;
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    String tableName = Json.string(req, "TableName");
    new Constraints()
        .notNull(Json.field(req, "TableName"), "tableName")
        .tableNameOrArn(tableName, "tableName")
        .check();
    Table t = require(db, tableName);
    ObjectNode out = Json.object();
    out.set("ContinuousBackupsDescription", description(pitr.status(t)));
    return out;
  }
}
