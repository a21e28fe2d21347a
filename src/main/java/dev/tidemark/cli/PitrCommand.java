package dev.tidemark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.backup.BackupRepository;
import dev.tidemark.pitr.PitrState;
import dev.tidemark.pitr.PitrStore;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tidemark pitr status|restore}. {@code status} asks a running server for every table's
 * window, or with {@code --backup-dir} reads the windows straight from the backup store (every
 * incarnation it knows, deleted tables included: what a fresh server would find). {@code restore}
 * asks a running server for a RestoreTableToPointInTime, like {@code aws dynamodb}.
 */
@Command(
    name = "pitr",
    mixinStandardHelpOptions = true,
    description = "Point-in-time recovery: windows and restores.",
    subcommands = {PitrCommand.Status.class, PitrCommand.Restore.class})
final class PitrCommand {

  static String time(Long millis) {
    return millis == null ? "-" : Instant.ofEpochMilli(millis).toString();
  }

  /** Epoch seconds with a fraction (DynamoDB's wire timestamps) to epoch milliseconds. */
  static Long millis(JsonNode seconds) {
    if (seconds == null || seconds.isMissingNode() || seconds.isNull()) {
      return null;
    }
    return seconds.decimalValue().movePointRight(3).longValue();
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description =
          "Show every table's restorable window: from a running server (--endpoint), or from the"
              + " backup store alone (--backup-dir or --backup-store), deleted tables included.")
  static final class Status implements Callable<Integer> {
    @Option(
        names = "--endpoint",
        description = "Server URL (default: http://127.0.0.1:8000 unless --backup-dir is given).")
    String endpoint;

    /** With --backup-dir or --backup-store: read the store directly instead of asking a server. */
    @Mixin BackupCommand.StoreOptions store = new BackupCommand.StoreOptions();

    @Override
    public Integer call() throws Exception {
      boolean fromStore = store.location.given();
      if (fromStore && endpoint != null) {
        throw new IllegalArgumentException(
            "give --endpoint or a store (--backup-dir, --backup-store), not both");
      }
      if (fromStore) {
        fromStore(store.open(), System.out);
      } else {
        fromServer(
            new ServerClient(endpoint == null ? "http://127.0.0.1:8000" : endpoint), System.out);
      }
      return 0;
    }

    static void fromServer(ServerClient server, PrintStream out) throws Exception {
      List<String> tables = new ArrayList<>();
      String start = null;
      do {
        ObjectNode req = ServerClient.JSON.createObjectNode();
        if (start != null) {
          req.put("ExclusiveStartTableName", start);
        }
        JsonNode page = server.call("ListTables", req);
        page.path("TableNames").forEach(n -> tables.add(n.asText()));
        start = page.path("LastEvaluatedTableName").asText(null);
      } while (start != null);
      out.printf("%-32s %-9s %-6s %-24s   %s%n", "TABLE", "PITR", "DAYS", "EARLIEST", "LATEST");
      for (String table : tables) {
        JsonNode d;
        try {
          d =
              server
                  .call(
                      "DescribeContinuousBackups",
                      ServerClient.JSON.createObjectNode().put("TableName", table))
                  .path("ContinuousBackupsDescription")
                  .path("PointInTimeRecoveryDescription");
        } catch (ServerClient.ServerError e) {
          // A table still being created (a restore) has no settings yet.
          out.printf("%-32s %s%n", table, e.getMessage());
          continue;
        }
        String status = d.path("PointInTimeRecoveryStatus").asText();
        if (!"ENABLED".equals(status)) {
          out.printf("%-32s %-9s%n", table, status);
          continue;
        }
        out.printf(
            "%-32s %-9s %-6d %-24s .. %s%n",
            table,
            status,
            d.path("RecoveryPeriodInDays").asInt(),
            time(millis(d.get("EarliestRestorableDateTime"))),
            time(millis(d.get("LatestRestorableDateTime"))));
      }
    }

    static void fromStore(BackupRepository repository, PrintStream out) throws Exception {
      long now = System.currentTimeMillis();
      for (PitrStore.StoredWindow w : PitrStore.windows(repository, now)) {
        PitrState st = w.state();
        String state;
        if (!st.enabled()) {
          state = "DISABLED";
        } else if (st.deletedMillis() != null) {
          state =
              (st.expired(now) ? "EXPIRED" : "DELETED")
                  + " at "
                  + Instant.ofEpochMilli(st.deletedMillis());
        } else {
          state = "ENABLED";
        }
        out.printf(
            "%s  TableId=%s  %s  %d days  %s .. %s%n",
            st.tableArn(),
            st.tableUuid(),
            state,
            st.recoveryPeriodDays(),
            time(w.earliestMillis()),
            time(w.latestMillis()));
      }
      for (PitrStore.UnreadableWindow u : PitrStore.unreadable(repository)) {
        out.printf("UNREADABLE  TableId=%s  %s%n", u.tableUuid(), u.reason());
      }
    }
  }

  /** Exactly one of an instant and the latest restorable time. */
  static final class When {
    @Option(
        names = "--to",
        paramLabel = "INSTANT",
        required = true,
        description = "Instant to restore to, ISO-8601 in UTC, e.g. 2026-11-21T10:14:59.250Z.")
    String to;

    @Option(
        names = "--latest",
        required = true,
        description = "Restore to the latest restorable time.")
    boolean latest;
  }

  @Command(
      name = "restore",
      mixinStandardHelpOptions = true,
      description =
          "Restore a table (by name, or by ARN for a deleted table or one a lost server had) into"
              + " a new table as of an instant.")
  static final class Restore implements Callable<Integer> {
    @Mixin BackupCommand.ServerOptions server = new BackupCommand.ServerOptions();

    @Parameters(index = "0", paramLabel = "SOURCE", description = "Table name or table ARN.")
    String source;

    @Parameters(index = "1", paramLabel = "TARGET", description = "Name of the new table.")
    String target;

    @ArgGroup(exclusive = true, multiplicity = "1")
    When when;

    @Option(names = "--wait", description = "Wait until the new table is ACTIVE.")
    boolean await;

    @Override
    public Integer call() throws Exception {
      ObjectNode req = ServerClient.JSON.createObjectNode();
      req.put(source.startsWith("arn:") ? "SourceTableArn" : "SourceTableName", source);
      req.put("TargetTableName", target);
      if (when.latest) {
        req.put("UseLatestRestorableTime", true);
      } else {
        Instant at;
        try {
          at = Instant.parse(when.to);
        } catch (DateTimeParseException e) {
          throw new IllegalArgumentException(
              "--to must be an ISO-8601 instant in UTC such as 2026-11-21T10:14:59.250Z, not "
                  + when.to);
        }
        req.put("RestoreDateTime", BigDecimal.valueOf(at.toEpochMilli(), 3));
      }
      ServerClient client = new ServerClient(server.endpoint);
      JsonNode resp = client.call("RestoreTableToPointInTime", req);
      JsonNode summary = resp.path("TableDescription").path("RestoreSummary");
      System.out.printf(
          "Restoring %s as of %s into %s (%s)%n",
          summary.path("SourceTableArn").asText(source),
          time(millis(summary.get("RestoreDateTime"))),
          target,
          resp.path("TableDescription").path("TableArn").asText());
      if (await) {
        waitActive(client, target);
        System.out.println(target + " is ACTIVE");
      }
      return 0;
    }

    private static void waitActive(ServerClient client, String table) throws Exception {
      ObjectNode req = ServerClient.JSON.createObjectNode().put("TableName", table);
      while (true) {
        JsonNode t;
        try {
          t = client.call("DescribeTable", req).path("Table");
        } catch (ServerClient.ServerError e) {
          throw new IllegalStateException(
              "the restore into " + table + " failed; no table was created (see the server log)");
        }
        if ("ACTIVE".equals(t.path("TableStatus").asText())) {
          return;
        }
        Thread.sleep(100);
      }
    }
  }
}
