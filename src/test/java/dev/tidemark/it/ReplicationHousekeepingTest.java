package dev.tidemark.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.storage.Cursor;
import dev.tidemark.storage.RocksStorage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Bookkeeping of cross-region replication that no client sees directly: the pending count a region
 * reports for each peer, and the meta space a deleted table leaves behind.
 */
class ReplicationHousekeepingTest {

  // Protects tidemark_replication_pending (the status's pendingSeqs): a region that only
  // received replicated writes has nothing to ship, so once the burst is applied its pending count
  // toward every peer returns to 0 without any local write to move its cursor.
  @Test
  void pendingReturnsToZeroAfterABurstOfIncomingWrites(@TempDir Path dir) throws Exception {
    try (ProxiedRegions regions =
        new ProxiedRegions(dir, 2, Duration.ofHours(1), Duration.ofDays(1), Duration.ZERO)) {
      regions.createGlobalTable("burst");
      for (int i = 0; i < 60; i++) {
        Map<String, AttributeValue> it = GlobalTablesIntegrationTest.item("k" + i, "g", "v");
        regions.clients[1].putItem(r -> r.tableName("burst").item(it));
      }
      assertThat(regions.awaitConverged("burst")).hasSize(60);
      long pending = -1;
      for (int n = 0; n < 200 && pending != 0; n++) {
        pending = regions.replicaStatus(0, "burst", 1).path("pendingSeqs").asLong();
        if (pending != 0) {
          Thread.sleep(50);
        }
      }
      assertThat(pending).as("us-east-1's pending toward eu-west-1 after the burst").isZero();
    }
  }

  // Protects the meta space: DeleteTable of a global table's replica removes every replication
  // key of that table (group, cursors, tombstone horizon, settings versions and the group's table
  // class), and only of that
  // table: a table kept beside it keeps its own.
  @Test
  void deleteTableLeavesNoReplicationKeysBehind(@TempDir Path dir) throws Exception {
    List<String> keys;
    try (ProxiedRegions regions =
        new ProxiedRegions(dir, 2, Duration.ofHours(1), Duration.ofDays(1), Duration.ZERO)) {
      for (String table : List.of("kept", "gone")) {
        regions.createGlobalTable(table);
        regions.clients[0].updateTimeToLive(
            r ->
                r.tableName(table)
                    .timeToLiveSpecification(s -> s.attributeName("expires").enabled(true)));
        regions.clients[0].updateTable(
            r -> r.tableName(table).tableClass("STANDARD_INFREQUENT_ACCESS"));
        regions.clients[0].putItem(
            r -> r.tableName(table).item(GlobalTablesIntegrationTest.item("a", "g", "v")));
        regions.awaitConverged(table);
      }
      regions.clients[0].deleteTable(r -> r.tableName("gone"));
      regions.stop(0);
      keys = replicationKeys(dir.resolve(ProxiedRegions.NAMES[0]).resolve("data"));
    }
    String kept =
        keys.stream()
            .filter(k -> k.startsWith("repl/group/"))
            .map(k -> k.substring("repl/group/".length()))
            .findFirst()
            .orElseThrow();
    assertThat(keys).contains("repl/settings/" + kept, "repl/class/" + kept);
    assertThat(keys)
        .as("every table-scoped replication key belongs to the table kept")
        .allSatisfy(k -> assertThat(k).endsWith("/" + kept));
  }

  /** The kinds of meta key that carry a table id right after their prefix. */
  private static final java.util.Set<String> TABLE_SCOPED =
      java.util.Set.of(
          "repl/group/",
          "repl/cursor/",
          "repl/gc/",
          "repl/settings/",
          "repl/class/",
          "repl/refill/");

  /** The table-scoped meta keys under repl/, each shown as its prefix and table id. */
  private static List<String> replicationKeys(Path data) {
    List<String> out = new ArrayList<>();
    byte[] prefix = "repl/".getBytes(StandardCharsets.UTF_8);
    try (RocksStorage s = RocksStorage.open(data);
        Cursor c = s.scanMeta(prefix)) {
      while (c.next()) {
        byte[] k = c.key();
        int slash = prefix.length;
        while (k[slash] != '/') {
          slash++;
        }
        String kind = new String(k, 0, slash + 1, StandardCharsets.UTF_8);
        if (TABLE_SCOPED.contains(kind)) {
          out.add(kind + ByteBuffer.wrap(k, slash + 1, 8).getLong());
        }
      }
    }
    return out;
  }
}
