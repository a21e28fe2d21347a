package dev.tidemark.console;

import dev.tidemark.backup.BackupService;
import dev.tidemark.history.ItemHistory;
import dev.tidemark.pitr.PitrService;
import dev.tidemark.tables.Database;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The console's own operations by name: the dispatch table of {@code /console/api/<name>}. */
public final class ConsoleApi {
  /** The prefix under which the gate (permissions, audit trail) sees these operations. */
  public static final String SERVICE_PREFIX = "tidemark:";

  private final Map<String, ConsoleOperation> operations = new TreeMap<>();

  public ConsoleApi(Database db, PitrService pitr, BackupService backups) {
    this(db, pitr, backups, null);
  }

  /**
   * @param auditDir the audit trail's directory, or null when the server keeps none
   */
  public ConsoleApi(
      Database db, PitrService pitr, BackupService backups, java.nio.file.Path auditDir) {
    register(new ListItemVersions(db, new ItemHistory(db, pitr)));
    register(new DescribePitrWindow(db, pitr, backups, System::currentTimeMillis));
    register(new DescribeReplicas(db, System::currentTimeMillis));
    register(new ListAuditEvents(auditDir));
    register(new DescribeTableSummaries(db, pitr));
    register(new DescribeRestoreProgress(db, backups.restoreProgress()));
  }

  private void register(ConsoleOperation op) {
    operations.put(op.name(), op);
  }

  public Optional<ConsoleOperation> find(String name) {
    return Optional.ofNullable(operations.get(name));
  }

  /** Every operation as the gate names it ({@code tidemark:ListItemVersions}). */
  public java.util.Set<String> gateNames() {
    java.util.Set<String> out = new java.util.TreeSet<>();
    operations.keySet().forEach(n -> out.add(SERVICE_PREFIX + n));
    return out;
  }
}
