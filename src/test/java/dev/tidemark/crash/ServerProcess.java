package dev.tidemark.crash;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** The packaged server jar running as a separate process, so that it can be killed with SIGKILL. */
final class ServerProcess implements AutoCloseable {
  final int port;
  private final Process process;

  private ServerProcess(int port, Process process) {
    this.port = port;
    this.process = process;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static ServerProcess start(Path dataDir, int port, String... extra) throws Exception {
    return start(dataDir, dataDir.resolveSibling("server.log"), port, extra);
  }

  /** As {@link #start(Path, int, String...)}, logging to {@code log}. */
  static ServerProcess start(Path dataDir, Path log, int port, String... extra) throws Exception {
    return start(List.of(), dataDir, log, port, extra);
  }

  /** As {@link #start(Path, Path, int, String...)}, with JVM options (a small heap, say). */
  static ServerProcess start(List<String> jvm, Path dataDir, Path log, int port, String... extra)
      throws Exception {
    String jar = System.getProperty("tidemark.jar", "target/tidemark.jar");
    List<String> cmd = new ArrayList<>(List.of("java"));
    cmd.addAll(jvm);
    cmd.addAll(
        new ArrayList<>(
            List.of(
                "-jar", jar, "--port", Integer.toString(port), "--data-dir", dataDir.toString())));
    cmd.addAll(List.of(extra));
    if (!cmd.contains("--backup-dir")) {
      // Otherwise backups and their key land in the working directory, shared by every run.
      cmd.addAll(List.of("--backup-dir", dataDir.resolveSibling("backups").toString()));
    }
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    ServerProcess sp = new ServerProcess(port, p);
    try {
      sp.awaitHealthy();
    } catch (IllegalStateException e) {
      // The log is in a temporary folder that is gone by the time anyone reads the report.
      List<String> lines = java.nio.file.Files.readAllLines(log);
      throw new IllegalStateException(
          e.getMessage()
              + "; the end of its log:\n"
              + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())),
          e);
    }
    return sp;
  }

  private void awaitHealthy() throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(200)).build();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("server exited with " + process.exitValue());
      }
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("server did not become healthy in 30 s");
  }

  DynamoDbClient client() {
    return client(Duration.ofSeconds(10));
  }

  /** As {@link #client()}, waiting up to {@code socketTimeout} for an answer. */
  DynamoDbClient client(Duration socketTimeout) {
    return DynamoDbClient.builder()
        .endpointOverride(URI.create("http://127.0.0.1:" + port))
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("crash", "crash")))
        .httpClient(UrlConnectionHttpClient.builder().socketTimeout(socketTimeout).build())
        // No retries: an acknowledged write must be exactly one attempt, or the model cannot tell.
        .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }

  long pid() {
    return process.pid();
  }

  /** SIGKILL: no shutdown hook, no flush, no clean close. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** SIGTERM, then wait: the clean shutdown path. */
  @Override
  public void close() {
    process.destroy();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A PAY_PER_REQUEST table keyed by one string attribute, {@code pk}. */
  static void createTable(DynamoDbClient c, String name) {
    c.createTable(
        r ->
            r.tableName(name)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                    AttributeDefinition.builder()
                        .attributeName("pk")
                        .attributeType(ScalarAttributeType.S)
                        .build())
                .keySchema(
                    KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build()));
  }
}
