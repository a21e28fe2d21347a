package dev.tidemark.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * Protects {@code GET /metrics}: that a live server, driven through the SDK, reports what operators
 * alert on (requests and errors per operation, WAL fsyncs and group-commit sizes, backup and
 * restore jobs, PITR archive lag, free disk, replication from each peer), in Prometheus's text
 * format and in OpenMetrics when asked, without naming any table, and without getting in the way of
 * the API on the same port.
 */
class MetricsIntegrationTest {
  private static final String TABLE = "MetricsSecretTableName";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path dir;
  static LiveServer server;

  @BeforeAll
  static void start() throws Exception {
    Files.createDirectories(dir.resolve("data"));
    server = LiveServer.onDisk(dir.resolve("data"));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void reportsRequestsErrorsFsyncsJobsAndPitrWithoutNamingTables() throws Exception {
    var ddb = server.client;
    ddb.createTable(
        r ->
            r.tableName(TABLE)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(
                    KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                .attributeDefinitions(
                    AttributeDefinition.builder()
                        .attributeName("pk")
                        .attributeType(ScalarAttributeType.S)
                        .build()));
    for (int i = 0; i < 20; i++) {
      String pk = "k" + i;
      ddb.putItem(r -> r.tableName(TABLE).item(Map.of("pk", AttributeValue.fromS(pk))));
    }
    ddb.getItem(r -> r.tableName(TABLE).key(Map.of("pk", AttributeValue.fromS("k1"))));
    assertThatThrownBy(
            () ->
                ddb.getItem(
                    r -> r.tableName("NoSuchTable").key(Map.of("pk", AttributeValue.fromS("x")))))
        .isInstanceOf(ResourceNotFoundException.class);
    ddb.updateContinuousBackups(
        r ->
            r.tableName(TABLE)
                .pointInTimeRecoverySpecification(s -> s.pointInTimeRecoveryEnabled(true)));
    String backup = BackupIntegrationTest.backupAndWait(ddb, TABLE, "metrics-backup");
    ddb.restoreTableFromBackup(r -> r.backupArn(backup).targetTableName(TABLE + "Restored"));
    BackupIntegrationTest.waitActive(ddb, TABLE + "Restored");

    HttpResponse<String> answer = get("text/plain");
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.headers().firstValue("Content-Type").orElse(""))
        .startsWith("text/plain; version=0.0.4");
    List<Sample> samples = parse(answer.body());

    assertThat(value(samples, "tidemark_requests_seconds_count", "operation", "PutItem"))
        .isGreaterThanOrEqualTo(20);
    assertThat(
            value(
                samples,
                "tidemark_request_errors_total",
                "operation",
                "GetItem",
                "error",
                "ResourceNotFoundException"))
        .isEqualTo(1);
    assertThat(
            value(
                samples, "tidemark_requests_seconds_bucket", "operation", "GetItem", "le", "+Inf"))
        .isGreaterThanOrEqualTo(2);
    // Sync durability: every acknowledged write waited for an fsync, which covered one or more.
    assertThat(value(samples, "tidemark_wal_sync_seconds_count")).isGreaterThan(0);
    assertThat(value(samples, "tidemark_wal_group_commit_size_records_sum"))
        .isGreaterThanOrEqualTo(value(samples, "tidemark_wal_group_commit_size_records_count"));
    assertThat(
            value(
                samples,
                "tidemark_backup_jobs_seconds_count",
                "kind",
                "USER",
                "outcome",
                "succeeded"))
        .isEqualTo(1);
    assertThat(
            value(
                samples,
                "tidemark_backup_jobs_seconds_count",
                "kind",
                "RESTORE",
                "outcome",
                "succeeded"))
        .isEqualTo(1);
    assertThat(value(samples, "tidemark_pitr_tables")).isEqualTo(1);
    assertThat(value(samples, "tidemark_pitr_archive_failing_tables")).isEqualTo(0);
    assertThat(find(samples, "tidemark_pitr_archive_lag_seconds")).isNotEmpty();
    assertThat(value(samples, "tidemark_tables")).isEqualTo(2);
    assertThat(find(samples, "tidemark_disk_free_bytes")).isNotEmpty();
    assertThat(find(samples, "jvm_memory_used_bytes")).isNotEmpty();
    // Served unsigned, so it must not say what the server holds.
    assertThat(answer.body()).doesNotContain("MetricsSecretTableName").doesNotContain("k1");
  }

  @Test
  void answersOpenMetricsWhenAskedAndRefusesOtherMethods() throws Exception {
    HttpResponse<String> open = get("application/openmetrics-text; version=1.0.0");
    assertThat(open.statusCode()).isEqualTo(200);
    assertThat(open.headers().firstValue("Content-Type").orElse(""))
        .startsWith("application/openmetrics-text");
    assertThat(open.body()).endsWith("# EOF\n");

    HttpResponse<String> post =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(server.running.endpoint() + "/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    // The API on the same port is untouched by the metrics front.
    assertThat(server.client.listTables().tableNames()).isNotNull();
  }

  /**
   * Replication series between two peered servers: what one region applied from the other, its lag
   * and the peer's reachability, still readable after a garbage collection (Micrometer holds a
   * gauge's object weakly; one collected reads NaN).
   */
  @Test
  void reportsReplicationFromEachPeer(@TempDir Path peersDir) throws Exception {
    int[] ports = new int[2];
    for (int i = 0; i < 2; i++) {
      try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
        ports[i] = s.getLocalPort();
      }
    }
    String[] regions = {"us-east-1", "eu-west-1"};
    Path secret = peersDir.resolve("secret");
    Files.writeString(secret, "a-shared-replication-secret-0123456789\n");
    List<dev.tidemark.cli.Bootstrap.Running> running = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        Path d = peersDir.resolve(regions[i]);
        running.add(
            dev.tidemark.cli.Bootstrap.start(
                new dev.tidemark.cli.ServerConfig(
                    "127.0.0.1",
                    ports[i],
                    d.resolve("data"),
                    true,
                    regions[i],
                    dev.tidemark.cli.ServerConfig.Durability.SYNC,
                    "000000000000",
                    d.resolve("backups"),
                    null),
                dev.tidemark.replication.ReplicationConfig.of(
                    regions[i],
                    List.of(regions[1 - i] + "=http://127.0.0.1:" + ports[1 - i]),
                    secret)));
      }
      try (var east = client(running.get(0).endpoint(), regions[0]);
          var west = client(running.get(1).endpoint(), regions[1])) {
        east.createTable(
            r ->
                r.tableName("Replicated")
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .keySchema(
                        KeySchemaElement.builder()
                            .attributeName("pk")
                            .keyType(KeyType.HASH)
                            .build())
                    .attributeDefinitions(
                        AttributeDefinition.builder()
                            .attributeName("pk")
                            .attributeType(ScalarAttributeType.S)
                            .build()));
        east.updateTable(
            r ->
                r.tableName("Replicated")
                    .replicaUpdates(
                        software.amazon.awssdk.services.dynamodb.model.ReplicationGroupUpdate
                            .builder()
                            .create(c -> c.regionName(regions[1]))
                            .build()));
        for (int i = 0; i < 200 && !replicaActive(east); i++) {
          Thread.sleep(50);
        }
        for (int i = 0; i < 5; i++) {
          String pk = "item" + i;
          east.putItem(r -> r.tableName("Replicated").item(Map.of("pk", AttributeValue.fromS(pk))));
        }
        for (int i = 0; i < 200; i++) {
          if (west.getItem(
                  r -> r.tableName("Replicated").key(Map.of("pk", AttributeValue.fromS("item4"))))
              .hasItem()) {
            break;
          }
          Thread.sleep(50);
        }
      }
      System.gc();
      // The status behind the gauges is cached for a second; let the cache see the applied writes.
      Thread.sleep(1100);
      List<Sample> west =
          parse(
              HTTP.send(
                      HttpRequest.newBuilder(URI.create(running.get(1).endpoint() + "/metrics"))
                          .GET()
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body());
      assertThat(value(west, "tidemark_replication_applied_total", "from", "us-east-1"))
          .isGreaterThanOrEqualTo(5);
      assertThat(value(west, "tidemark_replication_peer_reachable", "peer", "us-east-1"))
          .isEqualTo(1);
      assertThat(
              value(
                  west,
                  "tidemark_replication_lag_seconds",
                  "from",
                  "us-east-1",
                  "quantile",
                  "0.99"))
          .isNotNaN()
          .isGreaterThanOrEqualTo(0);
      assertThat(value(west, "tidemark_replication_lag_max_seconds", "from", "us-east-1"))
          .isNotNaN();
    } finally {
      running.forEach(dev.tidemark.cli.Bootstrap.Running::close);
    }
  }

  private static boolean replicaActive(software.amazon.awssdk.services.dynamodb.DynamoDbClient c) {
    var replicas = c.describeTable(r -> r.tableName("Replicated")).table().replicas();
    return !replicas.isEmpty()
        && replicas.get(0).replicaStatus()
            == software.amazon.awssdk.services.dynamodb.model.ReplicaStatus.ACTIVE;
  }

  private static software.amazon.awssdk.services.dynamodb.DynamoDbClient client(
      String endpoint, String region) {
    return software.amazon.awssdk.services.dynamodb.DynamoDbClient.builder()
        .endpointOverride(URI.create(endpoint))
        .region(software.amazon.awssdk.regions.Region.of(region))
        .credentialsProvider(
            software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("t", "t")))
        .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
        .build();
  }

  private static HttpResponse<String> get(String accept) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(server.running.endpoint() + "/metrics"))
            .header("Accept", accept)
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  record Sample(String name, Map<String, String> labels, double value) {}

  private static final Pattern LINE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (\\S+)");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  static List<Sample> parse(String text) {
    List<Sample> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      Matcher m = LINE.matcher(line);
      if (!m.find()) {
        throw new AssertionError("not a Prometheus sample line: " + line);
      }
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.group(2) != null) {
        Matcher l = LABEL.matcher(m.group(2));
        while (l.find()) {
          labels.put(l.group(1), l.group(2));
        }
      }
      String v = m.group(3);
      double value = v.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(v);
      out.add(new Sample(m.group(1), labels, value));
    }
    return out;
  }

  private static List<Sample> find(List<Sample> samples, String name, String... labels) {
    List<Sample> out = new ArrayList<>();
    outer:
    for (Sample s : samples) {
      if (!s.name().equals(name)) {
        continue;
      }
      for (int i = 0; i < labels.length; i += 2) {
        if (!labels[i + 1].equals(s.labels().get(labels[i]))) {
          continue outer;
        }
      }
      out.add(s);
    }
    return out;
  }

  private static double value(List<Sample> samples, String name, String... labels) {
    List<Sample> found = find(samples, name, labels);
    assertThat(found).as("%s %s", name, List.of(labels)).hasSize(1);
    return found.get(0).value();
  }
}
