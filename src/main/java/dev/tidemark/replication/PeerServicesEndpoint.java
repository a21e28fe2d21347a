package dev.tidemark.replication;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import java.io.IOException;
import java.util.Map;
import java.util.function.LongSupplier;
import org.eclipse.jetty.server.Response;

/**
 * Peer services on the API port, beside the replication stream: claims {@code POST
 * /tidemark/peer/<service>/<operation>} only (cross-region restores, settings sync), verifies the
 * request's {@link PeerAuth} signature, hands it to the named {@link PeerService}, and signs the
 * answer over its bytes and the request's signature ({@link PeerCaller} checks it), so an answer
 * cannot be forged, altered or replayed for another request. Unsigned or wrongly signed requests,
 * and any request to a server without a replication secret, are refused with 403
 * AccessDeniedException. Errors are JSON {@code {"error": <WireError name>, "message": ...}} with
 * the error's status.
 */
public final class PeerServicesEndpoint extends PeerEndpoint {
  static final String PATH = "/tidemark/peer/";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Requests are small JSON documents; frames travel in answers only. */
  private static final int MAX_BODY = 1 << 20;

  private final Map<String, PeerService> services;
  private final PeerAuth auth;
  private final String region;

  /** Serves {@code source} (restores) and {@code settings} (settings sync) to the peers. */
  public PeerServicesEndpoint(
      RestoreSource source,
      SettingsSync settings,
      ReplicationConfig config,
      String region,
      LongSupplier clock) {
    super(
        PATH,
        MAX_BODY,
        "peer",
        "this server has no --replication-secret-file and accepts no peer requests",
        clock);
    this.services =
        Map.of(RestoreChannel.SERVICE, source::serve, SettingsSync.SERVICE, settings::serve);
    this.auth = config.secret() == null ? null : new PeerAuth(config.secret());
    this.region = region;
  }

  @Override
  protected PeerAuth auth() {
    return auth;
  }

  @Override
  protected byte[] answer(String op, String from, byte[] body) throws IOException {
    int slash = op.indexOf('/');
    PeerService service = slash < 0 ? null : services.get(op.substring(0, slash));
    if (service == null) {
      throw new DynamoException(WireError.UNKNOWN_OPERATION, "Unknown peer operation: " + op);
    }
    return service.serve(op.substring(slash + 1), from, JSON.readTree(body));
  }

  @Override
  protected String contentType() {
    return "application/octet-stream";
  }

  /** Signs the answer over its bytes and the request's signature, for {@link PeerCaller}. */
  @Override
  protected void decorate(Response response, String path, String signature, byte[] answer) {
    if (auth != null && signature != null) {
      response
          .getHeaders()
          .put(
              PeerAuth.HEADER,
              auth.sign(
                  region, clock.getAsLong(), PeerCaller.answerScope(path, signature), answer));
    }
  }

  @Override
  protected byte[] errorBody(WireError error, String message) {
    try {
      return JSON.writeValueAsBytes(
          JSON.createObjectNode().put("error", error.name()).put("message", message));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
