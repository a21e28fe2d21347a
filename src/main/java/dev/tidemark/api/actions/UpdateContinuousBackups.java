package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.Json;
import dev.tidemark.api.RequestContext;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.pitr.PitrService;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.Table;

/**
 * UpdateContinuousBackups: turns point-in-time recovery on (a new window begins, with a base
 * snapshot) or off (the window and its archive end), or changes RecoveryPeriodInDays.
 */
public final class UpdateContinuousBackups implements Action {
  private final Database db;
  private final PitrService pitr;

  public UpdateContinuousBackups(Database db, PitrService pitr) {
    this.db = db;
    this.pitr = pitr;
  }

  @Override
  public String name() {
    return "UpdateContinuousBackups";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    String tableName = Json.string(req, "TableName");
    JsonNode spec = Json.objectField(req, "PointInTimeRecoverySpecification");
    new Constraints()
        .notNull(Json.field(req, "TableName"), "tableName")
        .tableNameOrArn(tableName, "tableName")
        .notNull(spec, "pointInTimeRecoverySpecification")
        .check();
    Boolean enabled = Json.bool(spec, "PointInTimeRecoveryEnabled");
    Long days = Json.integer(spec, "RecoveryPeriodInDays");
    new Constraints()
        .notNull(
            Json.field(spec, "PointInTimeRecoveryEnabled"),
            "pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled")
        .range(days, 1, 35, "pointInTimeRecoverySpecification.recoveryPeriodInDays")
        .check();
    if (!enabled && days != null) {
      throw DynamoException.validation(
          "Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time"
              + " recovery.");
    }
    synchronized (db.catalog()) {
      Table t = DescribeContinuousBackups.require(db, tableName);
      if (enabled) {
        // Enabling writes a base snapshot to the store; changing the period of an enabled table
        // writes almost nothing and stays allowed.
        if (!pitr.status(t).enabled()) {
          db.space().checkStoreWritable();
        }
        pitr.enable(t, days == null ? null : days.intValue());
      } else {
        pitr.disable(t);
      }
      ObjectNode out = Json.object();
      out.set(
          "ContinuousBackupsDescription", DescribeContinuousBackups.description(pitr.status(t)));
      return out;
    }
  }
}
