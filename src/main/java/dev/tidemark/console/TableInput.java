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
    return db.require(checkedName(req));
  }

  /**
   * The table named, in any status, as DescribeTable finds it: a table being created (a restore
   * filling it) included, which data-plane reads ({@link #require}) do not see.
   */
  static Table describable(Database db, JsonNode req) {
    return db.catalog()
        .find(Database.tableName(checkedName(req)))
        .orElseThrow(dev.tidemark.errors.DynamoException::tableNotFound);
  }

  private static String checkedName(JsonNode req) {
    String tableName = Json.string(req, "TableName");
    new Constraints()
        .notNull(Json.field(req, "TableName"), "tableName")
        .tableNameOrArn(tableName, "tableName")
        .check();
    return tableName;
  }
}
