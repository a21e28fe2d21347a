package dev.tidemark.replication;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * POSTs to one peer over HTTP/1.1 (plain, or TLS for an {@code https} peer) on kept-alive
 * connections, each exchange entirely on the calling thread (Apache HttpClient 5, classic blocking
 * I/O). It carries the shipping of replicated writes ({@link ApplyFrame}s), which sends a small
 * frame to every peer up to a hundred times a second per link.
 *
 * <p><i>Why not {@code java.net.http.HttpClient}:</i> it passes every exchange between the caller,
 * its selector thread and its executor through chains of futures. On the bench machine (three
 * regions on two cores) its threads and the shipper's wait in it used about 90% of the CPU a region
 * spent on shipping, roughly 0.4 ms per request: as much as the peer then spent applying the
 * frame's records. Other peer calls (control messages, fills, copies) still use it; their rate is
 * low.
 *
 * <p>Nothing is ever sent twice here (automatic retries are off): a failed exchange is the caller's
 * to retry, and the shipper does, with applies that are idempotent. A connection idle for a while
 * is checked before reuse and one idle for {@link #MAX_IDLE} (well under the server's keep-alive
 * timeout) is closed, so that a request is not written into a connection the peer has closed.
 * {@link #close} also closes connections in use, which ends a blocked read at once.
 */
final class PeerHttp implements AutoCloseable {
  private static final TimeValue MAX_IDLE = TimeValue.ofSeconds(10);

  /**
   * A connection idle for longer is checked for a close from the peer before reuse (a read of a
   * millisecond). While shipping is busy, connections are reused sooner and never pay for it.
   */
  private static final TimeValue CHECK_AFTER_IDLE = TimeValue.ofMilliseconds(50);

  /** A peer's answer: status, its {@link ClockSkew#HEADER} (null if absent) and body. */
  record Answer(int status, String clock, byte[] body) {}

  private final HttpHost target;
  private final PoolingHttpClientConnectionManager pool;
  private final CloseableHttpClient client;

  /** When idle connections were last closed ({@link System#nanoTime}), at most once a second. */
  private final AtomicLong idleSweep = new AtomicLong(System.nanoTime());

  /**
   * @param tls for an {@code https} peer: what its certificate is checked against ({@link
   *     PeerTls}); null for the JDK's trusted authorities
   */
  PeerHttp(URI base, javax.net.ssl.SSLContext tls) {
    if (!serves(base)) {
      throw new IllegalArgumentException("http or https only: " + base);
    }
    boolean https = "https".equalsIgnoreCase(base.getScheme());
    this.target =
        new HttpHost(
            https ? "https" : "http",
            base.getHost(),
            base.getPort() < 0 ? (https ? 443 : 80) : base.getPort());
    PoolingHttpClientConnectionManagerBuilder builder =
        PoolingHttpClientConnectionManagerBuilder.create();
    if (https) {
      // The peer's name is checked against its certificate, as the JDK's client does.
      builder.setTlsSocketStrategy(
          org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder.create()
              .setSslContext(
                  tls != null ? tls : org.apache.hc.core5.ssl.SSLContexts.createSystemDefault())
              .buildClassic());
    }
    PoolingHttpClientConnectionManager pool =
        builder
            .setDefaultConnectionConfig(
                ConnectionConfig.custom()
                    .setConnectTimeout(Timeout.ofSeconds(2))
                    .setValidateAfterInactivity(CHECK_AFTER_IDLE)
                    .build())
            // One shipper per table and peer sends at a time; a few tables may share a peer.
            .setMaxConnPerRoute(8)
            .setMaxConnTotal(8)
            .build();
    this.pool = pool;
    // The minimal client: one exchange on a pooled connection, with only the request interceptors
    // HTTP/1.1 needs (Content-Length, Host, Connection, User-Agent). The full client's chain
    // (retry, redirect, protocol and connect stages, cookies, auth state) does nothing for a
    // signed POST to a fixed peer. On the three-region bench those layers were about
    // half of the shipper's sampled CPU, and at a few dozen requests a second they are code the
    // JIT compiles last. No retries here either.
    this.client = HttpClients.createMinimal(pool);
  }

  /** Whether {@code base} is a peer this sender can reach (HTTP or HTTPS). */
  static boolean serves(URI base) {
    return ("http".equalsIgnoreCase(base.getScheme()) || "https".equalsIgnoreCase(base.getScheme()))
        && base.getHost() != null;
  }

  /**
   * POSTs {@code body} to {@code path} with the given headers (name, value pairs) and reads the
   * whole answer. {@code timeout} bounds every wait for the peer's next bytes.
   *
   * @throws IOException when the exchange failed; its connection is then closed
   */
  Answer post(String path, String[] headers, byte[] body, Duration timeout) throws IOException {
    HttpPost post = new HttpPost(path);
    for (int i = 0; i < headers.length; i += 2) {
      post.addHeader(headers[i], headers[i + 1]);
    }
    // The caller's Content-Type header stands; the entity adds only the length.
    post.setEntity(new ByteArrayEntity(body, null));
    post.setConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(timeout)).build());
    try {
      closeIdle();
      return exchange(post);
    } catch (IllegalStateException e) {
      // The pool was shut down by close(): a failed exchange like any other.
      throw new IOException("the connection to " + target + " is closed", e);
    }
  }

  /**
   * Closes connections idle for {@link #MAX_IDLE}, checked before a request at most once a second
   * (what the full client's evictor thread did on its own schedule): a connection the peer may have
   * timed out is not the one the next request is written into.
   */
  private void closeIdle() {
    long now = System.nanoTime();
    long last = idleSweep.get();
    if (now - last >= 1_000_000_000L && idleSweep.compareAndSet(last, now)) {
      pool.closeIdle(MAX_IDLE);
    }
  }

  private Answer exchange(HttpPost post) throws IOException {
    return client.execute(
        target,
        post,
        response -> {
          Header clock = response.getFirstHeader(ClockSkew.HEADER);
          byte[] answer =
              response.getEntity() == null
                  ? new byte[0]
                  : EntityUtils.toByteArray(response.getEntity());
          return new Answer(response.getCode(), clock == null ? null : clock.getValue(), answer);
        });
  }

  @Override
  public void close() {
    // The client owns its pool: this closes every connection, those in use included.
    client.close(CloseMode.IMMEDIATE);
  }
}
