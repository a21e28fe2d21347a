package dev.tidemark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.backup.store.BackupStoreSpec;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BootstrapTest {
  private static final Path BACKUPS = tempDir();

  private static Path tempDir() {
    try {
      return java.nio.file.Files.createTempDirectory("bootstrap-test").resolve("backups");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static ServerConfig config(int port) {
    return new ServerConfig(
        "127.0.0.1",
        port,
        Path.of("./tidemark-data"),
        true,
        "us-east-1",
        ServerConfig.Durability.SYNC,
        "000000000000",
        BACKUPS,
        null);
  }

  // A started server answers, and after close its port no longer accepts requests.
  @Test
  void startsServesAndStops() throws Exception {
    Bootstrap.Running running = Bootstrap.start(config(0));
    try {
      assertThat(running.endpoint()).isEqualTo("http://127.0.0.1:" + running.port());
      HttpResponse<String> health =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(running.endpoint())).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);
    } finally {
      running.close();
    }
    running.awaitStopped();
    running.close();
    try (ServerSocket reuse = new ServerSocket(running.port())) {
      assertThat(reuse.getLocalPort()).isEqualTo(running.port());
    }
  }

  // GET /tidemark/status reports both watched disks and what uses the data directory, per table,
  // and `tidemark status` renders it; an operator facing a full disk reads this to know what to
  // free.
  @Test
  void statusReportsDisksAndSpaceUsers(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    ServerConfig onDisk =
        new ServerConfig(
            "127.0.0.1",
            0,
            dir.resolve("data"),
            false,
            "us-east-1",
            ServerConfig.Durability.SYNC,
            "000000000000",
            new BackupStoreSpec.Directory(dir.resolve("backups")),
            null,
            ServerConfig.DEFAULT_TTL_SWEEP_INTERVAL,
            ServerConfig.DEFAULT_CHANGE_LOG_RETENTION,
            1L << 20,
            false,
            null,
            null,
            null);
    Bootstrap.Running running = Bootstrap.start(onDisk);
    try {
      ServerClient client = new ServerClient(running.endpoint());
      client.call(
          "CreateTable",
          (com.fasterxml.jackson.databind.node.ObjectNode)
              ServerClient.JSON.readTree(
                  "{\"TableName\":\"Orders\",\"BillingMode\":\"PAY_PER_REQUEST\","
                      + "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}],"
                      + "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}]}"));
      client.call(
          "PutItem",
          (com.fasterxml.jackson.databind.node.ObjectNode)
              ServerClient.JSON.readTree(
                  "{\"TableName\":\"Orders\",\"Item\":{\"pk\":{\"S\":\"a\"}}}"));
      com.fasterxml.jackson.databind.JsonNode status = client.get("/tidemark/status");
      assertThat(status.path("Volumes")).hasSize(2);
      assertThat(status.path("Volumes").get(0).path("Volume").asText()).isEqualTo("data directory");
      assertThat(status.path("Volumes").get(0).path("MinFreeBytes").asLong()).isEqualTo(1L << 20);
      assertThat(status.path("Volumes").get(0).path("FreeBytes").asLong()).isPositive();
      assertThat(status.path("Volumes").get(1).path("Volume").asText()).isEqualTo("backup store");
      assertThat(status.path("ReserveFile").path("Bytes").asLong()).isEqualTo((1L << 20) / 4);
      com.fasterxml.jackson.databind.JsonNode orders =
          status.path("DataDirectory").path("Tables").get(0);
      assertThat(orders.path("TableName").asText()).isEqualTo("Orders");
      assertThat(orders.path("ItemCount").asLong()).isEqualTo(1);
      assertThat(status.path("DataDirectory").path("WriteAheadLogBytes").asLong()).isPositive();
      java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
      StatusCommand.print(
          status, new java.io.PrintStream(text, true, java.nio.charset.StandardCharsets.UTF_8));
      assertThat(text.toString(java.nio.charset.StandardCharsets.UTF_8))
          .contains("data directory", "backup store", "Orders", "change log", "compaction debt");
    } finally {
      running.close();
    }
  }

  // Resources close newest first, and one failing does not keep the others open.
  @Test
  void resourcesCloseInReverseOrderDespiteFailures() {
    List<String> closed = new ArrayList<>();
    Resources resources = new Resources();
    resources.register(() -> closed.add("storage"));
    resources.register(
        () -> {
          closed.add("cache");
          throw new IllegalStateException("boom");
        });
    resources.register(() -> closed.add("workers"));
    resources.close();
    assertThat(closed).containsExactly("workers", "cache", "storage");
  }

  // Retention runs often enough to keep records at most 1/24 of the period too long, within bounds.
  @Test
  void retentionCheckIntervalFollowsTheRetentionPeriod() {
    assertThat(Bootstrap.retentionCheckInterval(Duration.ofHours(24)))
        .isEqualTo(Duration.ofMinutes(5));
    assertThat(Bootstrap.retentionCheckInterval(Duration.ofHours(1)))
        .isEqualTo(Duration.ofMinutes(2).plusSeconds(30));
    assertThat(Bootstrap.retentionCheckInterval(Duration.ofSeconds(2)))
        .isEqualTo(Duration.ofSeconds(1));
  }

  // A background task keeps running after a failing pass: one bad pass must not end expiry.
  @Test
  void periodicTaskSurvivesFailuresAndStopsOnClose() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch threeRuns = new CountDownLatch(3);
    PeriodicTask task =
        new PeriodicTask(
            "test",
            Duration.ofMillis(1),
            () -> {
              runs.incrementAndGet();
              threeRuns.countDown();
              throw new IllegalStateException("every pass fails");
            });
    try {
      assertThat(threeRuns.await(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      task.close();
    }
    assertThat(runs.get()).isGreaterThanOrEqualTo(3);
  }

  // A port already taken fails start with an exception instead of a half-running server.
  @Test
  void startFailsCleanlyWhenThePortIsTaken() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(() -> Bootstrap.start(config(taken.getLocalPort())))
          .isInstanceOf(Exception.class);
    }
  }
}
