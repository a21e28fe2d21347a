package dev.tidemark.iam;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.auth.Authenticator;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.protocol.RequestBodies;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The IAM and STS front: the AWS query protocol (a form-encoded POST with {@code Action} and {@code
 * Version}) on the same port as DynamoDB, answering in IAM's and STS's XML shapes. It claims only
 * form-encoded POSTs, so DynamoDB's JSON requests pass on to the DynamoDB handler. Requests go
 * through the same {@link Authenticator#serve} gate as DynamoDB's, under {@code iam:<Action>} or
 * {@code sts:<Action>}.
 */
public final class QueryApiHandler extends Handler.Abstract {
  private static final Logger log = LoggerFactory.getLogger(QueryApiHandler.class);
  private static final String IAM_VERSION = "2010-05-08";
  private static final String STS_VERSION = "2011-06-15";
  private static final int MAX_BODY = 1 << 20;

  private final Map<String, QueryAction> actions;
  private final Authenticator gate;
  private final Supplier<String> requestIds;

  public QueryApiHandler(
      Map<String, QueryAction> actions, Authenticator gate, Supplier<String> requestIds) {
    this.actions = Map.copyOf(actions);
    this.gate = gate;
    this.requestIds = requestIds;
  }

  /** Never blocks the selector: claiming looks at headers only, the work goes to the pool. */
  @Override
  public InvocationType getInvocationType() {
    return InvocationType.NON_BLOCKING;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
    if (!HttpMethod.POST.is(request.getMethod())
        || type == null
        || !type.toLowerCase(java.util.Locale.ROOT)
            .startsWith("application/x-www-form-urlencoded")) {
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
    String namespace = "https://iam.amazonaws.com/doc/" + IAM_VERSION + "/";
    int status = 200;
    String body;
    try {
      byte[] raw =
          RequestBodies.read(
              request,
              MAX_BODY,
              () -> new DynamoException(WireError.IAM_VALIDATION, "Request body too large."));
      ObjectNode params = decodeForm(raw);
      String version = params.path("Version").asText(null);
      String service = STS_VERSION.equals(version) ? "sts" : "iam";
      if (service.equals("sts")) {
        namespace = "https://sts.amazonaws.com/doc/" + STS_VERSION + "/";
      }
      String name = params.path("Action").asText(null);
      QueryAction action = name == null ? null : actions.get(service + ":" + name);
      if (action == null || (!IAM_VERSION.equals(version) && !STS_VERSION.equals(version))) {
        throw new DynamoException(
            WireError.INVALID_ACTION,
            "Could not find operation " + name + " for version " + version);
      }
      Xml result = new Xml();
      boolean hasResult =
          gate.serve(
              RequestBodies.signed(request, raw),
              action.operation(),
              params,
              caller -> action.execute(caller, params, result));
      StringBuilder xml = new StringBuilder(256);
      xml.append("<").append(name).append("Response xmlns=\"").append(namespace).append("\">");
      if (hasResult) {
        xml.append('<').append(name).append("Result>").append(result);
        xml.append("</").append(name).append("Result>");
      }
      xml.append("<ResponseMetadata><RequestId>").append(requestId);
      xml.append("</RequestId></ResponseMetadata></").append(name).append("Response>");
      body = xml.toString();
    } catch (DynamoException e) {
      Refusal r = refusal(e);
      status = r.status();
      body =
          "<ErrorResponse xmlns=\""
              + namespace
              + "\"><Error><Type>"
              + (status >= 500 ? "Receiver" : "Sender")
              + "</Type>"
              + new Xml().text("Code", r.code()).text("Message", e.getMessage())
              + "</Error><RequestId>"
              + requestId
              + "</RequestId></ErrorResponse>";
    } catch (RuntimeException | IOException e) {
      log.error("IAM request {} failed unexpectedly", requestId, e);
      status = 500;
      body =
          "<ErrorResponse xmlns=\""
              + namespace
              + "\"><Error><Type>Receiver</Type><Code>ServiceFailure</Code><Message>The server"
              + " encountered an internal error.</Message></Error><RequestId>"
              + requestId
              + "</RequestId></ErrorResponse>";
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/xml");
    response.getHeaders().put("x-amzn-RequestId", requestId);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    response.write(true, ByteBuffer.wrap(bytes), callback);
  }

  private record Refusal(String code, int status) {}

  /** The query protocol's codes for the gate's refusals, which are phrased for DynamoDB. */
  private static Refusal refusal(DynamoException e) {
    return switch (e.error()) {
      case UNRECOGNIZED_CLIENT -> new Refusal("InvalidClientTokenId", 403);
      case EXPIRED_TOKEN -> new Refusal("ExpiredToken", 400);
      case INVALID_SIGNATURE -> new Refusal("SignatureDoesNotMatch", 403);
      case MISSING_AUTHENTICATION_TOKEN -> new Refusal("MissingAuthenticationToken", 403);
      case INCOMPLETE_SIGNATURE -> new Refusal("IncompleteSignature", 400);
      case ACCESS_DENIED -> new Refusal("AccessDenied", 403);
      case VALIDATION, SERIALIZATION -> new Refusal("ValidationError", 400);
      default -> new Refusal(e.error().typeName(), e.error().httpStatus());
    };
  }

  private static ObjectNode decodeForm(byte[] raw) {
    ObjectNode params = JsonNodeFactory.instance.objectNode();
    String form = new String(raw, StandardCharsets.UTF_8);
    for (String pair : form.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      try {
        String name =
            URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String value =
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        if (!params.has(name)) {
          params.put(name, value);
        }
      } catch (IllegalArgumentException e) {
        throw new DynamoException(WireError.IAM_VALIDATION, "Malformed form-encoded request body.");
      }
    }
    return params;
  }
}
