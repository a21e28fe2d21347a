package dev.tidemark.replication;

import java.time.Duration;
import java.util.Objects;

/**
 * The Raft timing of this server's consensus endpoint (Apache Ratis' RPC timeouts). A follower that
 * hears from no leader for a random time between {@code election} and {@code leader} starts an
 * election; a leader sends heartbeats every half {@code election}, and steps down when it has heard
 * from no majority for {@code leader}. *Why configurable:* Ratis' defaults (150 and 300 ms) suit a
 * data centre; between regions whose round trip approaches them, followers would start elections
 * against a healthy leader. Strong reads do not rest on these timings (they go through the log).
 *
 * @param election {@code --consensus-election-timeout}
 * @param leader {@code --consensus-leader-timeout}, longer than {@code election}
 */
public record ConsensusTimeouts(Duration election, Duration leader) {
  /** Ratis' own defaults. */
  public static final ConsensusTimeouts DEFAULT =
      new ConsensusTimeouts(Duration.ofMillis(150), Duration.ofMillis(300));

  public ConsensusTimeouts {
    Objects.requireNonNull(election);
    Objects.requireNonNull(leader);
    if (election.toMillis() < 10) {
      throw new IllegalArgumentException("--consensus-election-timeout must be at least 10ms");
    }
    if (leader.compareTo(election) <= 0) {
      throw new IllegalArgumentException(
          "--consensus-leader-timeout must be longer than --consensus-election-timeout");
    }
  }

  /** {@code election}, and {@code leader} or else twice {@code election}. */
  public static ConsensusTimeouts of(Duration election, Duration leader) {
    return new ConsensusTimeouts(election, leader == null ? election.multipliedBy(2) : leader);
  }
}
