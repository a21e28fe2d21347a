package dev.tidemark.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;

/**
 * What {@code tidemark replicas pause|resume} sends: a replication request signed with the shared
 * secret (only someone who holds it may stop replication), asking the server at {@code endpoint} to
 * pause or resume replication to {@code region}.
 */
public final class DrillClient {
  /** The name the command signs as; the server checks the signature, not the name. */
  static final String SENDER = "tidemark-cli";

  private DrillClient() {}

  /**
   * Sends the drill; returns the server's answer ({@code paused}: the regions now paused).
   *
   * @param tls what an {@code https} endpoint's certificate is checked against; null for the JDK's
   *     trusted authorities
   */
  public static JsonNode send(
      URI endpoint, byte[] secret, String region, boolean pause, javax.net.ssl.SSLContext tls)
      throws IOException {
    PeerClient server =
        new PeerClient(
            endpoint.toString(),
            endpoint,
            SENDER,
            new PeerAuth(secret),
            System::currentTimeMillis,
            tls);
    try {
      return server.call(
          pause ? "pause" : "resume",
          new ObjectMapper().createObjectNode().put("region", region),
          Duration.ofSeconds(20));
    } catch (PeerClient.Refused e) {
      throw new IOException(e.type + ": " + e.getMessage());
    } catch (PeerClient.Unavailable e) {
      throw new IOException(e.getMessage());
    }
  }
}
