package dev.tidemark.replication;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * The other regions this server replicates with, and the secret that authenticates the traffic
 * between them (every peer is started with the same one).
 *
 * @param peers region name to the peer server's base URL ({@code http://host:port})
 * @param secret the shared secret; null only when there are no peers
 * @param maxLag how long the change log is held back for a peer that has not received it ({@code
 *     --replication-max-lag}); past it the peer's replica is re-filled from a snapshot instead
 * @param tombstoneGrace how long a tombstone is kept after every peer has passed it ({@code
 *     --replication-tombstone-grace})
 * @param consensusPort the port of this server's consensus (Raft) endpoint for multi-Region
 *     strongly consistent tables, or 0 when it takes no part in them
 * @param consensusAdvertisedPort the port other regions reach that endpoint on, when a proxy or a
 *     port mapping stands between them ({@code --consensus-advertised-port}); 0: the same port
 * @param consensusWait how long a write or strongly consistent read of such a table waits for a
 *     quorum of regions before it is refused ({@code --consensus-wait})
 * @param consensusTuning the Raft timings and log sizes ({@code --consensus-election-timeout},
 *     {@code --consensus-leader-timeout}, {@code --consensus-snapshot-every}, {@code
 *     --consensus-log-segment-mb})
 * @param copyPeers the servers of other accounts that copy jobs may send recovery points to ({@code
 *     --copy-peer}), in any region; signed with the same secret
 * @param peerTls what the certificates of {@code https} peers are checked against ({@code
 *     --peer-ca-file}, {@link PeerTls}); null: the JDK's trusted authorities
 */
public record ReplicationConfig(
    Map<String, URI> peers,
    byte[] secret,
    Duration maxLag,
    Duration tombstoneGrace,
    int consensusPort,
    int consensusAdvertisedPort,
    Duration consensusWait,
    ConsensusTuning consensusTuning,
    List<CopyPeer> copyPeers,
    SSLContext peerTls) {
  /** A week: an outage longer than that is cheaper to mend with a snapshot than with the log. */
  public static final Duration DEFAULT_MAX_LAG = Duration.ofDays(7);

  /** An hour past the point every peer has passed; the proof needs none, the margin is for bugs. */
  public static final Duration DEFAULT_TOMBSTONE_GRACE = Duration.ofHours(1);

  /** Long enough to ride out a leader election on a WAN, short of a client's socket timeout. */
  public static final Duration DEFAULT_CONSENSUS_WAIT = Duration.ofSeconds(10);

  /** No peers: every table is regional, and replication requests are refused. */
  public static final ReplicationConfig NONE = new ReplicationConfig(Map.of(), null);

  /** With the default log cap and tombstone grace. */
  public ReplicationConfig(Map<String, URI> peers, byte[] secret) {
    this(
        peers,
        secret,
        DEFAULT_MAX_LAG,
        DEFAULT_TOMBSTONE_GRACE,
        0,
        0,
        DEFAULT_CONSENSUS_WAIT,
        ConsensusTuning.DEFAULT,
        List.of(),
        null);
  }

  /** The same peers and secret, with a consensus endpoint on {@code port} (0: none). */
  public ReplicationConfig withConsensusPort(int port) {
    return withConsensus(port, 0, DEFAULT_CONSENSUS_WAIT);
  }

  /**
   * The same peers and secret, with a consensus endpoint on {@code port} that other regions reach
   * on {@code advertised} (0: on {@code port}), and waits for a quorum of up to {@code wait}.
   */
  public ReplicationConfig withConsensus(int port, int advertised, Duration wait) {
    return new ReplicationConfig(
        peers,
        secret,
        maxLag,
        tombstoneGrace,
        port,
        advertised,
        wait,
        consensusTuning,
        copyPeers,
        peerTls);
  }

  /** This configuration with other Raft timings and log sizes. */
  public ReplicationConfig withConsensusTuning(ConsensusTuning tuning) {
    return new ReplicationConfig(
        peers,
        secret,
        maxLag,
        tombstoneGrace,
        consensusPort,
        consensusAdvertisedPort,
        consensusWait,
        tuning,
        copyPeers,
        peerTls);
  }

  /** The port other regions dial for this server's consensus endpoint. */
  public int reachableConsensusPort() {
    return consensusAdvertisedPort == 0 ? consensusPort : consensusAdvertisedPort;
  }

  /** Fewer bytes than this is a password, not a key. */
  static final int MIN_SECRET_BYTES = 16;

  public ReplicationConfig {
    if (consensusPort < 0 || consensusPort > 65535) {
      throw new IllegalArgumentException("--consensus-port must be 1..65535, not " + consensusPort);
    }
    if (consensusAdvertisedPort < 0
        || consensusAdvertisedPort > 65535
        || (consensusAdvertisedPort > 0 && consensusPort == 0)) {
      throw new IllegalArgumentException(
          "--consensus-advertised-port must be 1..65535 and needs --consensus-port, not "
              + consensusAdvertisedPort);
    }
    Objects.requireNonNull(consensusWait);
    Objects.requireNonNull(consensusTuning);
    if (consensusWait.toMillis() < 100) {
      throw new IllegalArgumentException(
          "--consensus-wait must be at least 100ms: a quorum needs a round trip");
    }
    if (consensusPort > 0 && peers.isEmpty()) {
      throw new IllegalArgumentException(
          "--consensus-port needs --peer: strongly consistent tables span three regions");
    }
    peers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(peers));
    Objects.requireNonNull(maxLag);
    Objects.requireNonNull(tombstoneGrace);
    if (maxLag.isNegative() || maxLag.isZero() || tombstoneGrace.isNegative()) {
      throw new IllegalArgumentException(
          "--replication-max-lag must be positive and --replication-tombstone-grace not negative");
    }
    if (!peers.isEmpty() && secret == null) {
      throw new IllegalArgumentException(
          "--peer needs --replication-secret-file: peers authenticate each other with it");
    }
    copyPeers = List.copyOf(copyPeers);
    if (!copyPeers.isEmpty() && secret == null) {
      throw new IllegalArgumentException(
          "--copy-peer needs --replication-secret-file: copies between servers are signed with it");
    }
    if (secret != null && secret.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "the replication secret must be at least "
              + MIN_SECRET_BYTES
              + " bytes (for example: head -c 32 /dev/urandom | base64 > secret)");
    }
    for (Map.Entry<String, URI> e : peers.entrySet()) {
      if (!e.getKey().matches("[a-z0-9-]+")) {
        throw new IllegalArgumentException(
            "a peer region must look like us-east-1, not '" + e.getKey() + "'");
      }
      String scheme = e.getValue().getScheme();
      if (!"http".equals(scheme) && !"https".equals(scheme)) {
        throw new IllegalArgumentException(
            "peer " + e.getKey() + " needs an http:// or https:// URL, not " + e.getValue());
      }
    }
  }

  /**
   * From the command line: {@code REGION=URL} values and the secret file (its content, trailing
   * whitespace removed, is the secret).
   */
  public static ReplicationConfig of(String localRegion, List<String> peerSpecs, Path secretFile)
      throws IOException {
    Map<String, URI> peers = new LinkedHashMap<>();
    for (String spec : peerSpecs) {
      int eq = spec.indexOf('=');
      if (eq <= 0 || eq == spec.length() - 1) {
        throw new IllegalArgumentException(
            "--peer takes REGION=URL, for example eu-west-1=http://10.0.0.2:8000, not '"
                + spec
                + "'");
      }
      String region = spec.substring(0, eq);
      if (region.equals(localRegion)) {
        throw new IllegalArgumentException(
            "--peer " + region + " names this server's own region (--region)");
      }
      if (peers.put(region, URI.create(spec.substring(eq + 1))) != null) {
        throw new IllegalArgumentException("--peer " + region + " is given twice");
      }
    }
    byte[] secret = null;
    if (secretFile != null) {
      secret =
          Files.readString(secretFile, StandardCharsets.UTF_8)
              .strip()
              .getBytes(StandardCharsets.UTF_8);
    }
    return new ReplicationConfig(peers, secret);
  }

  /** This configuration with another log cap and tombstone grace. */
  public ReplicationConfig withLimits(Duration maxLag, Duration tombstoneGrace) {
    return new ReplicationConfig(
        peers,
        secret,
        maxLag,
        tombstoneGrace,
        consensusPort,
        consensusAdvertisedPort,
        consensusWait,
        consensusTuning,
        copyPeers,
        peerTls);
  }

  /** This configuration with these copy peers ({@code --copy-peer}). */
  public ReplicationConfig withCopyPeers(List<CopyPeer> peers) {
    return new ReplicationConfig(
        this.peers,
        secret,
        maxLag,
        tombstoneGrace,
        consensusPort,
        consensusAdvertisedPort,
        consensusWait,
        consensusTuning,
        peers,
        peerTls);
  }

  /**
   * This configuration checking {@code https} peers against {@code tls} ({@code --peer-ca-file}).
   */
  public ReplicationConfig withPeerTls(SSLContext tls) {
    return new ReplicationConfig(
        peers,
        secret,
        maxLag,
        tombstoneGrace,
        consensusPort,
        consensusAdvertisedPort,
        consensusWait,
        consensusTuning,
        copyPeers,
        tls);
  }

  public boolean hasPeer(String region) {
    return peers.containsKey(Objects.requireNonNull(region));
  }
}
