package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.Json;
import dev.tidemark.api.RequestContext;
import dev.tidemark.api.TableDescriptions;
import dev.tidemark.backup.BackupService;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.pitr.PitrService;
import dev.tidemark.pitr.PitrState;
import dev.tidemark.storage.WriteSet;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.Table;

/**
 * DeleteTable. A table with deletion protection on is refused with DynamoDB's message and keeps its
 * data. The description answered is the table as it was, with status DELETING.
 */
public final class DeleteTable implements Action {
  private final Database db;
  private final BackupService backups;
  private final PitrService pitr;

  public DeleteTable(Database db, BackupService backups, PitrService pitr) {
    this.db = db;
    this.backups = backups;
    this.pitr = pitr;
  }

  @Override
  public String name() {
    return "DeleteTable";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    String name = Json.string(req, "TableName");
    new Constraints()
        .notNull(Json.field(req, "TableName"), "tableName")
        .tableNameOrArn(name, "tableName")
        .check();
    String plain = Database.tableName(name);
    synchronized (db.catalog()) {
      Table t =
          db.catalog()
              .find(plain)
              .orElseThrow(
                  () ->
                      DynamoException.resourceNotFound(
                          "Requested resource not found: Table: " + plain + " not found"));
      if ("CREATING".equals(t.status())) {
        throw DynamoException.resourceInUse(
            "Attempt to change a resource which is still in use: Table is being created: " + plain);
      }
      if (t.strong() != null) {
        // MRSC members leave together, through UpdateTable's ReplicaUpdates (one call).
        throw DynamoException.validation(
            "Deletion of only one table replica is not supported for global tables with"
                + " MultiRegionConsistency set to STRONG.");
      }
      if (t.definition().deletionProtection()) {
        throw DynamoException.validation(
            "Resource cannot be deleted as it is currently protected against deletion. Disable"
                + " deletion protection first.");
      }
      ObjectNode description =
          TableDescriptions.describe(db, t.definition(), "DELETING", t.itemCount(), t.sizeBytes());
      if (pitr.status(t).enabled()) {
        // The deletion writes the table's last archive segment and its $DeletedTableBackup to
        // the backup store; with the store full both would be lost with the table, so the
        // deletion waits (retryably) for space there. Without PITR it never touches the store.
        db.space().checkStoreWritable();
      }
      if (pitr.status(t).enabled()) {
        // As on DynamoDB: a SYSTEM backup of the table as deleted, kept for the recovery period,
        // and the PITR window stays restorable. The snapshot is taken in the same exclusive
        // section as the deletion, and the table's space is dropped once the backup has read it.
        long expiry = db.now() + pitr.status(t).periodDays() * PitrState.DAY_MILLIS;
        db.writePath()
            .exclusive(
                () -> {
                  backups.create(
                      t,
                      t.name() + "$DeletedTableBackup",
                      "SYSTEM",
                      expiry,
                      () -> db.writePath().exclusive(() -> db.catalog().dropSpace(t.id())));
                  db.catalog().deleteKeepingSpace(t, closeStream(t));
                });
        pitr.tableDeleted(t);
      } else {
        db.writePath().exclusive(() -> db.catalog().delete(t, closeStream(t)));
      }
      // A regional DeleteTable of a replica takes it out of its global table.
      db.globalTables().tableDeleted(t);
      ObjectNode out = Json.object();
      out.set("TableDescription", description);
      return out;
    }
  }

  /**
   * Under the write lock no write to the table can follow: its stream, if enabled, ends here and
   * stays readable (DISABLED) until retention removes it.
   */
  private WriteSet closeStream(Table t) {
    WriteSet batch = new WriteSet();
    db.streams().close(t.definition(), db.writePath().appliedSeq() + 1, db.now(), batch);
    return batch;
  }
}
