package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.BackupDescriptions;
import dev.tidemark.api.Json;
import dev.tidemark.api.RequestContext;
import dev.tidemark.api.TableDescriptions;
import dev.tidemark.backup.BackupRecord;
import dev.tidemark.backup.BackupService;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.tables.CrossRegionRestores;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.TableDefinition;

/**
 * RestoreTableFromBackup: a new table, CREATING at once with its RestoreSummary, ACTIVE once every
 * item and index entry is loaded.
 */
public final class RestoreTableFromBackup implements Action {
  private final Database db;
  private final BackupService backups;

  public RestoreTableFromBackup(Database db, BackupService backups) {
    this.db = db;
    this.backups = backups;
  }

  @Override
  public String name() {
    return "RestoreTableFromBackup";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    String arn = Json.string(req, "BackupArn");
    String region = CrossRegionRestores.regionOf(arn);
    if (region != null && !region.equals(db.region())) {
      return RestoreTargets.fromRegion(db, req, () -> db.crossRegionRestores().backup(region, arn));
    }
    BackupRecord backup = DescribeBackup.require(backups, req);
    if (!"AVAILABLE".equals(backup.status())) {
      throw new DynamoException(
          WireError.BACKUP_IN_USE,
          "Backup is being created and cannot be restored yet: " + backup.arn());
    }
    synchronized (db.catalog()) {
      String target = RestoreTargets.targetName(db, req);
      TableDefinition source = BackupDescriptions.sourceDefinition(backup);
      TableDefinition def = RestoreTargets.build(db, source, target, req);
      Table table = backups.restore(backup, def);
      ObjectNode out = Json.object();
      out.set("TableDescription", TableDescriptions.describe(db, table));
      return out;
    }
  }
}
