package dev.tidemark.replication;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.managed.PeerChannel;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The copy jobs' view of the other servers: signed requests to a destination's {@link
 * CopyEndpoint}, over the same channel and secret as replication. A destination (account, region)
 * is reached through the copy peer named for exactly it ({@code --copy-peer}); failing that, one in
 * another region through that region's peer ({@code --peer}), which then answers for every account
 * there. The destination checks that the vault is its own, so a peer serving another account than
 * the one asked for refuses rather than files the copy elsewhere.
 */
public final class CopyPeers implements PeerChannel {
  /** A commit verifies the whole point before it answers. */
  private static final Duration COMMIT_TIMEOUT = Duration.ofMinutes(30);

  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  private final String localRegion;
  private final Map<String, PeerClient> regions = new LinkedHashMap<>();
  private final Map<Server, PeerClient> accounts = new LinkedHashMap<>();

  public CopyPeers(ReplicationConfig config, String localRegion, LongSupplier clock) {
    this.localRegion = localRegion;
    if (config.secret() != null) {
      PeerAuth auth = new PeerAuth(config.secret());
      for (Map.Entry<String, URI> e : config.peers().entrySet()) {
        regions.put(
            e.getKey(),
            new PeerClient(e.getKey(), e.getValue(), localRegion, auth, clock, config.peerTls()));
      }
      for (CopyPeer p : config.copyPeers()) {
        accounts.put(
            new Server(p.account(), p.region()),
            new PeerClient(p.name(), p.url(), localRegion, auth, clock, config.peerTls()));
      }
    }
  }

  /** The client that reaches {@code to}, or null. */
  private PeerClient client(Server to) {
    PeerClient exact = accounts.get(to);
    if (exact != null || to.region().equals(localRegion)) {
      return exact;
    }
    return regions.get(to.region());
  }

  @Override
  public boolean reaches(Server to) {
    return client(to) != null;
  }

  @Override
  public JsonNode call(Server to, String op, JsonNode body) {
    return exchange(to, c -> c.call(op, body, op.endsWith("commit") ? COMMIT_TIMEOUT : TIMEOUT));
  }

  @Override
  public JsonNode send(Server to, String op, byte[] frame, int signedLength) {
    return exchange(to, c -> c.call(op, frame, signedLength, TIMEOUT));
  }

  private JsonNode exchange(Server to, Function<PeerClient, JsonNode> request) {
    PeerClient c = client(to);
    if (c == null) {
      throw new Unavailable("no --copy-peer or --peer names " + to);
    }
    try {
      return request.apply(c);
    } catch (PeerClient.Unavailable e) {
      throw new Unavailable(e.getMessage());
    } catch (PeerClient.Refused e) {
      throw new Refused(e.type, e.getMessage());
    }
  }
}
