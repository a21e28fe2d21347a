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
    description =
        "Global tables: replica status and replication lag; pause and resume replication to a"
            + " region (failover drills).",
    subcommands = {
      ReplicasCommand.Status.class,
      ReplicasCommand.Pause.class,
      ReplicasCommand.Resume.class
    })
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

  /** What pause and resume share: the server, the region, the secret that authorizes the drill. */
  abstract static class Drill implements Callable<Integer> {
    @Option(
        names = "--region",
        required = true,
        description = "The peer region to which replication is paused or resumed.")
    String region;

    @Option(
        names = "--endpoint",
        description =
            "The server whose replication to --region changes (default: ${DEFAULT-VALUE}).",
        defaultValue = "http://127.0.0.1:8000")
    String endpoint;

    @Option(
        names = "--replication-secret-file",
        required = true,
        paramLabel = "FILE",
        description = "The regions' shared replication secret: only its holders may run drills.")
    java.nio.file.Path secretFile;

    @Option(
        names = "--peer-ca-file",
        paramLabel = "FILE",
        description =
            "PEM certificates of the authorities that issued the server's certificate, for an"
                + " https --endpoint signed by a private CA (default: the JDK's trusted ones).")
    java.nio.file.Path peerCaFile;

    abstract boolean pause();

    @Override
    public Integer call() throws Exception {
      byte[] secret =
          java.nio.file.Files.readString(secretFile, java.nio.charset.StandardCharsets.UTF_8)
              .strip()
              .getBytes(java.nio.charset.StandardCharsets.UTF_8);
      JsonNode answer =
          dev.tidemark.replication.DrillClient.send(
              java.net.URI.create(endpoint),
              secret,
              region,
              pause(),
              peerCaFile == null ? null : dev.tidemark.replication.PeerTls.trusting(peerCaFile));
      System.out.printf(
          "replication from %s to %s is %s; paused now: %s%n",
          answer.path("region").asText(),
          region,
          pause() ? "PAUSED (writes wait in the change log)" : "resumed",
          answer.path("paused"));
      return 0;
    }
  }

  @Command(
      name = "pause",
      mixinStandardHelpOptions = true,
      description =
          "Pause replication from the server at --endpoint to --region (durable until resumed)."
              + " Writes keep being accepted and wait in the change log, up to"
              + " --replication-max-lag.")
  static final class Pause extends Drill {
    @Override
    boolean pause() {
      return true;
    }
  }

  @Command(
      name = "resume",
      mixinStandardHelpOptions = true,
      description = "Resume replication from the server at --endpoint to --region.")
  static final class Resume extends Drill {
    @Override
    boolean pause() {
      return false;
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
            "  peer %-16s %s%s%s%n",
            p.path("region").asText(),
            p.path("reachable").asBoolean()
                ? "reachable"
                : "UNREACHABLE: " + p.path("lastError").asText(),
            p.path("paused").asBoolean() ? ", replication to it PAUSED (drill)" : "",
            p.has("clockSkewMillis")
                ? String.format(
                    ", clock %+d ms (±%d)",
                    p.path("clockSkewMillis").asLong(),
                    p.path("clockSkewUncertaintyMillis").asLong())
                : "");
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
