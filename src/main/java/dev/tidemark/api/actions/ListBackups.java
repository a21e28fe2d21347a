package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.BackupDescriptions;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.Json;
import dev.tidemark.api.RequestContext;
import dev.tidemark.backup.BackupRecord;
import dev.tidemark.backup.BackupService;
import dev.tidemark.tables.Database;
import java.util.List;

/**
 * ListBackups: filters by table, creation time ([lower, upper)) and type (USER by default), oldest
 * first, paged by backup ARN. Backups of deleted tables are listed too.
 */
public final class ListBackups implements Action {
  private final BackupService backups;

  public ListBackups(BackupService backups) {
    this.backups = backups;
  }

  @Override
  public String name() {
    return "ListBackups";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    String tableName = Json.string(req, "TableName");
    Long limit = Json.integer(req, "Limit");
    Long lower = Json.epochMillis(req, "TimeRangeLowerBound");
    Long upper = Json.epochMillis(req, "TimeRangeUpperBound");
    String start = Json.string(req, "ExclusiveStartBackupArn");
    String type = Json.string(req, "BackupType");
    new Constraints()
        .tableNameOrArn(tableName, "tableName")
        .range(limit, 1, 100, "limit")
        .oneOf(type, "backupType", List.of("USER", "SYSTEM", "AWS_BACKUP", "ALL"))
        .check();
    String plain = tableName == null ? null : Database.tableName(tableName);
    String wanted = type == null ? "USER" : type;
    int max = limit == null ? 100 : limit.intValue();
    ObjectNode out = Json.object();
    ArrayNode rows = out.putArray("BackupSummaries");
    boolean started = start == null;
    String last = null;
    boolean more = false;
    for (BackupRecord r : backups.list()) {
      if (!started) {
        started = r.arn().equals(start);
        continue;
      }
      if ((plain != null && !plain.equals(r.tableName()))
          || (!"ALL".equals(wanted) && !wanted.equals(r.type()))
          || (lower != null && r.creationMillis() < lower)
          || (upper != null && r.creationMillis() >= upper)) {
        continue;
      }
      if (rows.size() == max) {
        more = true;
        break;
      }
      rows.add(BackupDescriptions.summary(r));
      last = r.arn();
    }
    if (more) {
      out.put("LastEvaluatedBackupArn", last);
    }
    return out;
  }
}
