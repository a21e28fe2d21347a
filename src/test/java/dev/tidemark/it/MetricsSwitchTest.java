package dev.tidemark.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.backup.store.BackupStoreSpec;
import dev.tidemark.backup.store.StoreErrors;
import dev.tidemark.cli.ServerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * Protects three things about {@code /metrics} that MetricsIntegrationTest does not drive: the TTL
 * deletion counter moves when the sweeper deletes expired items (scraped, not read from the
 * sweeper), the backup-store error series exist from the start for every operation (so an alert on
 * their rate has something to watch), and {@code --metrics off} takes the endpoint away while the
 * API keeps serving.
 */
class MetricsSwitchTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static ServerConfig config(Path dir, boolean metrics) {
    return new ServerConfig(
            "127.0.0.1",
            0,
            dir.resolve("data"),
            true,
            "us-east-1",
            ServerConfig.Durability.SYNC,
            "000000000000",
            new BackupStoreSpec.Directory(dir.resolve("backups")),
            null,
            Duration.ofSeconds(1),
            ServerConfig.DEFAULT_CHANGE_LOG_RETENTION,
            null,
            false,
            null,
            null,
            null)
        .withMetrics(metrics);
  }

  private static void createTable(LiveServer server, String name) {
    server.client.createTable(
        r ->
            r.tableName(name)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(
                    KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                .attributeDefinitions(
                    AttributeDefinition.builder()
                        .attributeName("pk")
                        .attributeType(ScalarAttributeType.S)
                        .build()));
  }

  private static HttpResponse<String> scrape(LiveServer server) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(server.running.endpoint() + "/metrics")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void scrapesTtlDeletionsAndStoreErrorSeries(@TempDir Path dir) throws Exception {
    try (LiveServer server = LiveServer.start(config(dir, true))) {
      createTable(server, "Sessions");
      server.client.updateTimeToLive(
          r ->
              r.tableName("Sessions")
                  .timeToLiveSpecification(s -> s.attributeName("expires").enabled(true)));
      long past = System.currentTimeMillis() / 1000 - 60;
      for (int i = 0; i < 3; i++) {
        String pk = "s" + i;
        server.client.putItem(
            r ->
                r.tableName("Sessions")
                    .item(
                        Map.of(
                            "pk",
                            AttributeValue.fromS(pk),
                            "expires",
                            AttributeValue.fromN(Long.toString(past)))));
      }
      // The sweeper runs every second; wait (boundedly) for its pass, as a scraper would see it.
      double deleted = 0;
      for (int i = 0; i < 200 && deleted < 3; i++) {
        deleted =
            MetricsIntegrationTest.parse(scrape(server).body()).stream()
                .filter(s -> s.name().equals("tidemark_ttl_deleted_items_total"))
                .mapToDouble(MetricsIntegrationTest.Sample::value)
                .sum();
        if (deleted < 3) {
          Thread.sleep(50);
        }
      }
      assertThat(deleted).isEqualTo(3);
      assertThat(server.client.scan(r -> r.tableName("Sessions")).count()).isZero();

      var samples = MetricsIntegrationTest.parse(scrape(server).body());
      for (String op : StoreErrors.OPERATIONS) {
        assertThat(
                samples.stream()
                    .filter(
                        s ->
                            s.name().equals("tidemark_backup_store_errors_total")
                                && op.equals(s.labels().get("operation"))
                                && "backup".equals(s.labels().get("store"))))
            .as(op)
            .singleElement()
            .satisfies(s -> assertThat(s.value()).isZero());
      }
    }
  }

  @Test
  void metricsOffTakesTheEndpointAwayAndTheApiKeepsServing(@TempDir Path dir) throws Exception {
    try (LiveServer server = LiveServer.start(config(dir, false))) {
      createTable(server, "Plain");
      server.client.putItem(
          r -> r.tableName("Plain").item(Map.of("pk", AttributeValue.fromS("a"))));
      HttpResponse<String> answer = scrape(server);
      // Any other GET path's answer: the DynamoDB front's 400.
      assertThat(answer.statusCode()).isEqualTo(400);
      assertThat(answer.body()).doesNotContain("tidemark_requests_seconds");
      assertThat(
              server
                  .client
                  .getItem(r -> r.tableName("Plain").key(Map.of("pk", AttributeValue.fromS("a"))))
                  .hasItem())
          .isTrue();
    }
  }
}
