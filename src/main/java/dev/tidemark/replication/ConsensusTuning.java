package dev.tidemark.replication;

import java.time.Duration;
import java.util.Objects;

/**
 * The tunable Raft settings of this server's consensus endpoint (Apache Ratis).
 *
 * <p>Timing: a follower that hears from no leader for a random time between {@code election} and
 * {@code leader} starts an election; a leader sends heartbeats every half {@code election}, and
 * steps down when it has heard from no majority for {@code leader}. *Why configurable:* Ratis'
 * defaults (150 and 300 ms) suit a data centre; between regions whose round trip approaches them,
 * followers would depose a healthy leader. Strong reads do not rest on these timings (they go
 * through the log).
 *
 * <p>Log size: a region snapshots a group every {@code snapshotEvery} applied entries, and the log
 * is then purged by whole segments of {@code segmentBytes}, never past what every region has.
 *
 * @param election {@code --consensus-election-timeout}
 * @param leader {@code --consensus-leader-timeout}, longer than {@code election}
 * @param snapshotEvery {@code --consensus-snapshot-every}, entries
 * @param segmentBytes {@code --consensus-log-segment-mb}, in bytes
 */
public record ConsensusTuning(
    Duration election, Duration leader, long snapshotEvery, long segmentBytes) {
  /** Ratis' own timings; a snapshot every 10,000 entries; 8 MiB log segments. */
  public static final ConsensusTuning DEFAULT =
      new ConsensusTuning(Duration.ofMillis(150), Duration.ofMillis(300), 10_000, 8L << 20);

  public ConsensusTuning {
    Objects.requireNonNull(election);
    Objects.requireNonNull(leader);
    if (election.toMillis() < 10) {
      throw new IllegalArgumentException("--consensus-election-timeout must be at least 10ms");
    }
    if (leader.compareTo(election) <= 0) {
      throw new IllegalArgumentException(
          "--consensus-leader-timeout must be longer than --consensus-election-timeout");
    }
    if (snapshotEvery < 1) {
      throw new IllegalArgumentException("--consensus-snapshot-every must be at least 1");
    }
    if (segmentBytes < (1 << 20)) {
      throw new IllegalArgumentException("--consensus-log-segment-mb must be at least 1");
    }
  }

  /** {@code election}, and {@code leader} or else twice {@code election}. */
  public static ConsensusTuning of(
      Duration election, Duration leader, long snapshotEvery, int segmentMegabytes) {
    return new ConsensusTuning(
        election,
        leader == null ? election.multipliedBy(2) : leader,
        snapshotEvery,
        (long) segmentMegabytes << 20);
  }
}
