package dev.tidemark.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Json;
import dev.tidemark.backup.RestoreProgress;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.Table;
import java.util.Optional;

/**
 * {@code DescribeRestoreProgress}: how far the restore into a table is while the table is CREATING,
 * measured by the server ({@link RestoreProgress}): the plaintext bytes of the backup's data
 * objects loaded, out of the total its manifest lists, and their fraction. Input: {@code
 * TableName}. Output: {@code TableName}, {@code TableStatus}, {@code RestoreInProgress}, and while
 * it is, {@code BytesLoaded} and, once the manifest is open, {@code BytesTotal} and {@code
 * FractionLoaded} (0 to 1).
 */
final class DescribeRestoreProgress implements ConsoleOperation {
  static final String NAME = "DescribeRestoreProgress";

  private final Database db;
  private final RestoreProgress progress;

  DescribeRestoreProgress(Database db, RestoreProgress progress) {
    this.db = db;
    this.progress = progress;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public ObjectNode execute(JsonNode req) {
    Table table = TableInput.describable(db, req);
    ObjectNode out = Json.object();
    out.put("TableName", table.name());
    out.put("TableStatus", table.status());
    Optional<RestoreProgress.Snapshot> now = progress.of(table.id());
    out.put("RestoreInProgress", now.isPresent());
    now.ifPresent(
        s -> {
          out.put("BytesLoaded", s.bytesLoaded());
          if (s.bytesTotal() != null) {
            out.put("BytesTotal", s.bytesTotal());
            out.put("FractionLoaded", s.fraction());
          }
        });
    return out;
  }
}
