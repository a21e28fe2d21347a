package dev.tidemark.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.Json;
import dev.tidemark.audit.AuditReader;
import dev.tidemark.audit.AuditRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

/**
 * {@code ListAuditEvents}: the audit trail's records for the console, read with the reader and
 * filters of {@code tidemark audit} ({@link AuditReader}), newest first. Input, all optional:
 * {@code StartTime} and {@code EndTime} (epoch seconds; records at or after, and before), {@code
 * Identity} (an ARN, user name or access key id), {@code Action} ({@code dynamodb:DeleteBackup} or
 * {@code DeleteBackup}), {@code TableName} (records naming the table or anything under it), {@code
 * MaxResults} (1 to 1000, default 100: the newest that many).
 *
 * <p>Every call reads the files of the window from the start, as the command does: the trail has no
 * index, and a person looking for who did something can afford that where a per-request read could
 * not. A server without a trail (in memory, no {@code --audit-dir}) says so instead of listing
 * nothing.
 */
final class ListAuditEvents implements ConsoleOperation {
  static final String NAME = "ListAuditEvents";
  static final int MAX_RESULTS = 1000;

  private final Path dir;

  /**
   * @param dir the audit directory, or null when the server keeps no audit trail
   */
  ListAuditEvents(Path dir) {
    this.dir = dir;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public ObjectNode execute(JsonNode req) {
    Long since = Json.epochMillis(req, "StartTime");
    Long until = Json.epochMillis(req, "EndTime");
    String identity = Json.string(req, "Identity");
    String action = Json.string(req, "Action");
    String table = Json.string(req, "TableName");
    Long max = Json.integer(req, "MaxResults");
    Constraints c =
        new Constraints()
            .length(identity, "identity", 1, 2048)
            .length(action, "action", 1, 256)
            .length(table, "tableName", 1, 255)
            .range(max, 1, MAX_RESULTS, "maxResults");
    if (since != null && until != null && since > until) {
      c.add("StartTime must not be after EndTime");
    }
    c.check();
    ObjectNode out = Json.object();
    if (dir == null || !Files.isDirectory(dir)) {
      out.put("AuditTrailEnabled", false);
      out.putArray("Events");
      return out;
    }
    int limit = max == null ? 100 : max.intValue();
    // Oldest first from the reader; only the newest `limit` are kept.
    Deque<AuditRecord> newest = new ArrayDeque<>(Math.min(limit, 128));
    long[] matched = {0};
    AuditReader.Summary summary;
    try {
      summary =
          AuditReader.read(
              dir,
              new AuditReader.Filter(since, until, identity, action, table),
              r -> {
                matched[0]++;
                if (newest.size() == limit) {
                  newest.removeFirst();
                }
                newest.addLast(r);
              },
              null);
    } catch (IOException e) {
      throw new UncheckedIOException("reading the audit trail in " + dir, e);
    }
    out.put("AuditTrailEnabled", true);
    out.put("Matched", matched[0]);
    out.put("Truncated", matched[0] > newest.size());
    out.put("FilesRead", summary.files());
    out.put("IncompleteLinesSkipped", summary.torn());
    ArrayNode events = out.putArray("Events");
    for (Iterator<AuditRecord> it = newest.descendingIterator(); it.hasNext(); ) {
      AuditRecord r = it.next();
      ObjectNode o = events.addObject();
      o.put("TimeMillis", r.timeMillis());
      o.put("Time", Instant.ofEpochMilli(r.timeMillis()).toString());
      o.put("Action", r.action());
      o.put("Outcome", r.outcome().name());
      o.put("ReadOnly", r.readOnly());
      putIfSet(o, "Identity", r.identity());
      putIfSet(o, "AccessKeyId", r.accessKeyId());
      o.put("Verified", r.verified());
      putIfSet(o, "SourceIp", r.sourceIp());
      o.put("Transport", r.secure() ? "https" : "http");
      ArrayNode res = o.putArray("Resources");
      r.resources().forEach(res::add);
      putIfSet(o, "ErrorType", r.errorType());
      putIfSet(o, "ErrorMessage", r.errorMessage());
    }
    return out;
  }

  private static void putIfSet(ObjectNode o, String field, String value) {
    if (value != null) {
      o.put(field, value);
    }
  }
}
