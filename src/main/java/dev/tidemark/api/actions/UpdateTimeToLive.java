package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.Json;
import dev.tidemark.api.RequestContext;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.ReplicatedSettings;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.TimeToLive;
import java.util.Set;

/**
 * UpdateTimeToLive. Like DynamoDB it is not idempotent: enabling an enabled TTL, disabling a
 * disabled one, or naming another attribute than the active one is refused. The change takes effect
 * at once (DynamoDB passes through ENABLING for up to an hour); DynamoDB's limit of one change per
 * hour is not imposed.
 */
public final class UpdateTimeToLive implements Action {
  private final Database db;

  public UpdateTimeToLive(Database db) {
    this.db = db;
  }

  @Override
  public String name() {
    return "UpdateTimeToLive";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    String name = Json.string(req, "TableName");
    JsonNode spec = Json.objectField(req, "TimeToLiveSpecification");
    Boolean enabled = spec == null ? null : Json.bool(spec, "Enabled");
    String attribute = spec == null ? null : Json.string(spec, "AttributeName");
    Constraints c =
        new Constraints()
            .notNull(Json.field(req, "TableName"), "tableName")
            .tableNameOrArn(name, "tableName")
            .notNull(spec, "timeToLiveSpecification");
    if (spec != null) {
      c.notNull(Json.field(spec, "AttributeName"), "timeToLiveSpecification.attributeName")
          .length(attribute, "timeToLiveSpecification.attributeName", 1, 255)
          .notNull(Json.field(spec, "Enabled"), "timeToLiveSpecification.enabled");
    }
    c.check();
    synchronized (db.catalog()) {
      Table t = db.require(name);
      TimeToLive current = db.catalog().timeToLive(t);
      if (current.enabled() && !current.attributeName().equals(attribute)) {
        throw DynamoException.validation(
            "TimeToLive is active on a different AttributeName: current AttributeName is "
                + current.attributeName());
      }
      if (current.enabled() && enabled) {
        throw DynamoException.validation("TimeToLive is already enabled");
      }
      if (!current.enabled() && !enabled) {
        throw DynamoException.validation("TimeToLive is already disabled");
      }
      db.catalog().timeToLive(t, enabled ? TimeToLive.on(attribute) : TimeToLive.DISABLED);
      if (t.replication() != null) {
        db.replicatedSettings().changed(t, Set.of(ReplicatedSettings.TTL));
      }
    }
    ObjectNode out = Json.object();
    out.putObject("TimeToLiveSpecification")
        .put("Enabled", enabled)
        .put("AttributeName", attribute);
    return out;
  }
}
