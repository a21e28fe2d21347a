package dev.tidemark.awsbackup;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.auth.Authenticator;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.protocol.RequestBodies;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AWS Backup front: restJson1 on the same port as DynamoDB. It claims requests without an
 * {@code X-Amz-Target} header whose first path segment is one of the API's ({@code backup-vaults},
 * {@code backup-jobs}, ...), so DynamoDB's {@code POST /} and the status page pass on. The
 * pipeline: route by method and raw path, read and parse the body, merge labels and body into the
 * input, the {@link Authenticator#admit} gate under {@code backup:<Operation>}, the action, and the
 * answer. Errors carry {@code x-amzn-ErrorType} (which clients read before the body) and a {@code
 * {Code, Message}} body.
 */
public final class RestJsonHandler extends Handler.Abstract {
  private static final Logger log = LoggerFactory.getLogger(RestJsonHandler.class);
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final int MAX_BODY = 1 << 20;

  private final Routes routes;
  private final Authenticator gate;
  private final Supplier<String> requestIds;

  public RestJsonHandler(Routes routes, Authenticator gate, Supplier<String> requestIds) {
    this.routes = routes;
    this.gate = gate;
    this.requestIds = requestIds;
  }

  /** Claiming looks at the request line and headers only; the work goes to the pool. */
  @Override
  public InvocationType getInvocationType() {
    return InvocationType.NON_BLOCKING;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    if (request.getHeaders().get("X-Amz-Target") != null
        || !routes.claims(request.getHttpURI().getPath())) {
      return false;
    }
    String requestId = requestIds.get();
    request
        .getComponents()
        .getExecutor()
        .execute(() -> serve(request, response, callback, requestId));
    return true;
  }

  private void serve(Request request, Response response, Callback callback, String requestId) {
    int status;
    ObjectNode body;
    String errorType = null;
    try {
      String path = request.getHttpURI().getPath();
      Routes.Match match =
          routes
              .match(request.getMethod(), path)
              .orElseThrow(
                  () ->
                      new DynamoException(
                          WireError.UNKNOWN_OPERATION,
                          "No operation is served at " + request.getMethod() + " " + path));
      byte[] raw =
          RequestBodies.read(request, MAX_BODY, () -> Call.invalid("Request body too large."));
      ObjectNode input = parse(raw);
      match.labels().forEach(input::put);
      Map<String, String> query = Routes.query(request.getHttpURI().getQuery());
      // serve, not admit: the audit trail records the operation with its outcome.
      Answer answer =
          gate.serve(
              RequestBodies.signed(request, raw),
              "backup:" + match.action().name(),
              input,
              caller -> match.action().execute(new Call(input, query)));
      status = answer.status();
      body = answer.body();
    } catch (DynamoException e) {
      status = status(e.error());
      errorType = e.error().typeName();
      body = JSON.createObjectNode();
      body.put("Code", errorType);
      body.put("Message", e.getMessage());
      if (e.extra() != null) {
        body.setAll(e.extra());
      }
    } catch (RuntimeException | IOException e) {
      log.error("AWS Backup request {} failed unexpectedly", requestId, e);
      status = 500;
      errorType = WireError.BACKUP_SERVICE_UNAVAILABLE.typeName();
      body = JSON.createObjectNode();
      body.put("Code", errorType);
      body.put("Message", "The request failed because of an internal error; see the server log.");
    }
    byte[] bytes;
    try {
      bytes = body == null ? new byte[0] : JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.getHeaders().put("x-amzn-RequestId", requestId);
    if (errorType != null) {
      response.getHeaders().put("x-amzn-ErrorType", errorType);
    }
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    response.write(true, ByteBuffer.wrap(bytes), callback);
  }

  /** The gate's refusals are phrased for DynamoDB (400); AWS's REST services answer 403. */
  private static int status(WireError e) {
    return switch (e) {
      case ACCESS_DENIED,
              UNRECOGNIZED_CLIENT,
              INVALID_SIGNATURE,
              MISSING_AUTHENTICATION_TOKEN,
              INCOMPLETE_SIGNATURE ->
          403;
      case UNKNOWN_OPERATION -> 404;
      default -> e.httpStatus();
    };
  }

  private static ObjectNode parse(byte[] raw) {
    if (raw.length == 0) {
      return JSON.createObjectNode();
    }
    try {
      JsonNode n = JSON.readTree(raw);
      if (n == null || n.isMissingNode()) {
        return JSON.createObjectNode();
      }
      if (!n.isObject()) {
        throw Call.invalid("The request body must be a JSON object.");
      }
      return (ObjectNode) n;
    } catch (IOException e) {
      throw Call.invalid("The request body is not valid JSON.");
    }
  }
}
