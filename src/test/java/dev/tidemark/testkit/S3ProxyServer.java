package dev.tidemark.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.tidemark.backup.store.S3StoreConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3-compatible server for tests: S3Proxy (its filesystem-nio2 backend, which enforces
 * {@code If-None-Match: *}) run as a separate JVM, because it ships an older Jetty than ours. The
 * jar comes from the pom (maven-dependency-plugin copies it to {@code target/s3proxy/}), so a clean
 * clone needs nothing installed by hand. The server can be stopped and started again on the same
 * port and data directory, which is how tests take S3 away mid-operation.
 */
public final class S3ProxyServer implements AutoCloseable {
  public static final String ACCESS_KEY = "AKIDTIDEMARKTEST";

  /** A secret that tests look for in logs and errors, where it must never appear. */
  public static final String SECRET_KEY = "tIdEmArK-sEcReT-" + Long.toHexString(System.nanoTime());

  private static final AtomicInteger BUCKETS = new AtomicInteger();
  private static S3ProxyServer shared;

  private final Path dir;
  private final int port;
  private final List<String> jvmOptions;
  private Process process;

  /**
   * Tests start S3Proxy for a quick start and small footprint: C1 only, a serial collector, 128
   * MiB.
   */
  private static final List<String> TEST_JVM =
      List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  /**
   * Benchmarks need the S3 service at its real speed: with C1 only, its SigV4 payload check runs
   * SHA-256 in Java instead of the CPU's SHA instructions, and it took more CPU than Tidemark for a
   * 1 GiB backup (16 s), measuring the test server's start-up trade-off rather than the store.
   * Measured again once sealed objects went unsigned: C1 only then saves S3Proxy's C2 compiling
   * through the timed runs at 256 MiB, but at 1 GiB costs more than it saves (the MD5 of each ETag
   * runs in Java), so the service keeps its default compilers. {@code -Ds3proxy.jvmArgs=...} adds
   * options for one run (a flight recording, say), and stops the server cleanly so it is written.
   */
  private static final List<String> BENCH_JVM = List.of("-Xmx512m");

  private S3ProxyServer(Path dir, int port, List<String> jvmOptions) {
    this.dir = dir;
    this.port = port;
    this.jvmOptions = jvmOptions;
  }

  /**
   * One server for the whole test JVM, started on first use and stopped at exit; tests that stop
   * their server must start their own with {@link #start(Path)}.
   */
  public static synchronized S3ProxyServer shared() throws Exception {
    if (shared == null) {
      S3ProxyServer s = start(Files.createTempDirectory("tidemark-s3proxy"));
      Runtime.getRuntime().addShutdownHook(new Thread(s::close, "s3proxy-stop"));
      shared = s;
    }
    return shared;
  }

  public static S3ProxyServer start(Path dir) throws Exception {
    S3ProxyServer s = new S3ProxyServer(dir, freePort(), TEST_JVM);
    s.startProcess();
    return s;
  }

  /** A server tuned for throughput rather than start-up, for benchmarks. */
  public static S3ProxyServer startForBenchmark(Path dir) throws Exception {
    S3ProxyServer s = new S3ProxyServer(dir, freePort(), BENCH_JVM);
    s.startProcess();
    return s;
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Where the jar is; a test run without it (not built through Maven) fails saying so. */
  public static Path jar() {
    Path jar = Path.of(System.getProperty("s3proxy.jar", "target/s3proxy/s3proxy.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "no S3Proxy jar at "
              + jar.toAbsolutePath()
              + "; run the tests through Maven, which copies it there (generate-test-resources)");
    }
    return jar;
  }

  /** The properties file S3Proxy reads: path-style, SigV4, filesystem storage under dir. */
  public static String properties(int port, Path data) {
    return String.join(
        "\n",
        "s3proxy.endpoint=http://127.0.0.1:" + port,
        "s3proxy.authorization=aws-v2-or-v4",
        "s3proxy.identity=" + ACCESS_KEY,
        "s3proxy.credential=" + SECRET_KEY,
        "jclouds.provider=filesystem-nio2",
        "jclouds.filesystem.basedir=" + data.toAbsolutePath(),
        "");
  }

  private void startProcess() throws Exception {
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    Path conf = dir.resolve("s3proxy.conf");
    Files.writeString(conf, properties(port, data), UTF_8);
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    // Extra options for a profiling run (say -XX:StartFlightRecording=...); none by default.
    String extra = System.getProperty("s3proxy.jvmArgs", "").trim();
    if (!extra.isEmpty()) {
      command.addAll(List.of(extra.split("\\s+")));
    }
    command.addAll(
        List.of("-jar", jar().toAbsolutePath().toString(), "--properties", conf.toString()));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("LOG_LEVEL", "warn");
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("s3proxy.log").toFile()));
    process = pb.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "S3Proxy exited at start: " + Files.readString(dir.resolve("s3proxy.log")));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    throw new IllegalStateException("S3Proxy did not listen on port " + port + " within 60 s");
  }

  /** CPU time the server process has used so far (for benchmarks), zero if unknown. */
  public java.time.Duration cpuTime() {
    return process == null
        ? java.time.Duration.ZERO
        : process.info().totalCpuDuration().orElse(java.time.Duration.ZERO);
  }

  public int port() {
    return port;
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** Stops the server as a crash would (its data stays); {@link #restart()} brings it back. */
  public void stop() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor();
      process = null;
    }
  }

  /** Brings a stopped server back; a running one is left alone. */
  public void restartIfStopped() throws Exception {
    if (process == null || !process.isAlive()) {
      startProcess();
    }
  }

  public void restart() throws Exception {
    stop();
    startProcess();
  }

  /** A client for test setup and inspection. */
  public S3Client client() {
    return S3Client.builder()
        .endpointOverride(endpoint())
        .forcePathStyle(true)
        .region(Region.US_EAST_1)
        .credentialsProvider(credentials())
        .httpClient(UrlConnectionHttpClient.create())
        .build();
  }

  public static StaticCredentialsProvider credentials() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
  }

  /** Creates a new, empty bucket with a unique name. */
  public String newBucket() {
    String bucket =
        "tidemark-test-" + BUCKETS.incrementAndGet() + "-" + (System.nanoTime() % 100000);
    try (S3Client c = client()) {
      c.createBucket(b -> b.bucket(bucket));
    }
    return bucket;
  }

  /**
   * A store configuration for {@code bucket} on this server (or on {@code endpoint}, a proxy in
   * front of it): path-style, explicit test credentials, quick retries.
   */
  public S3StoreConfig storeConfig(String bucket, String prefix, URI endpoint) {
    return S3StoreConfig.of(bucket, prefix).toBuilder()
        .endpoint(endpoint)
        .pathStyle(true)
        .region("us-east-1")
        .credentials(credentials())
        .retries(4, Duration.ofMillis(400))
        .build();
  }

  public S3StoreConfig storeConfig(String bucket, String prefix) {
    return storeConfig(bucket, prefix, endpoint());
  }

  @Override
  public void close() {
    try {
      if (process != null && !System.getProperty("s3proxy.jvmArgs", "").isBlank()) {
        // A profiling run: a clean exit lets the JVM write its recording.
        process.destroy();
        process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
      }
      stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
