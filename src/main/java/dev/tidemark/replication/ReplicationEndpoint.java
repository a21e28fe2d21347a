package dev.tidemark.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.errors.WireError;
import java.io.IOException;
import java.util.function.LongSupplier;

/**
 * Server-to-server replication traffic on the same port as the DynamoDB API: it claims {@code POST
 * /tidemark/replication/<operation>} (and nothing else, so DynamoDB requests pass on), verifies the
 * {@link PeerAuth} signature with the shared secret, and hands the request to the {@link
 * Replicator}. Anything unsigned, wrongly signed, or sent to a server without a secret is refused
 * with 403 AccessDeniedException and a message that says why.
 */
public final class ReplicationEndpoint extends PeerEndpoint {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY = 32 << 20;

  private final Replicator replicator;

  public ReplicationEndpoint(Replicator replicator, LongSupplier clock) {
    super(
        PeerClient.PATH_PREFIX,
        MAX_BODY,
        "replication",
        "this server has no --replication-secret-file and accepts no replication traffic",
        clock);
    this.replicator = replicator;
  }

  /** The replicator's, which can change while the server runs. */
  @Override
  protected PeerAuth auth() {
    return replicator.auth();
  }

  @Override
  protected byte[] answer(String op, String from, byte[] body) throws IOException {
    if (ApplyFrame.OP.equals(op)) {
      return JSON.writeValueAsBytes(replicator.applyFrame(from, body));
    }
    return JSON.writeValueAsBytes(replicator.serve(op, from, JSON.readTree(body)));
  }

  @Override
  protected byte[] errorBody(WireError error, String message) {
    return jsonError(error, message);
  }

  /** {@code {"__type": ..., "message": ...}}, as the DynamoDB API frames errors. */
  static byte[] jsonError(WireError error, String message) {
    JsonNode node = JSON.createObjectNode().put("__type", error.typeName()).put("message", message);
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
