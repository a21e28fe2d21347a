package dev.tidemark.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Json;
import dev.tidemark.backup.BackupRecord;
import dev.tidemark.backup.BackupService;
import dev.tidemark.pitr.PitrService;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.Table;
import java.util.function.LongSupplier;

/**
 * {@code DescribePitrWindow}: what the console draws as a table's PITR timeline, beyond
 * DescribeContinuousBackups: the server's clock, the archive's lag behind it, and the base
 * snapshots a restore starts from. Input: {@code TableName}.
 */
final class DescribePitrWindow implements ConsoleOperation {
  static final String NAME = "DescribePitrWindow";

  private final Database db;
  private final PitrService pitr;
  private final BackupService backups;
  private final LongSupplier clock;

  DescribePitrWindow(Database db, PitrService pitr, BackupService backups, LongSupplier clock) {
    this.db = db;
    this.pitr = pitr;
    this.backups = backups;
    this.clock = clock;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public ObjectNode execute(JsonNode req) {
    Table table = TableInput.require(db, req);
    // The clock is read before the window so the lag is never negative.
    long now = clock.getAsLong();
    PitrService.Status status = pitr.status(table);
    ObjectNode out = Json.object();
    out.put("TableName", table.name());
    out.put("NowMillis", now);
    out.put("PointInTimeRecoveryEnabled", status.enabled());
    if (!status.enabled()) {
      return out;
    }
    out.put("RecoveryPeriodInDays", status.periodDays());
    out.put("EarliestRestorableMillis", status.earliestMillis());
    out.put("LatestRestorableMillis", status.latestMillis());
    out.put("ArchiveLagMillis", Math.max(0, now - status.latestMillis()));
    ArrayNode bases = out.putArray("BaseSnapshots");
    for (BackupRecord b : backups.bases(table.definition().tableId())) {
      if (b.position() == null) {
        continue;
      }
      ObjectNode o = bases.addObject();
      o.put("TimeMillis", b.position().commitTimeMillis());
      o.put("Status", b.status());
    }
    return out;
  }
}
