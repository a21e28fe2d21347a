package dev.tidemark.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
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
 * Server-to-server replication traffic on the same port as the DynamoDB API: it claims {@code POST
 * /tidemark/replication/<operation>} (and nothing else, so DynamoDB requests pass on), verifies the
 * {@link PeerAuth} signature with the shared secret, and hands the request to the {@link
 * Replicator}. Anything unsigned, wrongly signed, or sent to a server without a secret is refused
 * with 403 AccessDeniedException and a message that says why.
 */
public final class ReplicationEndpoint extends Handler.Abstract {
  private static final Logger log = LoggerFactory.getLogger(ReplicationEndpoint.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY = 32 << 20;

  private final Replicator replicator;
  private final LongSupplier clock;

  public ReplicationEndpoint(Replicator replicator, LongSupplier clock) {
    this.replicator = replicator;
    this.clock = clock;
  }

  /** Claiming looks at the path only; the work goes to the pool. */
  @Override
  public InvocationType getInvocationType() {
    return InvocationType.NON_BLOCKING;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = request.getHttpURI().getPath();
    if (path == null || !path.startsWith(PeerClient.PATH_PREFIX)) {
      return false;
    }
    request.getComponents().getExecutor().execute(() -> serve(request, response, callback, path));
    return true;
  }

  private void serve(Request request, Response response, Callback callback, String path) {
    int status = 200;
    JsonNode answer;
    String op = path.substring(PeerClient.PATH_PREFIX.length());
    try {
      if (!HttpMethod.POST.is(request.getMethod())) {
        throw new DynamoException(
            WireError.VALIDATION, "replication requests are POSTs, not " + request.getMethod());
      }
      byte[] body = readBody(request);
      PeerAuth auth = replicator.auth();
      if (auth == null) {
        throw new PeerAuth.Refused(
            "this server has no --replication-secret-file and accepts no replication traffic");
      }
      String from =
          auth.verify(request.getHeaders().get(PeerAuth.HEADER), clock.getAsLong(), path, body);
      answer = replicator.serve(op, from, JSON.readTree(body));
    } catch (PeerAuth.Refused e) {
      status = 403;
      answer = error(WireError.ACCESS_DENIED.typeName(), e.getMessage());
      log.warn(
          "Refused replication request {} from {}: {}",
          op,
          Request.getRemoteAddr(request),
          e.getMessage());
    } catch (DynamoException e) {
      status = e.error().httpStatus();
      answer = error(e.error().typeName(), e.getMessage());
    } catch (RuntimeException | IOException e) {
      log.error("Replication request {} failed", op, e);
      status = 500;
      answer = error(WireError.INTERNAL_SERVER_ERROR.typeName(), e.toString());
    }
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(answer);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    response.setStatus(status);
    // For the peer's clock-skew measurement (ClockSkew).
    response.getHeaders().put(ClockSkew.HEADER, Long.toString(clock.getAsLong()));
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    response.write(true, ByteBuffer.wrap(bytes), callback);
  }

  private static JsonNode error(String type, String message) {
    return JSON.createObjectNode().put("__type", type).put("message", message);
  }

  private static byte[] readBody(Request request) throws IOException {
    if (request.getLength() > MAX_BODY) {
      throw new DynamoException(WireError.VALIDATION, "replication request body too large");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (var in = Content.Source.asInputStream(request)) {
      byte[] buf = new byte[65536];
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
        if (out.size() > MAX_BODY) {
          throw new DynamoException(WireError.VALIDATION, "replication request body too large");
        }
      }
    }
    return out.toByteArray();
  }
}
