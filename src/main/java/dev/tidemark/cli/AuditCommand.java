package dev.tidemark.cli;

import dev.tidemark.audit.AuditReader;
import dev.tidemark.audit.AuditRecord;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tidemark audit}: reads the audit trail's files directly (the server may be running or
 * not), oldest first, with filters; {@code --json} prints the records as the JSON lines they are
 * stored as.
 */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description =
        "Show the audit trail: control-plane actions and refused requests, with who, from where"
            + " and what came of it.")
final class AuditCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--audit-dir",
      paramLabel = "DIR",
      description = "The audit directory (default: audit in --data-dir).")
  Path auditDir;

  @Option(
      names = {"--data-dir", "-dbPath"},
      paramLabel = "DIR",
      description = "The server's data directory (default: ./tidemark-data).")
  Path dataDir;

  @Option(
      names = "--since",
      paramLabel = "TIME",
      description =
          "Records at or after this instant (2026-12-06T07:00:00Z) or this long ago (1h).")
  String since;

  @Option(
      names = "--until",
      paramLabel = "TIME",
      description = "Records before this instant or this long ago.")
  String until;

  @Option(
      names = "--identity",
      paramLabel = "WHO",
      description = "An identity ARN, an IAM user name or an access key id.")
  String identity;

  @Option(
      names = "--action",
      paramLabel = "ACTION",
      description = "An action: dynamodb:DeleteBackup, DeleteBackup, iam:CreateUser (any case).")
  String action;

  @Option(
      names = "--table",
      paramLabel = "TABLE",
      description = "Records naming this table, or its indexes, streams or backups.")
  String table;

  @Option(names = "--json", description = "Print JSON lines, one record each, as stored.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Path dir =
        auditDir != null
            ? auditDir
            : (dataDir != null ? dataDir : Path.of("./tidemark-data")).resolve("audit");
    if (!Files.isDirectory(dir)) {
      throw new ParameterException(
          spec.commandLine(), "no audit trail in " + dir + " (give --audit-dir or --data-dir)");
    }
    long now = System.currentTimeMillis();
    AuditReader.Filter filter =
        new AuditReader.Filter(
            time(since, "--since", now), time(until, "--until", now), identity, action, table);
    PrintWriter out = spec.commandLine().getOut();
    AuditReader.Summary summary =
        AuditReader.read(
            dir,
            filter,
            r -> {
              if (!json) {
                out.println(line(r));
              }
            },
            json ? out::println : null);
    out.flush();
    if (summary.torn() > 0) {
      spec.commandLine()
          .getErr()
          .printf(
              "%d incomplete line(s) skipped: the last write of a run that stopped abruptly%n",
              summary.torn());
    }
    return 0;
  }

  /** One record per line: time, outcome, action, who, from where, resources, error. */
  static String line(AuditRecord r) {
    StringBuilder b = new StringBuilder(160);
    b.append(Instant.ofEpochMilli(r.timeMillis())).append(' ');
    b.append(String.format("%-15s ", r.outcome()));
    b.append(String.format("%-34s ", r.action()));
    b.append(r.identity() != null ? r.identity() : "-");
    if (r.accessKeyId() != null) {
      b.append(" (").append(r.accessKeyId()).append(r.verified() ? "" : ", unverified").append(')');
    }
    b.append(" from ").append(r.sourceIp() == null ? "?" : r.sourceIp());
    b.append(r.secure() ? " https" : " http");
    if (!r.resources().isEmpty()) {
      b.append(' ').append(String.join(",", r.resources()));
    }
    if (r.errorType() != null) {
      b.append(" ").append(r.errorType()).append(": ").append(r.errorMessage());
    }
    return b.toString();
  }

  private Long time(String value, String option, long now) {
    if (value == null) {
      return null;
    }
    try {
      return Instant.parse(value).toEpochMilli();
    } catch (DateTimeParseException notAnInstant) {
      try {
        Duration ago = DurationConverter.parse(value);
        return now - ago.toMillis();
      } catch (RuntimeException e) {
        throw new ParameterException(
            spec.commandLine(),
            option
                + " takes an instant (2026-12-06T07:00:00Z) or a duration ago (15m, 24h), not '"
                + value
                + "'");
      }
    }
  }
}
