package dev.tidemark.replication;

import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
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
 * What every server-to-server endpoint on the API port does the same way, so that none of them can
 * drift from the others on the part that guards the door: it claims its path prefix only (anything
 * else passes on to the next handler), serves on the pool, accepts POSTs only, reads a body bounded
 * whatever the sender declared, verifies the {@link PeerAuth} signature before anything else looks
 * at the body, maps failures to a status (403 for a refused signature or a server without a
 * secret), and stamps every answer with this server's clock for the peer's skew measurement ({@link
 * ClockSkew}). Subclasses decide what a verified request does and how an error is framed.
 */
abstract class PeerEndpoint extends Handler.Abstract {
  private static final Logger log = LoggerFactory.getLogger(PeerEndpoint.class);

  private final String prefix;
  private final int maxBody;
  private final String kind;
  private final String withoutSecret;

  /** This server's clock: signatures' freshness, and the skew header on answers. */
  protected final LongSupplier clock;

  /**
   * @param prefix the path prefix claimed; the rest of the path is the operation
   * @param maxBody the largest request body accepted, in bytes
   * @param kind what the requests are called in messages and logs ("replication", "copy", ...)
   * @param withoutSecret why a server without a replication secret refuses these requests
   */
  protected PeerEndpoint(
      String prefix, int maxBody, String kind, String withoutSecret, LongSupplier clock) {
    this.prefix = prefix;
    this.maxBody = maxBody;
    this.kind = kind;
    this.withoutSecret = withoutSecret;
    this.clock = clock;
  }

  /** The signature checker now, or null when this server has no replication secret. */
  protected abstract PeerAuth auth();

  /** The answer to a request whose signature checked out, sent by region {@code from}. */
  protected abstract byte[] answer(String op, String from, byte[] body) throws IOException;

  /** An error's body, in the framing the peer's client reads. */
  protected abstract byte[] errorBody(WireError error, String message);

  /**
   * How many leading bytes of a request's body its signature covers: all of them, unless the
   * operation authenticates the rest another way (read before the signature is checked, so it may
   * only look at the body's framing).
   */
  protected int signedLength(String op, byte[] body) {
    return body.length;
  }

  protected String contentType() {
    return "application/json";
  }

  /** Adds headers to an answer before it is written (for example a signature over it). */
  protected void decorate(Response response, String path, String signature, byte[] answer) {}

  /** Claiming looks at the path only; the work goes to the pool. */
  @Override
  public InvocationType getInvocationType() {
    return InvocationType.NON_BLOCKING;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = request.getHttpURI().getPath();
    if (path == null || !path.startsWith(prefix)) {
      return false;
    }
    request.getComponents().getExecutor().execute(() -> serve(request, response, callback, path));
    return true;
  }

  private void serve(Request request, Response response, Callback callback, String path) {
    String op = path.substring(prefix.length());
    String signature = request.getHeaders().get(PeerAuth.HEADER);
    int status = 200;
    byte[] answer;
    try {
      if (!HttpMethod.POST.is(request.getMethod())) {
        throw DynamoException.validation(kind + " requests are POSTs, not " + request.getMethod());
      }
      byte[] body = readBody(request);
      PeerAuth auth = auth();
      if (auth == null) {
        throw new PeerAuth.Refused(withoutSecret);
      }
      int signed = signedLength(op, body);
      String from =
          auth.verify(
              signature,
              clock.getAsLong(),
              path,
              signed == body.length ? body : Arrays.copyOf(body, signed));
      answer = answer(op, from, body);
    } catch (PeerAuth.Refused e) {
      status = 403;
      answer = errorBody(WireError.ACCESS_DENIED, e.getMessage());
      log.warn(
          "Refused {} request {} from {}: {}",
          kind,
          op,
          Request.getRemoteAddr(request),
          e.getMessage());
    } catch (DynamoException e) {
      status = e.error().httpStatus();
      answer = errorBody(e.error(), e.getMessage());
    } catch (RuntimeException | IOException e) {
      log.error("The {} request {} failed", kind, op, e);
      status = 500;
      answer = errorBody(WireError.INTERNAL_SERVER_ERROR, e.toString());
    }
    response.setStatus(status);
    response.getHeaders().put(ClockSkew.HEADER, Long.toString(clock.getAsLong()));
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType());
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, answer.length);
    decorate(response, path, signature, answer);
    response.write(true, ByteBuffer.wrap(answer), callback);
  }

  /** Read before the signature can be checked, so bounded whatever the sender declared. */
  private byte[] readBody(Request request) throws IOException {
    if (request.getLength() > maxBody) {
      throw DynamoException.validation(kind + " request body too large");
    }
    long declared = request.getLength();
    byte[] body;
    try (var in = Content.Source.asInputStream(request)) {
      if (declared >= 0) {
        // Read straight into one array of the declared length: reading to the limit instead
        // gathers the body in 8 KiB pieces and copies them together, which on a copy's 1 MiB
        // frames cost more CPU than anything but the cryptography.
        body = new byte[(int) declared];
        int n = in.readNBytes(body, 0, body.length);
        if (n != body.length || in.read() != -1) {
          throw DynamoException.validation(kind + " request body does not match its length");
        }
        return body;
      }
      body = in.readNBytes(maxBody + 1);
    }
    if (body.length > maxBody) {
      throw DynamoException.validation(kind + " request body too large");
    }
    return body;
  }
}
