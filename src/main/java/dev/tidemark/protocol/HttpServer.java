package dev.tidemark.protocol;

import dev.tidemark.api.Operations;
import dev.tidemark.auth.Authenticator;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP endpoint: Jetty's core API, HTTP/1.1 with keep-alive (over TLS when {@link #useTls} was
 * called), serving {@link DynamoHandler}. One instance serves one start/stop cycle.
 */
public final class HttpServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HttpServer.class);
  static final int MAX_HEADER_BYTES = 16 * 1024;

  /**
   * Tunables, with defaults sized for a small machine.
   *
   * @param maxBodyBytes largest accepted request body; DynamoDB refuses bodies over 16 MB
   * @param idleTimeout how long an idle keep-alive connection stays open
   * @param drainTimeout how long {@link #stop()} waits for in-flight requests
   * @param maxThreads upper bound of the request thread pool
   */
  public record Limits(
      long maxBodyBytes, Duration idleTimeout, Duration drainTimeout, int maxThreads) {
    /** 16 MiB plus headroom, so a request DynamoDB accepts is never refused here. */
    public static final long DEFAULT_MAX_BODY_BYTES = 16L * 1024 * 1024 + 64 * 1024;

    public Limits {
      if (maxBodyBytes <= 0) {
        throw new IllegalArgumentException("maxBodyBytes must be positive");
      }
      Objects.requireNonNull(idleTimeout);
      Objects.requireNonNull(drainTimeout);
      if (maxThreads < 8) {
        throw new IllegalArgumentException("maxThreads must be at least 8 (Jetty needs some)");
      }
    }

    public static Limits defaults() {
      // Actions block on storage, so more threads than cores; but on two cores a large pool only
      // adds context switches.
      int threads = Math.max(16, 8 * Runtime.getRuntime().availableProcessors());
      return new Limits(
          DEFAULT_MAX_BODY_BYTES, Duration.ofSeconds(60), Duration.ofSeconds(5), threads);
    }

    public Limits withMaxBodyBytes(long bytes) {
      return new Limits(bytes, idleTimeout, drainTimeout, maxThreads);
    }

    public Limits withDrainTimeout(Duration timeout) {
      return new Limits(maxBodyBytes, idleTimeout, timeout, maxThreads);
    }
  }

  private final Operations operations;
  private final Authenticator authenticator;
  private final Supplier<String> requestIds;
  private final Limits limits;
  private final Acknowledgements acknowledgements;
  private final java.util.List<org.eclipse.jetty.server.Handler> fronts =
      new java.util.ArrayList<>();
  private TlsCredentials tls;
  private Server server;
  private ServerConnector connector;

  /** A development-mode server: any credentials are accepted. */
  public HttpServer(Operations operations, String region, Supplier<String> requestIds) {
    this(
        operations,
        requestIds,
        Authenticator.acceptAnyCredentials(Objects.requireNonNull(region)),
        Limits.defaults());
  }

  public HttpServer(
      Operations operations,
      Supplier<String> requestIds,
      Authenticator authenticator,
      Limits limits) {
    this(operations, requestIds, authenticator, limits, Acknowledgements.IMMEDIATE);
  }

  /**
   * @param acknowledgements when answers to writes may go out; {@link Acknowledgements#IMMEDIATE}
   *     when the actions wait for durability themselves
   */
  public HttpServer(
      Operations operations,
      Supplier<String> requestIds,
      Authenticator authenticator,
      Limits limits,
      Acknowledgements acknowledgements) {
    this.operations = Objects.requireNonNull(operations);
    this.requestIds = Objects.requireNonNull(requestIds);
    this.authenticator = Objects.requireNonNull(authenticator);
    this.limits = Objects.requireNonNull(limits);
    this.acknowledgements = Objects.requireNonNull(acknowledgements);
  }

  /**
   * Adds another API front on the same port (the IAM and STS query protocol), asked before the
   * DynamoDB handler; it must claim only the requests that are its own and never block the
   * selector.
   */
  public synchronized HttpServer addFront(org.eclipse.jetty.server.Handler front) {
    if (server != null) {
      throw new IllegalStateException("already started");
    }
    fronts.add(Objects.requireNonNull(front));
    return this;
  }

  /**
   * Serves HTTPS only, with this certificate and key: TLS 1.3 and 1.2 and Jetty's default cipher
   * suites (no RSA key exchange, no SHA-1 or MD5 suites, no anonymous or null ciphers).
   */
  public synchronized HttpServer useTls(TlsCredentials credentials) {
    if (server != null) {
      throw new IllegalStateException("already started");
    }
    this.tls = Objects.requireNonNull(credentials);
    return this;
  }

  /** Whether requests arrive over TLS. */
  public synchronized boolean secure() {
    return tls != null;
  }

  /**
   * Binds and starts serving.
   *
   * @param port the port, or 0 for any free one
   * @return the bound port
   */
  public synchronized int start(String host, int port) throws Exception {
    if (server != null) {
      throw new IllegalStateException("already started");
    }
    QueuedThreadPool threads = new RequestThreads(limits.maxThreads(), 4);
    threads.setName("tidemark-http");
    Server jetty = new Server(threads);

    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    // DynamoDB accepts request headers (and a request line) of up to 16 KiB in all; Jetty's
    // default of 8 KiB would refuse requests that DynamoDB serves.
    http.setRequestHeaderSize(MAX_HEADER_BYTES);
    // Jetty keeps a per-connection cache of whole header lines (Authorization, User-Agent, Host,
    // ...) to skip parsing repeated ones. An SDK signs every request anew, so its Authorization
    // line never repeats: each request missed the cache, added its line and, every few requests,
    // emptied the full cache. Without it a SigV4 request's headers parse in less CPU.
    http.setHeaderCacheSize(0);
    // AWS Backup's paths carry ARNs as single labels, so a table ARN arrives with %2F; Jetty
    // refuses such paths by default. The Backup front splits the raw path before decoding.
    http.setUriCompliance(
        org.eclipse.jetty.http.UriCompliance.DEFAULT.with(
            "aws-rest-labels",
            org.eclipse.jetty.http.UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR));

    // Reads and item writes run on the selector thread that read them (see DynamoHandler), so the
    // selectors do most of the work: one per core keeps every core busy without extra threads.
    int selectors = Math.max(1, Runtime.getRuntime().availableProcessors());
    ServerConnector http1;
    if (tls == null) {
      http1 = new ServerConnector(jetty, 1, selectors, new HttpConnectionFactory(http));
    } else {
      SecureRequestCustomizer secure = new SecureRequestCustomizer();
      // Clients reach servers by address (127.0.0.1) as often as by name; whether the name fits
      // the certificate is the client's check to make, not a reason for the server to answer 400.
      secure.setSniHostCheck(false);
      http.addCustomizer(secure);
      http1 =
          new ServerConnector(
              jetty,
              1,
              selectors,
              new SslConnectionFactory(sslContext(tls), "http/1.1"),
              new HttpConnectionFactory(http));
    }
    http1.setHost(host);
    http1.setPort(port);
    http1.setIdleTimeout(limits.idleTimeout().toMillis());
    jetty.addConnector(http1);

    DynamoHandler dynamo =
        new DynamoHandler(
            operations,
            authenticator,
            requestIds,
            limits.maxBodyBytes(),
            threads,
            acknowledgements);
    java.util.List<org.eclipse.jetty.server.Handler> chain = new java.util.ArrayList<>(fronts);
    chain.add(dynamo);
    jetty.setHandler(
        new GracefulHandler(
            new RequestThreads.PoolWhileResuming(
                chain.size() == 1
                    ? dynamo
                    : new org.eclipse.jetty.server.Handler.Sequence(chain))));
    jetty.setErrorHandler(new WireErrorHandler(requestIds));
    // Jetty's graceful stop: connectors stop accepting, then in-flight requests get this long.
    jetty.setStopTimeout(limits.drainTimeout().toMillis());
    // The owner decides when to stop, so that storage closes only after the last response.
    jetty.setStopAtShutdown(false);

    try {
      jetty.start();
    } catch (Exception e) {
      jetty.stop();
      throw e;
    }
    server = jetty;
    connector = http1;
    return http1.getLocalPort();
  }

  private static SslContextFactory.Server sslContext(TlsCredentials credentials) {
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    // The key store lives only in memory; its password protects nothing and is never written.
    char[] password = java.util.UUID.randomUUID().toString().toCharArray();
    ssl.setKeyStore(credentials.keyStore(password));
    ssl.setKeyStorePassword(new String(password));
    ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
    ssl.setSniRequired(false);
    return ssl;
  }

  /** The bound port, valid after {@link #start}. */
  public synchronized int port() {
    if (connector == null) {
      throw new IllegalStateException("not started");
    }
    return connector.getLocalPort();
  }

  /**
   * Stops accepting connections, lets in-flight requests finish for up to the drain timeout, then
   * closes everything. Safe to call more than once.
   */
  public synchronized void stop() {
    Server jetty = server;
    if (jetty == null || jetty.isStopped()) {
      return;
    }
    try {
      jetty.stop();
    } catch (TimeoutException e) {
      log.warn(
          "Requests still running after {} ms were cut off at shutdown",
          limits.drainTimeout().toMillis());
    } catch (Exception e) {
      log.warn("HTTP server did not stop cleanly", e);
    }
  }

  @Override
  public void close() {
    stop();
  }
}
