package dev.tidemark.replication.strong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.replication.ConsensusTuning;
import dev.tidemark.replication.ReplicationConfig;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.junit.jupiter.api.Test;

/** The consensus endpoint's settings that MRSC's guarantees rest on. */
class ConsensusSettingsTest {
  private static final byte[] SECRET = "0123456789abcdef0123".getBytes(StandardCharsets.UTF_8);

  private static ReplicationConfig peers() {
    return new ReplicationConfig(Map.of("eu-west-1", URI.create("http://127.0.0.1:1")), SECRET);
  }

  // Protects: RPO zero. Ratis counts an entry towards the majority only once its log worker has
  // forced the segment to disk, unless unsafe or asynchronous flushing is switched on; the server
  // pins both off, and Ratis' read-only path uses no leader lease.
  @Test
  void theRaftLogIsForcedToDiskBeforeAnAppendCounts() {
    RaftProperties p =
        StrongConsistency.raftProperties(peers().withConsensusPort(7000), Path.of("x"));
    assertThat(RaftServerConfigKeys.Log.unsafeFlushEnabled(p)).isFalse();
    assertThat(RaftServerConfigKeys.Log.asyncFlushEnabled(p)).isFalse();
    assertThat(RaftServerConfigKeys.Read.option(p))
        .isEqualTo(RaftServerConfigKeys.Read.Option.LINEARIZABLE);
  }

  // Protects: a region behind a proxy or a port mapping is dialled on the advertised port, and
  // flags that cannot work are refused at start.
  @Test
  void theAdvertisedPortAndTheWaitAreChecked() {
    ReplicationConfig c = peers().withConsensus(7000, 7100, Duration.ofSeconds(3));
    assertThat(c.reachableConsensusPort()).isEqualTo(7100);
    assertThat(peers().withConsensusPort(7000).reachableConsensusPort()).isEqualTo(7000);
    assertThat(peers().withConsensusPort(7000).consensusWait()).isEqualTo(Duration.ofSeconds(10));
    assertThatThrownBy(() -> peers().withConsensus(0, 7100, Duration.ofSeconds(3)))
        .hasMessageContaining("--consensus-advertised-port");
    assertThatThrownBy(() -> peers().withConsensus(7000, 0, Duration.ofMillis(5)))
        .hasMessageContaining("--consensus-wait");
  }

  // Protects: the election timings given on the command line reach Ratis, and a leader timeout that
  // would let followers elect before the leader's own heartbeat could arrive is refused.
  @Test
  void theElectionTimeoutsReachRatis() {
    RaftProperties p =
        StrongConsistency.raftProperties(
            peers()
                .withConsensusPort(7000)
                .withConsensusTuning(ConsensusTuning.of(Duration.ofMillis(400), null, 10_000, 8)),
            Path.of("x"));
    assertThat(RaftServerConfigKeys.Rpc.timeoutMin(p).toLong(TimeUnit.MILLISECONDS)).isEqualTo(400);
    assertThat(RaftServerConfigKeys.Rpc.timeoutMax(p).toLong(TimeUnit.MILLISECONDS)).isEqualTo(800);
    assertThatThrownBy(
            () -> ConsensusTuning.of(Duration.ofSeconds(2), Duration.ofSeconds(1), 10_000, 8))
        .hasMessageContaining("--consensus-leader-timeout");
  }

  // Protects: a snapshot records only that this region's own storage holds the state through an
  // index, so Ratis must never ship it to another region (which would then skip entries), and the
  // purge after it must stay below what every region has committed.
  @Test
  void snapshotsStayLocalAndThePurgeWaitsForEveryRegion() {
    RaftProperties p =
        StrongConsistency.raftProperties(
            peers()
                .withConsensusPort(7000)
                .withConsensusTuning(ConsensusTuning.of(Duration.ofMillis(150), null, 500, 2)),
            Path.of("x"));
    assertThat(RaftServerConfigKeys.Log.Appender.installSnapshotEnabled(p)).isFalse();
    assertThat(RaftServerConfigKeys.Log.purgeUptoSnapshotIndex(p)).isFalse();
    assertThat(RaftServerConfigKeys.Snapshot.autoTriggerEnabled(p)).isTrue();
    assertThat(RaftServerConfigKeys.Snapshot.autoTriggerThreshold(p)).isEqualTo(500);
    assertThat(RaftServerConfigKeys.Log.segmentSizeMax(p).getSize()).isEqualTo(2L << 20);
  }
}
