package dev.tidemark.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.auth.Authenticator;
import dev.tidemark.auth.SignedRequest;
import dev.tidemark.auth.Visibility;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.protocol.RequestBodies;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console's front on the server's own port: everything under {@code /console}.
 *
 * <ul>
 *   <li>{@code GET /console/...}: the single-page app's static files (from the jar), and {@code
 *       /console/settings.json} (region and auth mode, which the page needs to sign requests). Only
 *       GET and HEAD are served here, so no request to these paths changes anything.
 *   <li>{@code POST /console/api/<Operation>}: the console's own operations ({@link ConsoleApi}),
 *       through the same gate as every API ({@link Authenticator#serve} as {@code
 *       tidemark:<Operation>}): SigV4 verified and policies checked in IAM mode, and the audit
 *       trail records them. Errors are DynamoDB's JSON errors.
 * </ul>
 *
 * <p>Everything else the console does, it does by calling the DynamoDB API from the browser with
 * the signed-in key, so an action in the console is exactly the API call it shows. Requests to
 * {@code /console/api} carrying an {@code Origin} other than the server's own are refused: the
 * browser sends that header on every cross-site call, and nothing here answers CORS.
 */
public final class ConsoleHandler extends Handler.Abstract {
  public static final String PREFIX = "/console";
  static final String API_PREFIX = PREFIX + "/api/";
  private static final Logger log = LoggerFactory.getLogger(ConsoleHandler.class);
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final int MAX_BODY = 1 << 20;

  /** File names the app ships: no dot segments, no encoded characters, a known type. */
  private static final Pattern FILE =
      Pattern.compile("[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_.-]*)*\\.(html|js|css|svg)");

  /** The version of the uPlot webjar in the pom; ConsoleApiIntegrationTest fetches its files. */
  static final String UPLOT_VERSION = "1.6.30";

  /**
   * Third-party files the console uses, shipped in the jar as webjars and served under names of the
   * app's own form (so the {@link #FILE} rule still admits nothing else).
   */
  private static final Map<String, String> VENDOR =
      Map.of(
          "vendor/uplot.js",
          "/META-INF/resources/webjars/uplot/" + UPLOT_VERSION + "/dist/uPlot.esm.js",
          "vendor/uplot.css",
          "/META-INF/resources/webjars/uplot/" + UPLOT_VERSION + "/dist/uPlot.min.css");

  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "svg", "image/svg+xml");

  /**
   * Scripts and styles only from this server; no frames, no forms posting anywhere, requests only
   * to this origin (the console's own API calls).
   */
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

  private final ConsoleApi api;
  private final Authenticator gate;
  private final Supplier<String> requestIds;
  private final byte[] settings;
  private final Visibility visibility;

  /**
   * @param region the server's region, which the page needs for the signature's scope
   * @param iam whether requests are verified ({@code --auth iam}): the page then asks for a key
   */
  public ConsoleHandler(
      ConsoleApi api, Authenticator gate, Supplier<String> requestIds, String region, boolean iam) {
    this(api, gate, Visibility.everything(), requestIds, region, iam);
  }

  /**
   * @param visibility what an admitted caller may see of the resources a list names (the gate's
   *     policy checks in IAM mode)
   */
  public ConsoleHandler(
      ConsoleApi api,
      Authenticator gate,
      Visibility visibility,
      Supplier<String> requestIds,
      String region,
      boolean iam) {
    this.visibility = Objects.requireNonNull(visibility);
    this.api = Objects.requireNonNull(api);
    this.gate = Objects.requireNonNull(gate);
    this.requestIds = Objects.requireNonNull(requestIds);
    ObjectNode s = JSON.createObjectNode();
    s.put("region", region);
    s.put("auth", iam ? "iam" : "open");
    try {
      this.settings = JSON.writeValueAsBytes(s);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public InvocationType getInvocationType() {
    return InvocationType.NON_BLOCKING;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = request.getHttpURI().getPath();
    if (path == null || !(path.equals(PREFIX) || path.startsWith(PREFIX + "/"))) {
      return false;
    }
    String requestId = requestIds.get();
    request
        .getComponents()
        .getExecutor()
        .execute(() -> serve(request, response, callback, requestId, path));
    return true;
  }

  private void serve(
      Request request, Response response, Callback callback, String requestId, String path) {
    response.getHeaders().put("x-amzn-RequestId", requestId);
    if (path.startsWith(API_PREFIX)) {
      serveApi(request, response, callback, requestId, path.substring(API_PREFIX.length()));
      return;
    }
    String method = request.getMethod();
    if (!HttpMethod.GET.is(method) && !HttpMethod.HEAD.is(method)) {
      response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
      sendText(response, callback, 405, "The console's pages are only read (GET).");
      return;
    }
    if (path.equals(PREFIX)) {
      response.getHeaders().put(HttpHeader.LOCATION, PREFIX + "/");
      sendText(response, callback, 302, "");
      return;
    }
    String name = path.substring(PREFIX.length() + 1);
    if (name.isEmpty()) {
      name = "index.html";
    }
    if (name.equals("settings.json")) {
      send(response, callback, 200, "application/json", settings);
      return;
    }
    byte[] file = FILE.matcher(name).matches() ? resource(name) : null;
    if (file == null) {
      sendText(response, callback, 404, "No such console page: " + name);
      return;
    }
    String type = TYPES.get(name.substring(name.lastIndexOf('.') + 1));
    send(response, callback, 200, type, HttpMethod.HEAD.is(method) ? new byte[0] : file);
  }

  private static byte[] resource(String name) {
    String path = VENDOR.getOrDefault(name, "/console/" + name);
    try (InputStream in = ConsoleHandler.class.getResourceAsStream(path)) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void serveApi(
      Request request, Response response, Callback callback, String requestId, String opName) {
    int status;
    byte[] body;
    try {
      checkOrigin(request);
      if (!HttpMethod.POST.is(request.getMethod())) {
        throw new DynamoException(
            WireError.UNKNOWN_OPERATION, "Console operations are POSTed, not sent with GET.");
      }
      ConsoleOperation op =
          api.find(opName)
              .orElseThrow(
                  () ->
                      new DynamoException(
                          WireError.UNKNOWN_OPERATION, "Unknown operation: " + abbreviate(opName)));
      byte[] raw =
          RequestBodies.read(
              request,
              MAX_BODY,
              () ->
                  new DynamoException(
                      WireError.REQUEST_TOO_LARGE,
                      "Request body must be at most " + MAX_BODY + " bytes."));
      JsonNode input = parse(raw);
      SignedRequest signed = RequestBodies.signed(request, raw);
      ObjectNode output =
          gate.serve(
              signed,
              ConsoleApi.SERVICE_PREFIX + op.name(),
              input,
              caller -> op.execute(input, check -> visibility.allows(signed, caller, check)));
      status = 200;
      body = JSON.writeValueAsBytes(output);
    } catch (DynamoException e) {
      status = e.error().httpStatus();
      body = errorBody(e.error().typeName(), e.getMessage());
    } catch (IOException | RuntimeException e) {
      log.error("Console request {} failed unexpectedly", requestId, e);
      status = WireError.INTERNAL_SERVER_ERROR.httpStatus();
      body =
          errorBody(
              WireError.INTERNAL_SERVER_ERROR.typeName(),
              "The server encountered an internal error; its log has the details under this"
                  + " request's id.");
    }
    send(response, callback, status, "application/x-amz-json-1.0", body);
  }

  /**
   * A browser names the page that sent a request in {@code Origin}; only the server's own page may
   * call the console API (other clients send no Origin and are judged by their signature alone).
   */
  private static void checkOrigin(Request request) {
    String origin = request.getHeaders().get(HttpHeader.ORIGIN);
    if (origin == null) {
      return;
    }
    String host = request.getHeaders().get(HttpHeader.HOST);
    String own = (request.isSecure() ? "https://" : "http://") + host;
    if (host == null || !origin.equalsIgnoreCase(own)) {
      throw new DynamoException(
          WireError.ACCESS_DENIED,
          "The console API answers only the console's own pages; cross-origin requests from "
              + abbreviate(origin)
              + " are refused.");
    }
  }

  private static JsonNode parse(byte[] raw) {
    if (raw.length == 0) {
      return JSON.createObjectNode();
    }
    JsonNode n;
    try {
      n = JSON.readTree(raw);
    } catch (IOException e) {
      throw DynamoException.serialization("Request body is not valid JSON.");
    }
    if (n == null || !n.isObject()) {
      throw DynamoException.serialization("Request body must be a JSON object.");
    }
    return n;
  }

  private static byte[] errorBody(String type, String message) {
    ObjectNode o = JSON.createObjectNode();
    o.put("__type", "com.amazonaws.dynamodb.v20120810#" + type);
    o.put("message", message);
    try {
      return JSON.writeValueAsBytes(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void sendText(Response response, Callback callback, int status, String text) {
    send(
        response,
        callback,
        status,
        "text/plain; charset=utf-8",
        text.getBytes(StandardCharsets.UTF_8));
  }

  private static void send(
      Response response, Callback callback, int status, String type, byte[] body) {
    response.setStatus(status);
    var h = response.getHeaders();
    h.put(HttpHeader.CONTENT_TYPE, type);
    h.put(HttpHeader.CACHE_CONTROL, "no-store");
    h.put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    h.put("X-Content-Type-Options", "nosniff");
    h.put("X-Frame-Options", "DENY");
    h.put("Referrer-Policy", "no-referrer");
    h.put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  private static String abbreviate(String s) {
    return s.length() <= 120 ? s : s.substring(0, 120) + "...";
  }
}
