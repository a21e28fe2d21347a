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
}
