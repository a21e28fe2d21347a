package dev.tidemark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tidemark history TABLE KEY}: every version of one item that the PITR archive and the
 * change log hold, with the time, event and origin of each write and what it changed: the instant
 * before a bad write, for {@code tidemark pitr restore --to}. Calls a running server's {@code
 * ListItemVersions} (the console's item history).
 */
@Command(
    name = "history",
    mixinStandardHelpOptions = true,
    description =
        "List every version of one item within the PITR window (or the change log's retention),"
            + " oldest first, with what each write changed.")
final class HistoryCommand implements Callable<Integer> {
  @Parameters(index = "0", description = "The table's name or ARN.")
  String table;

  @Parameters(
      index = "1",
      description = "The item's key as DynamoDB JSON, for example '{\"pk\":{\"S\":\"order-1\"}}'.")
  String key;

  @Option(names = "--limit", description = "Show the newest this many (1 to 1000, default 100).")
  Integer limit;

  @Option(
      names = "--endpoint",
      description = "Server URL (default: ${DEFAULT-VALUE}).",
      defaultValue = "http://127.0.0.1:8000")
  String endpoint;

  @Option(names = "--json", description = "Print the server's answer as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    ObjectNode req = ServerClient.JSON.createObjectNode();
    req.put("TableName", table);
    req.set("Key", ServerClient.JSON.readTree(key));
    if (limit != null) {
      req.put("Limit", limit);
    }
    JsonNode out = new ServerClient(endpoint).callTidemark("ListItemVersions", req);
    if (json) {
      System.out.println(
          ServerClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out));
    } else {
      print(out, System.out);
    }
    return 0;
  }

  /** One line per version, then one per attribute it added (+), removed (-) or changed (~). */
  static void print(JsonNode out, PrintStream p) {
    JsonNode previous = null;
    for (JsonNode v : out.path("Versions")) {
      p.printf(
          "%s  %-6s %-11s seq %s  by %s%n",
          v.path("Time").asText(),
          v.path("EventName").asText(),
          v.path("Origin").asText(),
          v.path("SequenceNumber").asText(),
          v.path("Writer").asText("unknown"));
      JsonNode before = v.has("OldImage") ? v.get("OldImage") : previous;
      JsonNode after = v.get("NewImage");
      diff(before, after, p);
      previous = after;
    }
    if (out.path("Truncated").asBoolean()) {
      p.println("(older versions left out: --limit)");
    }
  }

  private static void diff(JsonNode before, JsonNode after, PrintStream p) {
    if (after != null) {
      for (Iterator<Map.Entry<String, JsonNode>> it = after.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode old = before == null ? null : before.get(e.getKey());
        if (old == null) {
          p.printf("    + %s: %s%n", e.getKey(), e.getValue());
        } else if (!old.equals(e.getValue())) {
          p.printf("    ~ %s: %s -> %s%n", e.getKey(), old, e.getValue());
        }
      }
    }
    if (before != null) {
      for (Iterator<String> it = before.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        if (after == null || !after.has(name)) {
          p.printf("    - %s: %s%n", name, before.get(name));
        }
      }
    }
  }
}
