package dev.tidemark.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Raft snapshots and log purge of an MRSC table. The regions snapshot every 4 entries into 1 MiB
 * log segments, and each write is a batch of about 400 KB, so segments fill and are purged within a
 * few writes. One region is killed while the others go on writing and purge their logs: the purge
 * must stop short of what the dead region still needs, and on its return it catches up from the log
 * with every acknowledged write present exactly once. A region then restarts from its snapshot.
 */
class StrongSnapshotIT {
  private static final String TABLE = "archive";
  private static final int ITEMS_PER_WRITE = 20;
  private static final String PAD = "p".repeat(20_000);

  private static Map<String, AttributeValue> key(String pk) {
    return Map.of("pk", AttributeValue.fromS(pk));
  }

  /** Write {@code n}: a batch of big items, then {@code n} appended to the one list item. */
  private static void write(DynamoDbClient c, int n) {
    List<WriteRequest> puts = new ArrayList<>();
    for (int j = 0; j < ITEMS_PER_WRITE; j++) {
      Map<String, AttributeValue> item = new HashMap<>(key(n + "-" + j));
      item.put("pad", AttributeValue.fromS(PAD));
      puts.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
    }
    assertThat(c.batchWriteItem(r -> r.requestItems(Map.of(TABLE, puts))).unprocessedItems())
        .isEmpty();
    c.updateItem(
        r ->
            r.tableName(TABLE)
                .key(key("list"))
                .updateExpression("SET seq = list_append(if_not_exists(seq, :none), :me)")
                .expressionAttributeValues(
                    Map.of(
                        ":none", AttributeValue.fromL(List.of()),
                        ":me", AttributeValue.fromL(List.of(AttributeValue.fromN("" + n))))));
  }

  /** The list item's numbers by a strong read, or null while the region cannot answer. */
  private static List<String> list(DynamoDbClient c) {
    try {
      var item = c.getItem(r -> r.tableName(TABLE).consistentRead(true).key(key("list"))).item();
      return item.containsKey("seq")
          ? item.get("seq").l().stream().map(AttributeValue::n).toList()
          : List.of();
    } catch (SdkException e) {
      return null;
    }
  }

  private static List<String> numbers(int from, int to) {
    return IntStream.rangeClosed(from, to).mapToObj(Integer::toString).toList();
  }

  /** Waits until the region's strong read of the list gives {@code expected}; returns the last. */
  private static List<String> awaitList(DynamoDbClient c, List<String> expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    List<String> seen;
    while (!expected.equals(seen = list(c)) && System.nanoTime() < deadline) {
      Thread.sleep(300);
    }
    return seen;
  }

  /** Items in the region (strongly consistent scan), by key. */
  private static long itemCount(DynamoDbClient c) {
    return c
        .scanPaginator(r -> r.tableName(TABLE).consistentRead(true).projectionExpression("pk"))
        .items()
        .stream()
        .map(i -> i.get("pk").s())
        .distinct()
        .count();
  }

  /** The first index of the oldest Raft log segment the region still keeps. */
  private static long oldestSegment(Path dataDir) throws IOException {
    Path consensus = dataDir.resolve("consensus");
    try (Stream<Path> files = Files.walk(consensus)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith("log_"))
          .mapToLong(
              n ->
                  Long.parseLong(
                      n.startsWith("log_inprogress_")
                          ? n.substring("log_inprogress_".length())
                          : n.substring(4, n.indexOf('-'))))
          .min()
          .orElseThrow();
    }
  }

  private static boolean hasSnapshot(Path dataDir) throws IOException {
    try (Stream<Path> files = Files.walk(dataDir.resolve("consensus"))) {
      return files.anyMatch(p -> p.getFileName().toString().matches("snapshot\\.\\d+_\\d+\\.md5"));
    }
  }

  // Protects: the Raft log of an MRSC table does not grow without bound (snapshots, then purge),
  // the purge never removes what a lagging region still needs (it catches up from the log, every
  // acknowledged write present exactly once, none skipped), and a region restarts from its
  // snapshot with its state whole.
  @Test
  void aRegionBehindAPurgedLogCatchesUpExactly(@TempDir Path tmp) throws Exception {
    Assumptions.assumeTrue(
        Files.isReadable(Path.of("/proc/net/tcp")),
        "TcpLinkProxy tells regions apart through /proc (Linux only)");
    StrongRegions regions =
        new StrongRegions(
            tmp,
            i -> List.of("--consensus-snapshot-every", "4", "--consensus-log-segment-mb", "1"));
    try {
      regions.createStrongTable(TABLE);
      // Region 2 must not lead when it is killed: a write of unknown outcome would blur the count.
      regions.transferLeadership(0);
      DynamoDbClient writer = regions.clients[0];
      for (int n = 1; n <= 6; n++) {
        write(writer, n);
      }
      assertThat(awaitList(regions.clients[2], numbers(1, 6))).isEqualTo(numbers(1, 6));
      // Heartbeats carry region 2's commit index to the others before it dies.
      Thread.sleep(1000);
      regions.servers[2].kill();
      regions.clients[2].close();

      for (int n = 7; n <= 18; n++) {
        write(writer, n);
      }
      regions.snapshot(0);
      regions.snapshot(1);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (oldestSegment(regions.dataDir(0)) == 0 && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      assertThat(oldestSegment(regions.dataDir(0)))
          .as("region 0 purged its oldest segments while region 2 was down")
          .isPositive();

      regions.servers[2] = regions.start(2);
      regions.clients[2] = regions.servers[2].client(Duration.ofSeconds(30));
      assertThat(awaitList(regions.clients[2], numbers(1, 18)))
          .as("region 2 after its return: every acknowledged write once, in order")
          .isEqualTo(numbers(1, 18));
      assertThat(itemCount(regions.clients[2])).isEqualTo(18 * ITEMS_PER_WRITE + 1);

      // Region 0 restarts from its snapshot after a kill -9.
      assertThat(hasSnapshot(regions.dataDir(0))).as("region 0 has a snapshot").isTrue();
      regions.servers[0].kill();
      regions.clients[0].close();
      long restart = System.nanoTime();
      regions.servers[0] = regions.start(0);
      regions.clients[0] = regions.servers[0].client(Duration.ofSeconds(30));
      List<String> afterRestart = awaitList(regions.clients[0], numbers(1, 18));
      System.out.printf(
          "StrongSnapshotIT: region 0 answered a strong read %.1f s after its restart%n",
          (System.nanoTime() - restart) / 1e9);
      assertThat(afterRestart).as("region 0 after its restart").isEqualTo(numbers(1, 18));
      write(regions.clients[2], 19);
      assertThat(awaitList(regions.clients[0], numbers(1, 19))).isEqualTo(numbers(1, 19));
      assertThat(itemCount(regions.clients[0])).isEqualTo(19 * ITEMS_PER_WRITE + 1);
    } finally {
      regions.close("strong-snapshot-it");
    }
  }
}
