package dev.tidemark.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.managed.CopyReceiver;
import dev.tidemark.managed.CopyWire;
import java.io.IOException;
import java.io.InputStream;
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
 * Copy traffic between regions, on the replication channel: {@code POST
 * /tidemark/replication/copy/{begin,chunk,commit}}, signed with the replication secret ({@link
 * PeerAuth}) and handed to the {@link CopyReceiver}. Registered before the {@link
 * ReplicationEndpoint}, which would otherwise claim these paths. A chunk carries at most a few MiB
 * of one object, so no request holds a recovery point.
 */
public final class CopyEndpoint extends Handler.Abstract {
  /** The operations' path prefix (under {@code PeerClient.PATH_PREFIX}). */
  static final String OPS = "copy/";

  private static final Logger log = LoggerFactory.getLogger(CopyEndpoint.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PREFIX = PeerClient.PATH_PREFIX + OPS;
  private static final int MAX_BODY = 8 << 20;

  private final CopyReceiver receiver;
  private final PeerAuth auth;
  private final LongSupplier clock;

  /**
   * @param secret the replication secret, or null (then every copy request is refused)
   */
  public CopyEndpoint(CopyReceiver receiver, byte[] secret, LongSupplier clock) {
    this.receiver = receiver;
    this.auth = secret == null ? null : new PeerAuth(secret);
    this.clock = clock;
  }

  @Override
  public InvocationType getInvocationType() {
    return InvocationType.NON_BLOCKING;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = request.getHttpURI().getPath();
    if (path == null || !path.startsWith(PREFIX)) {
      return false;
    }
    request.getComponents().getExecutor().execute(() -> serve(request, response, callback, path));
    return true;
  }

  private void serve(Request request, Response response, Callback callback, String path) {
    int status = 200;
    JsonNode answer;
    String op = path.substring(PREFIX.length());
    try {
      if (!HttpMethod.POST.is(request.getMethod())) {
        throw new DynamoException(
            WireError.VALIDATION, "copy requests are POSTs, not " + request.getMethod());
      }
      byte[] body;
      try (InputStream in = Content.Source.asInputStream(request)) {
        body = in.readNBytes(MAX_BODY + 1);
      }
      if (body.length > MAX_BODY) {
        throw new DynamoException(WireError.VALIDATION, "copy request body too large");
      }
      if (auth == null) {
        throw new PeerAuth.Refused(
            "this server has no --replication-secret-file and accepts no copies from peers");
      }
      String from =
          auth.verify(request.getHeaders().get(PeerAuth.HEADER), clock.getAsLong(), path, body);
      answer = dispatch(receiver, op, from, JSON.readTree(body));
    } catch (PeerAuth.Refused e) {
      status = 403;
      answer = error(WireError.ACCESS_DENIED.typeName(), e.getMessage());
      log.warn(
          "Refused copy request {} from {}: {}",
          op,
          Request.getRemoteAddr(request),
          e.getMessage());
    } catch (DynamoException e) {
      status = e.error().httpStatus();
      answer = error(e.error().typeName(), e.getMessage());
    } catch (RuntimeException | IOException e) {
      log.error("Copy request {} failed", op, e);
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
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    response.write(true, ByteBuffer.wrap(bytes), callback);
  }

  /** One copy operation from the authenticated region {@code from}, as the peer sent it. */
  public static JsonNode dispatch(CopyReceiver receiver, String op, String from, JsonNode in)
      throws IOException {
    ObjectNode out = JSON.createObjectNode();
    switch (op) {
      case "begin" -> {
        CopyReceiver.Begun b = receiver.begin(CopyWire.offer(in, from));
        out.put("SessionId", b.sessionId());
        out.put("RecoveryPointArn", b.pointArn());
        out.put("BackupSizeInBytes", b.sizeBytes());
      }
      case "chunk" -> {
        if (!in.path("Data").isTextual()) {
          throw new DynamoException(WireError.VALIDATION, "a copy chunk carries Data");
        }
        receiver.chunk(
            in.path("SessionId").asText(null),
            in.path("Index").asInt(-1),
            in.path("Offset").asLong(-1),
            in.path("Data").binaryValue(),
            in.path("Last").asBoolean(false));
      }
      case "commit" -> {
        CopyReceiver.Done d = receiver.commit(in.path("SessionId").asText(null));
        out.put("RecoveryPointArn", d.pointArn());
        out.put("BackupSizeInBytes", d.sizeBytes());
      }
      default -> throw new DynamoException(WireError.VALIDATION, "unknown copy operation " + op);
    }
    return out;
  }

  private static JsonNode error(String type, String message) {
    return JSON.createObjectNode().put("__type", type).put("message", message);
  }
}
