package dev.tidemark.replication;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.Replication;
import dev.tidemark.tables.Table;

/** Finds the table a peer request names, as a member of the group the request names. */
final class GroupTables {
  private GroupTables() {}

  /**
   * The table {@code body.table} of group {@code body.groupId} in this region, or
   * ResourceNotFoundException (the table is gone, or is not that group's replica).
   */
  static Table require(Database db, JsonNode body) {
    return require(db, body.path("table").asText(), body.path("groupId").asText());
  }

  /** Table {@code name} of group {@code groupId} here, or ResourceNotFoundException. */
  static Table require(Database db, String name, String groupId) {
    Table t =
        db.catalog()
            .find(name)
            .orElseThrow(
                () ->
                    DynamoException.resourceNotFound(
                        "Requested resource not found: Table: " + name + " not found"));
    Replication r = t.replication();
    if (r == null || !r.groupId().equals(groupId)) {
      throw DynamoException.resourceNotFound(
          "Table " + name + " in region " + db.region() + " is not a replica of this global table");
    }
    return t;
  }
}
