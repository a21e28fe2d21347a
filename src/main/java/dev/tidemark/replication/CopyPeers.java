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
 * The copy jobs' view of the peer regions: signed requests to a peer's {@link CopyEndpoint}, over
 * the same channel and secret as replication.
 */
public final class CopyPeers implements PeerChannel {
  /** A commit verifies the whole point before it answers. */
  private static final Duration COMMIT_TIMEOUT = Duration.ofMinutes(30);

  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  private final Map<String, PeerClient> clients = new LinkedHashMap<>();

  public CopyPeers(ReplicationConfig config, String localRegion, LongSupplier clock) {
    if (config.secret() != null) {
      PeerAuth auth = new PeerAuth(config.secret());
      for (Map.Entry<String, URI> e : config.peers().entrySet()) {
        clients.put(e.getKey(), new PeerClient(e.getKey(), e.getValue(), localRegion, auth, clock));
      }
    }
  }

  @Override
  public boolean hasPeer(String region) {
    return clients.containsKey(region);
  }

  @Override
  public JsonNode call(String region, String op, JsonNode body) {
    return exchange(
        region, c -> c.call(op, body, op.endsWith("commit") ? COMMIT_TIMEOUT : TIMEOUT));
  }

  @Override
  public JsonNode send(String region, String op, byte[] frame, int signedLength) {
    return exchange(region, c -> c.call(op, frame, signedLength, TIMEOUT));
  }

  private JsonNode exchange(String region, Function<PeerClient, JsonNode> request) {
    PeerClient c = clients.get(region);
    if (c == null) {
      throw new Unavailable("no peer region " + region);
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
