package dev.tidemark.protocol;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.Operations;
import dev.tidemark.api.RequestContext;
import dev.tidemark.auth.Authenticator;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.SignedRequest;
import dev.tidemark.changelog.Writers;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.model.Unicode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DynamoDB JSON-over-HTTP request pipeline. {@link #answer} reads top to bottom in the order a
 * request is checked; every refusal is a {@link DynamoException}, rendered in {@link
 * Wire#errorBody}.
 *
 * <p>Routing: {@code X-Amz-Target: DynamoDB_20120810.PutItem} dispatches to the action named {@code
 * PutItem}. Streams requests, {@code DynamoDBStreams_20120810.GetRecords}, dispatch to an action
 * named by the <em>whole</em> target, so the two APIs share one table and a Streams operation can
 * never be mistaken for a main-API operation of the same name.
 *
 * <p>A request whose body has arrived and whose action never waits (reads, item writes) runs on the
 * selector thread that read it; everything else runs on a pool thread, where it may block.
 */
final class DynamoHandler extends Handler.Abstract {
  static final String MAIN_TARGET_PREFIX = "DynamoDB_20120810.";
  static final String STREAMS_TARGET_PREFIX = "DynamoDBStreams_20120810.";

  /** {@code GET} here answers the server's own status (free space, what uses it), as JSON. */
  static final String STATUS_PATH = "/tidemark/status";

  /** The action serving {@link #STATUS_PATH}; its dotted name is unreachable through a target. */
  static final String STATUS_ACTION = "Tidemark.Status";

  private static final Logger log = LoggerFactory.getLogger(DynamoHandler.class);
  private static final byte[] EMPTY = new byte[0];
  private static final byte[] INTERNAL_ERROR_BODY =
      Wire.errorBody(
          new DynamoException(
              WireError.INTERNAL_SERVER_ERROR,
              "The server encountered an internal error; its log has the details under this"
                  + " request's id."));

  private final Operations operations;
  private final Authenticator authenticator;
  private final Supplier<String> requestIds;
  private final long maxBodyBytes;
  private final Executor workers;
  private final Acknowledgements acknowledgements;

  DynamoHandler(
      Operations operations,
      Authenticator authenticator,
      Supplier<String> requestIds,
      long maxBodyBytes,
      Executor workers,
      Acknowledgements acknowledgements) {
    this.operations = Objects.requireNonNull(operations);
    this.acknowledgements = Objects.requireNonNull(acknowledgements);
    this.workers = Objects.requireNonNull(workers);
    this.authenticator = Objects.requireNonNull(authenticator);
    this.requestIds = Objects.requireNonNull(requestIds);
    if (maxBodyBytes <= 0 || maxBodyBytes > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("maxBodyBytes out of range: " + maxBodyBytes);
    }
    this.maxBodyBytes = maxBodyBytes;
  }

  /**
   * Non-blocking to Jetty, so that a request whose body has arrived and whose action never waits
   * (reads, and item writes, whose answers wait for durability in {@link Acknowledgements} rather
   * than on a thread) is served on the selector thread that read it: no thread handoff, no wake-up,
   * and on a two-core machine far fewer runnable threads competing for the cores. Everything else
   * is handed to the pool, where blocking (a body still in flight, a backup) is fine.
   */
  @Override
  public InvocationType getInvocationType() {
    return InvocationType.NON_BLOCKING;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String requestId = requestIds.get();
    Body body = new Body(request, maxBodyBytes);
    if (!mayWait(request) && body.fillWithoutWaiting()) {
      serve(request, response, callback, requestId, body);
    } else {
      workers.execute(() -> serve(request, response, callback, requestId, body));
    }
    return true;
  }

  /** False only when the request is for an action known never to wait; anything odd may wait. */
  private boolean mayWait(Request request) {
    String method = request.getMethod();
    if (HttpMethod.GET.is(method) || HttpMethod.HEAD.is(method)) {
      // The status reads file sizes and RocksDB properties: not for a selector thread.
      return STATUS_PATH.equals(request.getHttpURI().getPath());
    }
    String target = request.getHeaders().get("X-Amz-Target");
    if (target == null || !target.startsWith(MAIN_TARGET_PREFIX)) {
      return true;
    }
    Action action = operations.find(target.substring(MAIN_TARGET_PREFIX.length())).orElse(null);
    return action == null || action.mayWait();
  }

  private void serve(
      Request request, Response response, Callback callback, String requestId, Body bodySource) {
    String method = request.getMethod();
    if (!HttpMethod.POST.is(method)
        && serveWithoutAction(request, response, callback, requestId, bodySource)) {
      return;
    }
    int status;
    byte[] body;
    acknowledgements.begin();
    try {
      body = Json.write(answer(request, requestId, bodySource));
      status = 200;
    } catch (DynamoException e) {
      status = e.error().httpStatus();
      body = Wire.errorBody(e);
      if (e.error() == WireError.REQUEST_TOO_LARGE) {
        // The rest of the body is still on its way; closing is cheaper than reading it to discard.
        response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE);
      }
      if (log.isDebugEnabled()) {
        log.debug("Request {} refused: {} {}", requestId, e.error().typeName(), e.getMessage());
      }
    } catch (IOException e) {
      // Reading the body failed: the client went away or stalled past the idle timeout. Nobody
      // is left to read an answer, so let Jetty abort the exchange.
      log.debug("Request {} body could not be read", requestId, e);
      acknowledgements.end(() -> callback.failed(e), failure -> callback.failed(e));
      return;
    } catch (RuntimeException e) {
      log.error("Request {} failed unexpectedly", requestId, e);
      status = WireError.INTERNAL_SERVER_ERROR.httpStatus();
      body = INTERNAL_ERROR_BODY;
    }
    int finalStatus = status;
    // Small answers (nearly all) skip even the header lookup; a large one is compressed here, on
    // the request's thread, not on the durability thread that may send it.
    ContentCodings.Coding coding =
        body.length > ContentCodings.RESPONSE_THRESHOLD_BYTES
            ? ContentCodings.negotiate(request.getHeaders().get(HttpHeader.ACCEPT_ENCODING))
            : null;
    byte[] finalBody = coding == null ? body : ContentCodings.encode(coding, body);
    Cors.decorate(request, response);
    // Even a refusal waits: a failed transaction or condition may follow writes of the same
    // request (a partly processed batch) that must be durable before anything is answered.
    // The answer may go out from the sync thread after this handler returned; that thread then
    // also resumes the connection, instead of handing it to a pool thread (RequestThreads).
    acknowledgements.end(
        () ->
            RequestThreads.sendThenResume(
                () -> Wire.send(response, callback, finalStatus, finalBody, requestId, coding)),
        failure ->
            RequestThreads.sendThenResume(
                () -> sendFailure(response, callback, requestId, failure)));
  }

  /** Answers a request whose writes could not be made durable. */
  private static void sendFailure(
      Response response, Callback callback, String requestId, RuntimeException failure) {
    if (failure instanceof DynamoException refusal) {
      // A known condition (the disk filled before the fsync), logged once where it is detected;
      // the write was never acknowledged and the client may retry.
      log.debug("Request {} not made durable: {}", requestId, refusal.getMessage());
      Wire.sendError(response, callback, refusal, requestId);
      return;
    }
    log.error("Request {} wrote data that could not be made durable", requestId, failure);
    Wire.send(
        response,
        callback,
        WireError.INTERNAL_SERVER_ERROR.httpStatus(),
        INTERNAL_ERROR_BODY,
        requestId,
        null);
  }

  /**
   * Answers what is not an operation: the health check ({@code GET /}, answered as DynamoDB does
   * with {@code healthy: <Host>}), a GET of any other path (400), and CORS preflights ({@code
   * OPTIONS}, no authentication). Returns false for other methods, which are refused as operations
   * are, after their body is read.
   */
  private boolean serveWithoutAction(
      Request request, Response response, Callback callback, String requestId, Body bodySource) {
    String method = request.getMethod();
    boolean get = HttpMethod.GET.is(method) || HttpMethod.HEAD.is(method);
    if (!get && !HttpMethod.OPTIONS.is(method)) {
      return false;
    }
    if (get && STATUS_PATH.equals(request.getHttpURI().getPath())) {
      return false; // answered as an action: it needs the pool and the JSON response path
    }
    if (!get) {
      // A preflight may carry a body. Answering with it unread left Jetty to discard it while the
      // connection's next request was already being served, which now and then dropped that next
      // request's answer (HostileInputFuzzTest seeds 3 and 3179033447646).
      try {
        bodySource.readAll();
      } catch (DynamoException tooLarge) {
        response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE);
      } catch (IOException e) {
        callback.failed(e);
        return true;
      }
    }
    Cors.decorate(request, response);
    if (!get) {
      Cors.preflight(request, response);
      Wire.sendText(response, callback, 200, "", requestId);
    } else if ("/".equals(request.getHttpURI().getPath())) {
      Wire.sendText(response, callback, 200, "healthy: " + addressedTo(request), requestId);
    } else {
      Wire.sendError(
          response,
          callback,
          new DynamoException(
              WireError.UNKNOWN_OPERATION,
              "GET answers health checks on / only; DynamoDB operations are POSTed to /."),
          requestId);
    }
    return true;
  }

  /** Checks the request step by step and runs its action; throws what the client is to see. */
  private JsonNode answer(Request request, String requestId, Body bodySource) throws IOException {
    long receivedAtMillis = Request.getTimeStamp(request);
    String method = request.getMethod();
    if ((HttpMethod.GET.is(method) || HttpMethod.HEAD.is(method))
        && STATUS_PATH.equals(request.getHttpURI().getPath())) {
      Action status = operations.find(STATUS_ACTION).orElse(null);
      if (status != null) {
        return status.execute(
            new RequestContext(
                requestId,
                CallerIdentity.anonymous("local"),
                receivedAtMillis,
                addressedTo(request)),
            Json.MAPPER.createObjectNode());
      }
    }
    // Read before any check that can refuse: a refusal sent while body bytes are still in flight
    // makes Jetty close the connection after the response, without telling the client, whose
    // pool then fails its next request on that dead connection.
    byte[] body = bodySource.readAll();

    if (!HttpMethod.POST.is(method)) {
      throw new DynamoException(
          WireError.UNKNOWN_OPERATION,
          "Only POST requests carry DynamoDB operations (GET answers health checks), not "
              + method
              + ".");
    }
    HttpFields headers = request.getHeaders();
    Action action = route(headers.get("X-Amz-Target"));
    checkContentType(headers.get(HttpHeader.CONTENT_TYPE));
    // A compressed body is decoded for parsing; the signature covers the bytes as received.
    String contentEncoding = headers.get(HttpHeader.CONTENT_ENCODING);
    JsonNode input =
        parse(
            contentEncoding == null
                ? body
                : ContentCodings.decode(contentEncoding, body, maxBodyBytes));

    // Authentication, authorization and the audit trail of every operation: the one gate
    // (auth.Authenticator) admits the request and runs the action.
    ObjectNode output =
        authenticator.serve(
            new SignedRequest(
                method,
                request.getHttpURI().getPath(),
                request.getHttpURI().getQuery(),
                headers::get,
                body,
                Request.getRemoteAddr(request),
                request.isSecure()),
            action.name(),
            input,
            caller -> {
              // Change records name who wrote them (item history); see changelog.Writers.
              Writers.actingAs(caller);
              try {
                return action.execute(
                    new RequestContext(requestId, caller, receivedAtMillis, addressedTo(request)),
                    input);
              } finally {
                Writers.done();
              }
            });
    if (output == null) {
      // Serialising null would answer a 200 with body "null", which every SDK chokes on.
      throw new IllegalStateException("action " + action.name() + " returned null");
    }
    return output;
  }

  /** The Host header as sent; without one (HTTP/1.0), the local address the request came in on. */
  private static String addressedTo(Request request) {
    String host = request.getHeaders().get(HttpHeader.HOST);
    if (host != null && !host.isBlank()) {
      return host.strip();
    }
    String name = Request.getLocalAddr(request);
    return (name.indexOf(':') >= 0 ? "[" + name + "]" : name) + ":" + Request.getLocalPort(request);
  }

  private Action route(String target) {
    if (target == null) {
      throw new DynamoException(
          WireError.UNKNOWN_OPERATION,
          "Missing X-Amz-Target header; expected " + MAIN_TARGET_PREFIX + "<Operation>.");
    }
    String name = null;
    if (target.startsWith(MAIN_TARGET_PREFIX)) {
      name = target.substring(MAIN_TARGET_PREFIX.length());
      // Without this a main-API target could reach a Streams action by embedding its prefix.
      if (name.indexOf('.') >= 0) {
        name = null;
      }
    } else if (target.startsWith(STREAMS_TARGET_PREFIX)) {
      name = target;
    }
    Action action = name == null ? null : operations.find(name).orElse(null);
    if (action == null) {
      throw new DynamoException(
          WireError.UNKNOWN_OPERATION, "Unknown operation: " + abbreviate(target));
    }
    return action;
  }

  // An absent Content-Type is let through: curl users forget it and the body says what it is.
  private static void checkContentType(String contentType) {
    if (contentType == null) {
      return;
    }
    int semicolon = contentType.indexOf(';');
    String media = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip();
    if (media.equalsIgnoreCase("application/x-amz-json-1.0")
        || media.equalsIgnoreCase("application/x-amz-json-1.1")
        || media.equalsIgnoreCase("application/json")) {
      return;
    }
    throw new DynamoException(
        WireError.UNKNOWN_OPERATION,
        "Unsupported Content-Type '"
            + abbreviate(contentType)
            + "'; DynamoDB requests use application/x-amz-json-1.0.");
  }

  /**
   * A request body being read into one array. With a Content-Length (what the SDKs send) the array
   * is sized once; a chunked body grows it, and the size limit is enforced as bytes arrive. A
   * refusal or read failure is kept and thrown by {@link #readAll}, so every request is answered by
   * the same code whichever thread read its body.
   */
  private static final class Body {
    private final Request request;
    private final long maxBodyBytes;
    private byte[] buffer;
    private int filled;
    private boolean complete;
    private DynamoException refusal;
    private IOException failure;

    Body(Request request, long maxBodyBytes) {
      this.request = request;
      this.maxBodyBytes = maxBodyBytes;
      long declared = request.getLength();
      if (declared > maxBodyBytes) {
        refusal = tooLarge(maxBodyBytes);
      } else if (declared == 0 || HttpMethod.GET.is(request.getMethod())) {
        buffer = EMPTY;
        complete = true;
      } else {
        buffer = new byte[declared > 0 ? (int) declared : 8192];
      }
    }

    /** Reads what has arrived; true when nothing is left to wait for (done, refused or failed). */
    boolean fillWithoutWaiting() {
      while (!done()) {
        Content.Chunk chunk = request.read();
        if (chunk == null) {
          return false;
        }
        take(chunk);
      }
      return true;
    }

    byte[] readAll() throws IOException {
      while (!done()) {
        Content.Chunk chunk = request.read();
        if (chunk == null) {
          try (Blocker.Runnable blocker = Blocker.runnable()) {
            request.demand(blocker);
            blocker.block();
          }
          continue;
        }
        take(chunk);
      }
      if (refusal != null) {
        throw refusal;
      }
      if (failure != null) {
        throw failure;
      }
      return filled == buffer.length ? buffer : Arrays.copyOf(buffer, filled);
    }

    private boolean done() {
      return complete || refusal != null || failure != null;
    }

    private void take(Content.Chunk chunk) {
      if (Content.Chunk.isFailure(chunk)) {
        Throwable cause = chunk.getFailure();
        failure = cause instanceof IOException io ? io : new IOException(cause);
        return;
      }
      try {
        ByteBuffer bytes = chunk.getByteBuffer();
        int n = bytes.remaining();
        if ((long) filled + n > maxBodyBytes) {
          refusal = tooLarge(maxBodyBytes);
          return;
        }
        if (filled + n > buffer.length) {
          buffer =
              Arrays.copyOf(
                  buffer, (int) Math.min(maxBodyBytes, Math.max(filled + n, 2L * buffer.length)));
        }
        bytes.get(buffer, filled, n);
        filled += n;
        complete = chunk.isLast();
      } finally {
        chunk.release();
      }
    }
  }

  private static JsonNode parse(byte[] body) {
    // The AWS JSON protocol treats an empty body as an empty input structure.
    if (body.length == 0) {
      return Json.MAPPER.createObjectNode();
    }
    JsonNode input;
    try {
      input = Json.MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw DynamoException.serialization(describe(e));
    } catch (IOException e) {
      throw DynamoException.serialization("Request body could not be read as JSON.");
    }
    if (input == null || !input.isObject()) {
      throw DynamoException.serialization("Request body must be a JSON object.");
    }
    String illFormed = Unicode.maySpellSurrogates(body) ? Unicode.firstIllFormed(input) : null;
    if (illFormed != null) {
      // A lone surrogate escape parses as JSON but is no Unicode text: no attribute, name or key
      // may hold one (storage could not encode it faithfully).
      throw DynamoException.serialization(
          "Request body is not valid JSON: a string holds an unpaired UTF-16 surrogate: "
              + abbreviate(escapeSurrogates(illFormed)));
    }
    return input;
  }

  // Jackson's own text names the offending token; its source dump and stack trace are noise.
  private static String describe(JsonProcessingException e) {
    String original = e.getOriginalMessage();
    String first = original == null ? "malformed input" : original.lines().findFirst().orElse("");
    StringBuilder message = new StringBuilder("Request body is not valid JSON: ");
    message.append(abbreviate(first));
    JsonLocation where = e.getLocation();
    if (where != null && where.getLineNr() > 0) {
      message.append(" (line ").append(where.getLineNr());
      message.append(", column ").append(where.getColumnNr()).append(')');
    }
    return message.toString();
  }

  private static DynamoException tooLarge(long maxBodyBytes) {
    return new DynamoException(
        WireError.REQUEST_TOO_LARGE, "Request body must be at most " + maxBodyBytes + " bytes.");
  }

  /**
   * The text with every surrogate spelled as its JSON escape, so that the message itself is sound.
   */
  private static String escapeSurrogates(String s) {
    StringBuilder out = new StringBuilder(s.length() + 12);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        out.append(String.format("\\u%04X", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static String abbreviate(String s) {
    return s.length() <= 120 ? s : s.substring(0, 120) + "...";
  }
}
