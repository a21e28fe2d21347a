package dev.tidemark.replication;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.function.LongSupplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
public final class PeerServicesEndpoint extends Handler.Abstract {
  static final String PATH = "/tidemark/peer/";
  private static final Logger log = LoggerFactory.getLogger(PeerServicesEndpoint.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Requests are small JSON documents; frames travel in answers only. */
  private static final int MAX_BODY = 1 << 20;

  private final Map<String, PeerService> services;
  private final PeerAuth auth;
  private final String region;
  private final LongSupplier clock;

  /** Serves {@code source} (restores) and {@code settings} (settings sync) to the peers. */
  public PeerServicesEndpoint(
      RestoreSource source,
      SettingsSync settings,
      ReplicationConfig config,
      String region,
      LongSupplier clock) {
    this.services =
        Map.of(RestoreChannel.SERVICE, source::serve, SettingsSync.SERVICE, settings::serve);
    this.auth = config.secret() == null ? null : new PeerAuth(config.secret());
    this.region = region;
    this.clock = clock;
  }

  @Override
  public InvocationType getInvocationType() {
    return InvocationType.NON_BLOCKING;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = request.getHttpURI().getPath();
    if (path == null || !path.startsWith(PATH)) {
      return false;
    }
    request.getComponents().getExecutor().execute(() -> serve(request, response, callback, path));
    return true;
  }

  private void serve(Request request, Response response, Callback callback, String path) {
    String op = path.substring(PATH.length());
    String signature = request.getHeaders().get(PeerAuth.HEADER);
    int status = 200;
    byte[] answer;
    try {
      if (!HttpMethod.POST.is(request.getMethod())) {
        throw DynamoException.validation("peer requests are POSTs, not " + request.getMethod());
      }
      if (request.getLength() > MAX_BODY) {
        throw DynamoException.validation("peer request body too large");
      }
      byte[] body;
      try (var in = Content.Source.asInputStream(request)) {
        // Read before the signature can be checked: bounded, whatever the sender declared.
        body = in.readNBytes(MAX_BODY + 1);
      }
      if (body.length > MAX_BODY) {
        throw DynamoException.validation("peer request body too large");
      }
      if (auth == null) {
        throw new PeerAuth.Refused(
            "this server has no --replication-secret-file and accepts no peer requests");
      }
      String from = auth.verify(signature, clock.getAsLong(), path, body);
      int slash = op.indexOf('/');
      PeerService service = slash < 0 ? null : services.get(op.substring(0, slash));
      if (service == null) {
        throw new DynamoException(WireError.UNKNOWN_OPERATION, "Unknown peer operation: " + op);
      }
      answer = service.serve(op.substring(slash + 1), from, JSON.readTree(body));
    } catch (PeerAuth.Refused e) {
      status = 403;
      answer = error(WireError.ACCESS_DENIED, e.getMessage());
      log.warn(
          "Refused restore request {} from {}: {}",
          op,
          Request.getRemoteAddr(request),
          e.getMessage());
    } catch (DynamoException e) {
      status = e.error().httpStatus();
      answer = error(e.error(), e.getMessage());
    } catch (RuntimeException | IOException e) {
      log.error("Peer request {} failed", op, e);
      status = 500;
      answer = error(WireError.INTERNAL_SERVER_ERROR, e.toString());
    }
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, answer.length);
    if (auth != null && signature != null) {
      response
          .getHeaders()
          .put(
              PeerAuth.HEADER,
              auth.sign(
                  region, clock.getAsLong(), PeerCaller.answerScope(path, signature), answer));
    }
    response.write(true, ByteBuffer.wrap(answer), callback);
  }

  private static byte[] error(WireError error, String message) {
    try {
      return JSON.writeValueAsBytes(
          JSON.createObjectNode().put("error", error.name()).put("message", message));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
