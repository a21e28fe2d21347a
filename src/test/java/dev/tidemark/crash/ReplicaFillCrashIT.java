package dev.tidemark.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.testkit.GlobalTableKit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ReplicationGroupUpdate;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The bulk-loaded fill of a new replica (two server processes, small heaps) when the replica's
 * region is killed with SIGKILL in the middle of it: SST files staged, nothing ingested yet.
 */
class ReplicaFillCrashIT {
  private static final String[] REGIONS = {"us-east-1", "eu-west-1"};
  private static final List<String> JVM = List.of("-Xmx192m", "-XX:+UseSerialGC");
  private static final int ITEMS = 6_000;

  private final int[] ports = new int[2];
  private final ServerProcess[] servers = new ServerProcess[2];
  private final DynamoDbClient[] clients = new DynamoDbClient[2];

  private void start(Path dir, int i) throws Exception {
    List<String> args = new ArrayList<>();
    args.addAll(List.of("--region", REGIONS[i], "--durability", "sync"));
    args.addAll(List.of("--replication-secret-file", dir.resolve("secret").toString()));
    args.addAll(List.of("--peer", REGIONS[1 - i] + "=http://127.0.0.1:" + ports[1 - i]));
    Path home = dir.resolve(REGIONS[i]);
    Files.createDirectories(home);
    servers[i] =
        ServerProcess.start(
            JVM,
            home.resolve("data"),
            home.resolve("server.log"),
            ports[i],
            args.toArray(String[]::new));
    clients[i] = servers[i].client();
  }

  private static Map<String, AttributeValue> item(String pk, String v) {
    // About 1.5 KB, so that the fill takes several frames and the kill lands inside it. The
    // table's index byG keys on g: an overwrite moves the item's entry, and keys ending in 5 have
    // none (a sparse index).
    Map<String, AttributeValue> m = new HashMap<>();
    m.put("pk", AttributeValue.fromS(pk));
    m.put("v", AttributeValue.fromS(v));
    m.put(
        "pad", AttributeValue.fromS(String.valueOf((char) ('a' + pk.length() % 26)).repeat(1500)));
    if (!pk.endsWith("5")) {
      m.put("g", AttributeValue.fromS("g-" + v));
    }
    return m;
  }

  // Protects: a replica whose region dies mid-fill is never ACTIVE half-filled; after the
  // restart the fill starts over and the replica ends ACTIVE with every item and every index
  // entry (loaded as the source stored them, with the index's counters); and writes made in the
  // source during the fill (new keys and overwrites of filled ones) are held back by the replica
  // until its load is ingested, then applied over it, not overridden by the snapshot.
  @Test
  void aReplicaKilledMidFillIsNeverActiveHalfFilled(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("secret"), "fill-crash-test-replication-secret-0123456789");
    for (int i = 0; i < 2; i++) {
      ports[i] = ServerProcess.freePort();
    }
    try {
      for (int i = 0; i < 2; i++) {
        start(dir, i);
      }
      GlobalTableKit.createTable(clients[0], "big");
      for (int from = 0; from < ITEMS; from += 25) {
        List<WriteRequest> batch = new ArrayList<>();
        for (int n = from; n < from + 25; n++) {
          Map<String, AttributeValue> it = item("k" + n, "v1");
          batch.add(
              WriteRequest.builder().putRequest(PutRequest.builder().item(it).build()).build());
        }
        Map<String, List<WriteRequest>> pending = Map.of("big", batch);
        while (!pending.isEmpty()) {
          Map<String, List<WriteRequest>> send = pending;
          pending = clients[0].batchWriteItem(r -> r.requestItems(send)).unprocessedItems();
        }
      }
      clients[0].updateTable(
          r ->
              r.tableName("big")
                  .replicaUpdates(
                      ReplicationGroupUpdate.builder()
                          .create(c -> c.regionName(REGIONS[1]))
                          .build()));
      Path staged = dir.resolve(REGIONS[1]).resolve("data").resolve("scratch").resolve("fills");
      boolean sawStaged = false;
      for (int n = 0; n < 3000 && !sawStaged; n++) {
        sawStaged = hasSstFile(staged);
        if (!sawStaged) {
          Thread.sleep(5);
        }
      }
      assertThat(sawStaged).as("the replica staged SST files").isTrue();
      servers[1].kill();
      clients[1].close();

      // While the replica is down and then filling again: overwrites and new keys in the source.
      Map<String, String> later = new HashMap<>();
      for (int n = 0; n < 40; n++) {
        String pk = n % 2 == 0 ? "k" + (n * 97) : "new" + n;
        Map<String, AttributeValue> it = item(pk, "v2");
        clients[0].putItem(r -> r.tableName("big").item(it));
        later.put(pk, "v2");
      }
      start(dir, 1);
      for (int n = 0; n < 20; n++) {
        String pk = "after" + n;
        Map<String, AttributeValue> it = item(pk, "v3");
        clients[0].putItem(r -> r.tableName("big").item(it));
        later.put(pk, "v3");
      }

      // Whenever the replica says ACTIVE, it holds the whole table.
      TableDescription seen = null;
      for (int n = 0; n < 1200; n++) {
        try {
          seen = clients[1].describeTable(r -> r.tableName("big")).table();
        } catch (ResourceNotFoundException e) {
          seen = null;
        }
        if (seen != null && seen.tableStatusAsString().equals("ACTIVE")) {
          break;
        }
        Thread.sleep(50);
      }
      assertThat(seen).isNotNull();
      assertThat(seen.tableStatusAsString()).isEqualTo("ACTIVE");
      assertThat(count(clients[1])).as("items when first ACTIVE").isGreaterThanOrEqualTo(ITEMS);

      // The writes held back during the fill arrive, over the loaded items.
      GlobalTableKit.awaitActive(clients[0], "big", 2);
      boolean arrived = false;
      for (int n = 0; n < 300 && !arrived; n++) {
        arrived = true;
        for (Map.Entry<String, String> e : later.entrySet()) {
          Map<String, AttributeValue> got =
              clients[1]
                  .getItem(
                      r ->
                          r.tableName("big")
                              .consistentRead(true)
                              .key(Map.of("pk", AttributeValue.fromS(e.getKey()))))
                  .item();
          // The SDK answers an absent item with an empty map.
          AttributeValue v = got == null ? null : got.get("v");
          if (v == null || !e.getValue().equals(v.s())) {
            arrived = false;
            Thread.sleep(100);
            break;
          }
        }
      }
      assertThat(arrived).as("the writes made during the fill, in the replica").isTrue();
      List<Map<String, AttributeValue>> source = GlobalTableKit.scan(clients[0], "big", null);
      assertThat(source).hasSize(ITEMS + 40);
      assertThat(GlobalTableKit.scan(clients[1], "big", null)).isEqualTo(source);
      assertThat(clients[1].describeTable(r -> r.tableName("big")).table().itemCount())
          .isEqualTo(ITEMS + 40L);
      List<Map<String, AttributeValue>> sourceIndex = GlobalTableKit.scan(clients[0], "big", "byG");
      assertThat(sourceIndex)
          .hasSize((int) source.stream().filter(m -> m.containsKey("g")).count())
          .hasSizeLessThan(source.size());
      assertThat(GlobalTableKit.scan(clients[1], "big", "byG")).isEqualTo(sourceIndex);
      var sourceGsi =
          clients[0].describeTable(r -> r.tableName("big")).table().globalSecondaryIndexes().get(0);
      var replicaGsi =
          clients[1].describeTable(r -> r.tableName("big")).table().globalSecondaryIndexes().get(0);
      assertThat(replicaGsi.itemCount()).isEqualTo(sourceIndex.size());
      assertThat(replicaGsi.indexSizeBytes()).isEqualTo(sourceGsi.indexSizeBytes());
      assertThat(Files.readString(dir.resolve(REGIONS[1]).resolve("server.log")))
          .as("the replica was bulk-loaded")
          .contains("Bulk fill of big ingested");
      assertThat(GlobalTableKit.replicationStatus(ports[0]).path("fillsBulkLoaded").asLong())
          .isEqualTo(1);
    } finally {
      for (int i = 0; i < 2; i++) {
        if (clients[i] != null) {
          clients[i].close();
        }
        if (servers[i] != null) {
          servers[i].close();
        }
      }
    }
  }

  /** Items in the replica, counted by the server (Select COUNT), not shipped to the test. */
  private static long count(DynamoDbClient c) {
    long n = 0;
    for (var page :
        c.scanPaginator(
            r ->
                r.tableName("big")
                    .consistentRead(true)
                    .select(software.amazon.awssdk.services.dynamodb.model.Select.COUNT))) {
      n += page.count();
    }
    return n;
  }

  private static boolean hasSstFile(Path dir) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.anyMatch(p -> p.toString().endsWith(".sst"));
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      return false; // a staging directory removed while it was listed
    }
  }
}
