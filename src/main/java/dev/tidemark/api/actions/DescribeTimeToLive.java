package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.Json;
import dev.tidemark.api.RequestContext;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.TimeToLive;

/** DescribeTimeToLive: ENABLED with the attribute name, or DISABLED without one. */
public final class DescribeTimeToLive implements Action {
  private final Database db;

  public DescribeTimeToLive(Database db) {
    this.db = db;
  }

  @Override
  public String name() {
    return "DescribeTimeToLive";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    String name = Json.string(req, "TableName");
    new Constraints()
        .notNull(Json.field(req, "TableName"), "tableName")
        .tableNameOrArn(name, "tableName")
        .check();
    TimeToLive ttl = db.catalog().timeToLive(db.require(name));
    ObjectNode out = Json.object();
    ObjectNode d = out.putObject("TimeToLiveDescription");
    d.put("TimeToLiveStatus", ttl.enabled() ? "ENABLED" : "DISABLED");
    if (ttl.enabled()) {
      d.put("AttributeName", ttl.attributeName());
    }
    return out;
  }
}
