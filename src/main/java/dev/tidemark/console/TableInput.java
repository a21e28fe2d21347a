package dev.tidemark.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.Json;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.Table;

/** The {@code TableName} of a console operation about one table, checked as DynamoDB checks it. */
final class TableInput {
  private TableInput() {}

  /**
   * The table named, after DynamoDB's validation of the name.
   *
   * @throws dev.tidemark.errors.DynamoException ValidationException, or ResourceNotFoundException
   */
  static Table require(Database db, JsonNode req) {
    String tableName = Json.string(req, "TableName");
    new Constraints()
        .notNull(Json.field(req, "TableName"), "tableName")
        .tableNameOrArn(tableName, "tableName")
        .check();
    return db.require(tableName);
  }
}
