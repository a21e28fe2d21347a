package dev.tidemark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tidemark replicas status}: what an operator needs during an incident with global tables,
 * per region: which peers are reachable, each replica's status and how far its shipping cursor is
 * behind, and the replication lag into that region from each other one (p50, p99, max over the last
 * records, applied and superseded counts). Give {@code --endpoint} once per region to see every
 * pair. Reads {@code GET /tidemark/status}.
 */
@Command(
    name = "replicas",
    mixinStandardHelpOptions = true,
    description = "Global tables: replica status and replication lag.",
    subcommands = {ReplicasCommand.Status.class})
public final class ReplicasCommand {

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description =
          "Peers, replicas, pending changes and replication lag (p50/p99/max) of running servers.")
  static final class Status implements Callable<Integer> {
    @Option(
        names = "--endpoint",
        description = "Server URL, once per region (default: ${DEFAULT-VALUE}).",
        defaultValue = "http://127.0.0.1:8000")
    List<String> endpoints;

    @Option(names = "--json", description = "Print the servers' answers as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      ArrayNode all = ServerClient.JSON.createArrayNode();
      for (String endpoint : endpoints) {
        JsonNode status = new ServerClient(endpoint).get("/tidemark/status");
        all.add(status.path("Replication"));
      }
      if (json) {
        System.out.println(
            ServerClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(all));
      } else {
        print(all, System.out);
      }
      return 0;
    }
  }

  /** Prints the status of each region, as `tidemark replicas status` does. */
  public static void print(JsonNode regions, PrintStream out) {
    for (JsonNode r : regions) {
      if (r.isMissingNode() || r.isNull()) {
        out.println("(a server without --peer: it replicates nothing)");
        continue;
      }
      out.printf("region %s%n", r.path("region").asText());
      for (JsonNode p : r.path("peers")) {
        out.printf(
            "  peer %-16s %s%n",
            p.path("region").asText(),
            p.path("reachable").asBoolean()
                ? "reachable"
                : "UNREACHABLE: " + p.path("lastError").asText());
      }
      for (JsonNode t : r.path("tables")) {
        out.printf("  table %s (%s)%n", t.path("table").asText(), t.path("status").asText());
        for (JsonNode m : t.path("replicas")) {
          out.printf(
              "    replica %-16s %-16s shipped through seq %d, %d later seqs to read%s%n",
              m.path("region").asText(),
              m.path("status").asText(),
              m.path("shippedThroughSeq").asLong(),
              m.path("pendingSeqs").asLong(),
              m.has("fillPercent") ? ", fill " + m.path("fillPercent").asInt() + "%" : "");
          if (m.has("refillNeeded")) {
            out.printf("      RE-FILL NEEDED: %s%n", m.path("refillNeeded").asText());
          } else if (m.has("statusDescription")) {
            out.printf("      %s%n", m.path("statusDescription").asText());
          }
        }
      }
      for (JsonNode l : r.path("lag")) {
        out.printf(
            "  lag %s -> %s: p50 %d ms, p99 %d ms, max %d ms over %d records; %d applied, %d"
                + " superseded%n",
            l.path("from").asText(),
            l.path("to").asText(),
            l.path("p50Millis").asLong(),
            l.path("p99Millis").asLong(),
            l.path("maxMillis").asLong(),
            l.path("samples").asLong(),
            l.path("applied").asLong(),
            l.path("superseded").asLong());
      }
    }
  }
}
