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
import java.util.Optional;

/** DescribeBackup. */
public final class DescribeBackup implements Action {
  private final BackupService backups;

  public DescribeBackup(BackupService backups) {
    this.backups = backups;
  }

  @Override
  public String name() {
    return "DescribeBackup";
  }

  /** Finds a backup by ARN or answers DynamoDB's BackupNotFoundException. */
  static BackupRecord require(BackupService backups, JsonNode req) {
    String arn = Json.string(req, "BackupArn");
    new Constraints().notNull(Json.field(req, "BackupArn"), "backupArn").check();
    if (arn.length() < 37 || arn.length() > 1024) {
      new Constraints()
          .add(
              "Value '"
                  + arn
                  + "' at 'backupArn' failed to satisfy constraint: Member must have length "
                  + (arn.length() < 37
                      ? "greater than or equal to 37"
                      : "less than or equal to 1024"))
          .check();
    }
    Optional<BackupRecord> found = backups.find(arn);
    if (found.isEmpty()) {
      // An unreadable backup exists: say why it cannot be used, never that it is not there.
      backups
          .findUnreadable(arn)
          .ifPresent(
              u -> {
                throw DynamoException.validation("Backup cannot be used: " + u.reason());
              });
    }
    return found.orElseThrow(() -> BackupService.notFound(arn));
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    BackupRecord r = require(backups, req);
    ObjectNode out = Json.object();
    out.set("BackupDescription", BackupDescriptions.description(r));
    return out;
  }
}
