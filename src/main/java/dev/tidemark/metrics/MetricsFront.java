package dev.tidemark.metrics;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /metrics} in Prometheus's exposition format, on the API's own port. It claims that one
 * path and nothing else, so every other request passes on to the API fronts. Unsigned, as scrapers
 * do not sign; {@link ServerMetrics} keeps the content free of names and identities for that
 * reason.
 */
public final class MetricsFront extends Handler.Abstract {
  public static final String PATH = "/metrics";

  private final ServerMetrics metrics;

  public MetricsFront(ServerMetrics metrics) {
    this.metrics = Objects.requireNonNull(metrics);
  }

  @Override
  public InvocationType getInvocationType() {
    return InvocationType.NON_BLOCKING;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    if (!PATH.equals(request.getHttpURI().getPath())) {
      return false;
    }
    // Gauges read summaries (replication status, disk space): not on the selector thread.
    request.getComponents().getExecutor().execute(() -> serve(request, response, callback));
    return true;
  }

  private void serve(Request request, Response response, Callback callback) {
    String method = request.getMethod();
    if (!HttpMethod.GET.is(method) && !HttpMethod.HEAD.is(method)) {
      response.setStatus(405);
      response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
      response.write(
          true,
          ByteBuffer.wrap("/metrics answers GET only\n".getBytes(StandardCharsets.UTF_8)),
          callback);
      return;
    }
    String accept = request.getHeaders().get(HttpHeader.ACCEPT);
    byte[] body;
    try {
      body = metrics.scrape(accept).getBytes(StandardCharsets.UTF_8);
    } catch (RuntimeException e) {
      callback.failed(e);
      return;
    }
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, ServerMetrics.contentType(accept));
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    if (HttpMethod.HEAD.is(method)) {
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
      response.write(true, null, callback);
    } else {
      response.write(true, ByteBuffer.wrap(body), callback);
    }
  }
}
