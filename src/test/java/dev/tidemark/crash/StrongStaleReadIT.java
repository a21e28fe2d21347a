package dev.tidemark.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

/**
 * A strongly consistent read at a deposed leader that does not know it yet. The old leader's region
 * is cut off; the other two elect a new leader and acknowledge a newer write; the old leader still
 * holds its role (its {@code --consensus-leader-timeout} is long, which holds open the window that
 * Ratis' default timings leave open for a few hundred milliseconds, so the test is deterministic).
 * A strong read there must then be refused or see the newer write, never the older value.
 *
 * <p>It failed (answered the older value at once) while strong reads used Ratis 3.2.0's read index:
 * the old leader's commit index had been confirmed by an earlier read, and Ratis answers a read
 * index already confirmed without a new heartbeat round.
 */
class StrongStaleReadIT {
  private static final String TABLE = "register";

  private static Map<String, AttributeValue> key() {
    return Map.of("pk", AttributeValue.fromS("x"));
  }

  private static void put(DynamoDbClient c, int value) {
    c.putItem(
        r ->
            r.tableName(TABLE)
                .item(Map.of("pk", key().get("pk"), "v", AttributeValue.fromN("" + value))));
  }

  private static String strongRead(DynamoDbClient c) {
    try {
      var item = c.getItem(r -> r.tableName(TABLE).consistentRead(true).key(key())).item();
      return item.get("v").n();
    } catch (DynamoDbException e) {
      return e.awsErrorDetails().errorCode();
    }
  }

  // Protects: linearizable strong reads (MRSC) under a partition. A leader cut off from the others
  // must not answer a strong read from its own, older state once the majority has acknowledged a
  // newer write.
  @Test
  void aDeposedLeaderNeverServesTheOldValue(@TempDir Path tmp) throws Exception {
    Assumptions.assumeTrue(
        Files.isReadable(Path.of("/proc/net/tcp")),
        "TcpLinkProxy tells regions apart through /proc (Linux only)");
    StrongRegions regions =
        new StrongRegions(
            tmp, i -> i == 0 ? List.of("--consensus-leader-timeout", "60s") : List.of());
    try {
      regions.createStrongTable(TABLE);
      regions.transferLeadership(0);
      DynamoDbClient old = regions.clients[0];
      put(old, 1);
      assertThat(strongRead(old)).isEqualTo("1");
      assertThat(strongRead(old)).as("a second read confirms nothing new").isEqualTo("1");

      regions.isolate(0);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
      while (true) {
        try {
          put(regions.clients[1], 2);
          break;
        } catch (SdkException e) {
          // no leader yet on the majority side
          assertThat(System.nanoTime())
              .as("the majority acknowledges a write")
              .isLessThan(deadline);
        }
      }
      assertThat(regions.role(0))
          .as("the cut-off region still believes it leads (the window a stale read needs)")
          .isEqualTo(RaftPeerRole.LEADER);

      assertThat(strongRead(old))
          .as("strong read at the deposed leader after the majority acknowledged 2")
          .isIn("InternalServerError", "2");

      regions.heal();
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      String after;
      while (!(after = strongRead(old)).equals("2") && System.nanoTime() < deadline) {
        Thread.sleep(300);
      }
      assertThat(after).as("strong read at the old leader after the heal").isEqualTo("2");
    } finally {
      regions.close("strong-stale-read-it");
    }
  }
}
