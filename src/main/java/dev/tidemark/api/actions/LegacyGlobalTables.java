package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.Json;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;

/**
 * What the legacy global tables operations (version 2017.11.29) answer, as AWS answers them since
 * it stopped offering that version: creating one is refused, and no legacy global table exists to
 * describe or change (tables replicated with version 2019.11.21 are not legacy global tables
 * either). Shared by the six operations' classes.
 */
final class LegacyGlobalTables {
  private LegacyGlobalTables() {}

  static final String NOT_SUPPORTED =
      "One or more parameter values were invalid: DynamoDB global tables version 2017.11.29 is not"
          + " supported. We recommend using DynamoDB global tables version 2019.11.21, instead of"
          + " version 2017.11.29 (Legacy).";

  /** The GlobalTableName, validated as a table name. */
  static String name(JsonNode req) {
    String name = Json.string(req, "GlobalTableName");
    new Constraints()
        .notNull(Json.field(req, "GlobalTableName"), "globalTableName")
        .name(name, "globalTableName")
        .check();
    return name;
  }

  /** DescribeGlobalTable's refusal (its message has a prefix the settings operations lack). */
  static DynamoException notFound(String name) {
    return new DynamoException(
        WireError.GLOBAL_TABLE_NOT_FOUND,
        "Global table not found: Global table with name: '" + name + "' does not exist.");
  }

  /** The settings operations' refusal. */
  static DynamoException settingsNotFound(String name) {
    return new DynamoException(
        WireError.GLOBAL_TABLE_NOT_FOUND, "Global table with name: '" + name + "' does not exist.");
  }
}
