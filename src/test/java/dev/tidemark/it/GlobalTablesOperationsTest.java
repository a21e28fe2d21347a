package dev.tidemark.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.testkit.FaultProxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReplicaDescription;

/**
 * The operational side of global tables between in-process regions whose peer traffic passes
 * through a fault proxy: the cap on the change log held for a lagging region and the re-fill past
 * it, tombstone collection, the pause/resume drill and the clock-skew measurement.
 */
class GlobalTablesOperationsTest {

  private static Map<String, AttributeValue> item(String pk, String v) {
    return GlobalTablesIntegrationTest.item(pk, "g", v);
  }

  private static Map<String, AttributeValue> key(String pk) {
    return Map.of("pk", AttributeValue.fromS(pk));
  }

  // Protects the log cap: a region cut off for longer than --replication-max-lag stops holding
  // the change log back (it is trimmed), is marked for a re-fill and says so (DescribeTable, the
  // status), and once reachable again is re-filled from a snapshot, deletes included, instead of
  // silently missing what was trimmed.
  @Test
  void aRegionPastTheLogCapIsRefilledFromASnapshot(@TempDir Path dir) throws Exception {
    try (ProxiedRegions regions =
        new ProxiedRegions(dir, 2, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ZERO)) {
      regions.createGlobalTable("orders");
      for (int i = 0; i < 20; i++) {
        Map<String, AttributeValue> it = item("early" + i, "v1");
        regions.clients[0].putItem(r -> r.tableName("orders").item(it));
      }
      regions.awaitConverged("orders");

      // Cut us-east-1 -> eu-west-1; us-east-1 keeps taking writes and a delete.
      regions.proxies[1].rule(r -> new FaultProxy.Reset());
      for (int i = 0; i < 30; i++) {
        Map<String, AttributeValue> it = item("cut" + i, "v2");
        regions.clients[0].putItem(r -> r.tableName("orders").item(it));
      }
      regions.clients[0].deleteItem(r -> r.tableName("orders").key(key("early0")));

      ReplicaDescription marked = null;
      for (int n = 0; n < 200 && marked == null; n++) {
        ReplicaDescription d = regions.describe(0, "orders").replicas().get(0);
        if (d.replicaStatusAsString().equals("UPDATING")) {
          marked = d;
        } else {
          Thread.sleep(50);
        }
      }
      assertThat(marked).as("eu-west-1 marked for a re-fill").isNotNull();
      assertThat(marked.replicaStatusDescription())
          .startsWith("Waiting for a re-fill from a snapshot in us-east-1:")
          .contains("--replication-max-lag (1s)");
      assertThat(regions.replicaStatus(0, "orders", 1).path("refillNeeded").asText())
          .contains("--replication-max-lag");
      // No longer held back: retention trims the records eu-west-1 never received.
      long trimmedPast = 0;
      for (int n = 0; n < 200 && trimmedPast == 0; n++) {
        trimmedPast = regions.streamKeys(0, "orders").contains("cut0") ? 0 : 1;
        Thread.sleep(100);
      }
      assertThat(trimmedPast).as("the log eu-west-1 needed was trimmed").isEqualTo(1);

      regions.proxies[1].heal();
      List<Map<String, AttributeValue>> converged = regions.awaitConverged("orders");
      assertThat(converged).hasSize(49);
      assertThat(converged).noneMatch(m -> m.get("pk").s().equals("early0"));
      regions.awaitActive(0, "orders", 2);
      assertThat(regions.describe(0, "orders").replicas().get(0).replicaStatusDescription())
          .isNull();
      assertThat(regions.status(0).path("refillsStarted").asLong()).isEqualTo(1);
      // And it follows again from the log.
      regions.clients[0].putItem(r -> r.tableName("orders").item(item("after", "v3")));
      assertThat(regions.awaitConverged("orders")).hasSize(50);
    }
  }

  /** Whether the request is peer traffic sent by {@code region} to apply records. */
  static boolean applyFrom(FaultProxy.Request r, String region) {
    String signed = r.header("X-Tidemark-Replication");
    return r.pathContains("/tidemark/replication/apply")
        && signed != null
        && signed.startsWith(region + ":");
  }

  // Protects tombstone collection: a delete's tombstone is removed once every region has passed
  // it (and never while a region has not: a cut link holds it), and a version older than it that
  // arrives after that (a delayed duplicate of an old request) does not bring the item back.
  @Test
  void tombstonesAreCollectedOnceEveryRegionPassedThemAndNothingResurrects(@TempDir Path dir)
      throws Exception {
    try (ProxiedRegions regions =
        new ProxiedRegions(dir, 2, Duration.ofHours(1), Duration.ofDays(1), Duration.ZERO)) {
      regions.createGlobalTable("events");
      // eu-west-1 writes x; its delivery to us-east-1 is also kept to be delivered again later.
      regions.proxies[0].rule(
          r -> applyFrom(r, "eu-west-1") ? new FaultProxy.Hold() : FaultProxy.PASS);
      regions.clients[1].putItem(r -> r.tableName("events").item(item("x", "old")));
      assertThat(regions.awaitConverged("events")).hasSize(1);
      regions.proxies[0].heal();
      assertThat(regions.proxies[0].heldCount()).isPositive();

      // us-east-1 deletes x: a tombstone in both regions, until both have passed it.
      regions.clients[0].deleteItem(r -> r.tableName("events").key(key("x")));
      assertThat(regions.awaitConverged("events")).isEmpty();
      for (int n = 0; n < 200 && regions.status(0).path("tombstonesCollected").asLong() == 0; n++) {
        Thread.sleep(50);
      }
      assertThat(regions.status(0).path("tombstonesCollected").asLong()).isEqualTo(1);

      // The old version of x arrives again, late: it is dropped, not applied.
      assertThat(regions.proxies[0].releaseHeld()).isPositive();
      assertThat(
              regions
                  .clients[0]
                  .getItem(r -> r.tableName("events").key(key("x")).consistentRead(true))
                  .hasItem())
          .isFalse();
      assertThat(regions.status(0).path("lateRecordsDropped").asLong()).isPositive();
      assertThat(regions.awaitConverged("events")).isEmpty();

      // Never earlier: with us-east-1 -> eu-west-1 cut, a tombstone made after the cut stays.
      regions.proxies[1].rule(r -> new FaultProxy.Reset());
      long cutAt = System.currentTimeMillis();
      regions.clients[0].putItem(r -> r.tableName("events").item(item("y", "v")));
      regions.clients[0].deleteItem(r -> r.tableName("events").key(key("y")));
      Thread.sleep(2_500); // two collection passes at least
      assertThat(regions.status(0).path("tombstonesCollected").asLong()).isEqualTo(1);
      assertThat(regions.status(0).path("tables").get(0).path("tombstoneHorizonMillis").asLong())
          .isLessThan(cutAt);
      regions.proxies[1].heal();
      for (int n = 0; n < 200 && regions.status(0).path("tombstonesCollected").asLong() < 2; n++) {
        Thread.sleep(50);
      }
      assertThat(regions.status(0).path("tombstonesCollected").asLong()).isEqualTo(2);
      assertThat(regions.awaitConverged("events")).isEmpty();
    }
  }

  /** {@code tidemark replicas pause|resume --region R} against region 0. */
  private static String[] drill(ProxiedRegions regions, String verb, String region, String secret) {
    return tidemark(
        "replicas",
        verb,
        "--region",
        region,
        "--endpoint",
        regions.endpoint(0),
        "--replication-secret-file",
        secret);
  }

  /** Runs {@code tidemark replicas ...}; returns the exit code and what it printed. */
  private static String[] tidemark(String... args) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.PrintStream previous = System.out;
    int exit;
    java.io.StringWriter err = new java.io.StringWriter();
    try {
      System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
      picocli.CommandLine cli = dev.tidemark.cli.Main.commandLine();
      cli.setErr(new java.io.PrintWriter(err, true));
      exit = cli.execute(args);
    } finally {
      System.setOut(previous);
    }
    return new String[] {
      Integer.toString(exit), out.toString(java.nio.charset.StandardCharsets.UTF_8) + err
    };
  }

  // Protects the drill: pausing replication to a region (CLI -> signed server endpoint) holds
  // writes back while they are accepted, survives a restart of the paused region's source, and
  // resuming catches up from the log; the clock skew between the regions is measured and shown.
  // Also: a drill for a region that is not a peer, or without the secret, is refused.
  @Test
  void pauseAndResumeReplicationToARegion(@TempDir Path dir) throws Exception {
    try (ProxiedRegions regions =
        new ProxiedRegions(dir, 2, Duration.ofHours(1), Duration.ofDays(1), Duration.ofHours(1))) {
      regions.createGlobalTable("drill");
      String secret = regions.secretFile().toString();
      String[] paused = drill(regions, "pause", "eu-west-1", secret);
      assertThat(paused[0]).as(paused[1]).isEqualTo("0");
      assertThat(paused[1]).contains("PAUSED").contains("[\"eu-west-1\"]");
      for (int i = 0; i < 10; i++) {
        Map<String, AttributeValue> it = item("during" + i, "v");
        regions.clients[0].putItem(r -> r.tableName("drill").item(it));
      }
      Thread.sleep(1_500); // several shipping passes and a heartbeat
      assertThat(regions.scan(1, "drill", null)).isEmpty();
      assertThat(regions.replicaStatus(0, "drill", 1).path("pendingSeqs").asLong())
          .isGreaterThanOrEqualTo(10);

      // The flag is durable: us-east-1 restarted is still paused.
      regions.stop(0);
      regions.start(0);
      assertThat(regions.status(0).path("peers").get(0).path("paused").asBoolean()).isTrue();
      java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
      dev.tidemark.cli.ReplicasCommand.print(
          new com.fasterxml.jackson.databind.ObjectMapper()
              .createArrayNode()
              .add(regions.status(0)),
          new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
      assertThat(printed.toString(java.nio.charset.StandardCharsets.UTF_8))
          .contains("replication to it PAUSED (drill)");
      Thread.sleep(500);
      assertThat(regions.scan(1, "drill", null)).isEmpty();

      String[] resumed = drill(regions, "resume", "eu-west-1", secret);
      assertThat(resumed[0]).as(resumed[1]).isEqualTo("0");
      assertThat(regions.awaitConverged("drill")).hasSize(10);
      assertThat(regions.status(0).path("peers").get(0).path("paused").asBoolean()).isFalse();

      // Clock skew, measured from the exchanges: one clock here, so within its own bound.
      com.fasterxml.jackson.databind.JsonNode peer = regions.status(1).path("peers").get(0);
      assertThat(peer.path("clockSkewSamples").asLong()).isPositive();
      assertThat(Math.abs(peer.path("clockSkewMillis").asLong()))
          .isLessThanOrEqualTo(peer.path("clockSkewUncertaintyMillis").asLong() + 1);

      String[] notAPeer = drill(regions, "pause", "mars-north-1", secret);
      assertThat(notAPeer[0]).isNotEqualTo("0");
      assertThat(notAPeer[1])
          .contains(
              "Region mars-north-1 is not a peer of region us-east-1 (its peers: [eu-west-1])");
      java.nio.file.Path wrong = dir.resolve("wrong-secret");
      java.nio.file.Files.writeString(wrong, "not-the-replication-secret-0123456789");
      String[] unsigned = drill(regions, "pause", "eu-west-1", wrong.toString());
      assertThat(unsigned[0]).isNotEqualTo("0");
      assertThat(unsigned[1])
          .contains("AccessDeniedException")
          .contains("signature does not match");
      assertThat(regions.status(0).path("peers").get(0).path("paused").asBoolean()).isFalse();
    }
  }
}
