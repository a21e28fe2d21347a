package dev.tidemark.audit;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Reads an audit directory oldest first, with the filters of {@code tidemark audit}. A line that is
 * not a complete record (the torn last write of a run that crashed) is skipped and counted, never
 * guessed at.
 */
public final class AuditReader {
  private AuditReader() {}

  /**
   * What to show; null fields match everything.
   *
   * @param sinceMillis records at or after this instant
   * @param untilMillis records before this instant
   * @param identity an identity ARN, user name or access key id
   * @param action an action ({@code dynamodb:DeleteBackup} or {@code DeleteBackup}, any case)
   * @param table a table name: records naming the table or anything under it (index, stream,
   *     backup)
   */
  public record Filter(
      Long sinceMillis, Long untilMillis, String identity, String action, String table) {
    public static final Filter ALL = new Filter(null, null, null, null, null);

    public boolean matches(AuditRecord r) {
      if (sinceMillis != null && r.timeMillis() < sinceMillis) {
        return false;
      }
      if (untilMillis != null && r.timeMillis() >= untilMillis) {
        return false;
      }
      if (identity != null && !identityMatches(r)) {
        return false;
      }
      if (action != null && !actionMatches(r.action())) {
        return false;
      }
      return table == null || r.resources().stream().anyMatch(this::namesTable);
    }

    private boolean identityMatches(AuditRecord r) {
      String id = r.identity();
      return identity.equals(id)
          || identity.equals(r.accessKeyId())
          || (id != null && (id.endsWith(":user/" + identity) || id.endsWith("/" + identity)));
    }

    private boolean actionMatches(String recorded) {
      String a = action.toLowerCase(Locale.ROOT);
      String r = recorded.toLowerCase(Locale.ROOT);
      return a.indexOf(':') >= 0 ? r.equals(a) : r.substring(r.indexOf(':') + 1).equals(a);
    }

    private boolean namesTable(String arn) {
      int at = arn.indexOf(":table/");
      if (at < 0) {
        return false;
      }
      String rest = arn.substring(at + ":table/".length());
      return rest.equals(table) || rest.startsWith(table + "/");
    }
  }

  /** What a read found besides the records. */
  public record Summary(int files, long records, long torn) {}

  /**
   * Calls {@code out} with every matching record, oldest first.
   *
   * @param raw receives each matching record's line as written (for JSON output), or null
   */
  public static Summary read(
      Path dir, Filter filter, Consumer<AuditRecord> out, Consumer<String> raw) throws IOException {
    List<Path> files = AuditLog.files(dir);
    long records = 0;
    long torn = 0;
    for (int i = 0; i < files.size(); i++) {
      // A file holds records from its start time on: skip files that end before --since.
      if (filter.sinceMillis() != null && i + 1 < files.size()) {
        Long nextStart = startOf(files.get(i + 1));
        if (nextStart != null && nextStart < filter.sinceMillis()) {
          continue;
        }
      }
      try (BufferedReader in = Files.newBufferedReader(files.get(i), StandardCharsets.UTF_8)) {
        String line;
        while ((line = in.readLine()) != null) {
          if (line.isEmpty()) {
            continue;
          }
          AuditRecord r;
          try {
            r = AuditRecord.parse(line);
          } catch (IllegalArgumentException e) {
            torn++;
            continue;
          }
          records++;
          if (filter.matches(r)) {
            out.accept(r);
            if (raw != null) {
              raw.accept(line);
            }
          }
        }
      }
    }
    return new Summary(files.size(), records, torn);
  }

  /** A file's start time from its name, or null for a name this server did not make. */
  static Long startOf(Path file) {
    String n = file.getFileName().toString();
    if (!n.startsWith(AuditLog.PREFIX) || n.length() < AuditLog.PREFIX.length() + 19) {
      return null;
    }
    String stamp = n.substring(AuditLog.PREFIX.length(), AuditLog.PREFIX.length() + 19);
    try {
      return java.time.LocalDateTime.parse(
              stamp, java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'"))
          .toInstant(java.time.ZoneOffset.UTC)
          .toEpochMilli();
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }
}
