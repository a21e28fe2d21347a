package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.Json;
import dev.tidemark.api.RequestContext;
import dev.tidemark.api.TableDescriptions;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.Table;

/** DescribeTable. */
public final class DescribeTable implements Action {
  private final Database db;

  public DescribeTable(Database db) {
    this.db = db;
  }

  @Override
  public boolean mayWait() {
    return false;
  }

  @Override
  public String name() {
    return "DescribeTable";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    String name = Json.string(req, "TableName");
    new Constraints()
        .notNull(Json.field(req, "TableName"), "tableName")
        .tableNameOrArn(name, "tableName")
        .check();
    Table t =
        db.catalog()
            .find(Database.tableName(name))
            .orElseThrow(
                () ->
                    DynamoException.resourceNotFound(
                        "Requested resource not found: Table: "
                            + Database.tableName(name)
                            + " not found"));
    ObjectNode out = Json.object();
    out.set("Table", TableDescriptions.describe(db, t));
    return out;
  }
}
