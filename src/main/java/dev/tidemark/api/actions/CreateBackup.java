package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.BackupDescriptions;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.Json;
import dev.tidemark.api.RequestContext;
import dev.tidemark.backup.BackupRecord;
import dev.tidemark.backup.BackupService;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.Table;

/** CreateBackup: answers CREATING at once; the backup becomes AVAILABLE when its data is stored. */
public final class CreateBackup implements Action {
  private final Database db;
  private final BackupService backups;

  public CreateBackup(Database db, BackupService backups) {
    this.db = db;
    this.backups = backups;
  }

  @Override
  public String name() {
    return "CreateBackup";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    String tableName = Json.string(req, "TableName");
    String backupName = Json.string(req, "BackupName");
    new Constraints()
        .notNull(Json.field(req, "TableName"), "tableName")
        .tableNameOrArn(tableName, "tableName")
        .notNull(Json.field(req, "BackupName"), "backupName")
        .name(backupName, "backupName")
        .check();
    String plain = Database.tableName(tableName);
    Table table =
        db.catalog()
            .find(plain)
            .orElseThrow(
                () -> new DynamoException(WireError.TABLE_NOT_FOUND, "Table not found: " + plain));
    if (!table.isUsable()) {
      throw new DynamoException(
          WireError.TABLE_IN_USE, "Table is being created or updated: " + plain);
    }
    // Refused up front rather than accepted and then discarded half way.
    db.space().checkStoreWritable();
    BackupRecord record = backups.create(table, backupName, "USER", null);
    ObjectNode out = Json.object();
    out.set("BackupDetails", BackupDescriptions.details(record));
    return out;
  }
}
