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
import dev.tidemark.backup.UnreadableBackup;
import dev.tidemark.tables.Database;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * ListBackups: filters by table, creation time ([lower, upper)) and type (USER by default), oldest
 * first, paged by backup ARN. Backups of deleted tables are listed too.
 */
public final class ListBackups implements Action {
  static final String AWS_BACKUP = "AWS_BACKUP";

  private final Database db;
  private final BackupService backups;

  public ListBackups(Database db, BackupService backups) {
    this.db = db;
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
    for (Row row : rows(plain)) {
      if (!started) {
        started = row.arn().equals(start);
        continue;
      }
      if ((plain != null && !plain.equals(row.tableName()))
          || (!"ALL".equals(wanted) && !wanted.equals(row.type()))
          || (lower != null && row.creationMillis() < lower)
          || (upper != null && row.creationMillis() >= upper)) {
        continue;
      }
      if (rows.size() == max) {
        more = true;
        break;
      }
      rows.add(row.summary().get());
      last = row.arn();
    }
    if (more) {
      out.put("LastEvaluatedBackupArn", last);
    }
    return out;
  }

  /**
   * One listed backup: a readable one, or one whose manifest cannot be read. Its summary is built
   * only if the page shows it; a listing walks every backup for each page.
   */
  private record Row(
      String arn,
      String tableName,
      String type,
      long creationMillis,
      java.util.function.Supplier<ObjectNode> summary) {}

  /**
   * Readable and unreadable backups, oldest first. An unreadable backup's table name and type are
   * inside its manifest: it is listed as USER (so default listings show it) under the TableId, and
   * under a TableName filter only when that table's current incarnation is its source.
   */
  private List<Row> rows(String tableFilter) {
    List<Row> out = new ArrayList<>();
    for (BackupRecord r : backups.list()) {
      if (AWS_BACKUP.equals(r.type())) {
        // Recovery points of AWS Backup: DynamoDB has not listed them, even for ALL, since 2022.
        continue;
      }
      out.add(
          new Row(
              r.arn(),
              r.tableName(),
              r.type(),
              r.creationMillis(),
              () -> BackupDescriptions.summary(r)));
    }
    String filterUuid =
        tableFilter == null
            ? null
            : db.catalog().find(tableFilter).map(t -> t.definition().tableId()).orElse(null);
    for (UnreadableBackup u : backups.unreadable()) {
      ObjectNode o = Json.object();
      o.put("TableId", u.tableUuid());
      o.put("BackupArn", u.arn());
      o.put("BackupName", u.name());
      o.put("BackupStatus", "AVAILABLE");
      o.put("BackupType", "USER");
      o.put("BackupCreationDateTime", Json.seconds(u.creationMillis()));
      String name = u.tableUuid().equals(filterUuid) ? tableFilter : u.tableUuid();
      out.add(new Row(u.arn(), name, "USER", u.creationMillis(), () -> o));
    }
    out.sort(
        Comparator.comparingLong((Row r) -> r.creationMillis()).thenComparing((Row r) -> r.arn()));
    return out;
  }
}
