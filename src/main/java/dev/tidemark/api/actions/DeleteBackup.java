package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.BackupDescriptions;
import dev.tidemark.api.Json;
import dev.tidemark.api.RequestContext;
import dev.tidemark.backup.BackupRecord;
import dev.tidemark.backup.BackupService;
import dev.tidemark.errors.DynamoException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * DeleteBackup: removes the manifest, then only the data objects no other backup shares. A backup
 * still being created, and a SYSTEM backup, are refused as on DynamoDB; of two concurrent deletes
 * of one backup, one succeeds and the other finds it not found.
 */
public final class DeleteBackup implements Action {
  private final BackupService backups;

  public DeleteBackup(BackupService backups) {
    this.backups = backups;
  }

  @Override
  public String name() {
    return "DeleteBackup";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    BackupRecord r = DescribeBackup.require(backups, req);
    if ("SYSTEM".equals(r.type())) {
      throw DynamoException.validation(
          "Invalid Request: User is not allowed to delete the system backup with arn "
              + r.arn()
              + ". It will automatically expire on "
              + (r.expiryMillis() == null
                  ? "its expiry date"
                  : Instant.ofEpochMilli(r.expiryMillis())));
    }
    if (ListBackups.AWS_BACKUP.equals(r.type())) {
      // As on AWS: a recovery point of AWS Backup is deleted through its vault only.
      throw DynamoException.validation(
          "Invalid Request: Backup "
              + r.arn()
              + " was created by AWS Backup and can be deleted only through AWS Backup"
              + " (DeleteRecoveryPoint)");
    }
    BackupRecord deleted;
    try {
      // Decides CREATING (BackupInUse) and gone or concurrently deleted (BackupNotFound) itself:
      // r may be stale by now.
      deleted = backups.delete(r);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ObjectNode out = Json.object();
    out.set("BackupDescription", BackupDescriptions.description(deleted));
    return out;
  }
}
