package dev.tidemark.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.cli.Bootstrap;
import dev.tidemark.cli.ServerConfig;
import dev.tidemark.cli.ServerConfig.Durability;
import dev.tidemark.replication.ReplicationConfig;
import dev.tidemark.testkit.FaultProxy;
import dev.tidemark.testkit.GlobalTableKit;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/**
 * In-process regions whose peer traffic passes through a {@link FaultProxy} in front of each region
 * (clients talk to the servers directly), so a test can cut, delay or replay replication between
 * them. A region can be stopped and started again on its data directory and port.
 */
final class ProxiedRegions implements AutoCloseable {
  static final String[] NAMES = {"us-east-1", "eu-west-1", "ap-south-1"};
  private static final ObjectMapper JSON = new ObjectMapper();

  final int count;
  final FaultProxy[] proxies;
  final Bootstrap.Running[] servers;
  final DynamoDbClient[] clients;
  private final int[] ports;
  private final Path dir;
  private final Duration retention;
  private final Duration maxLag;
  private final Duration grace;

  ProxiedRegions(Path dir, int count, Duration retention, Duration maxLag, Duration grace)
      throws Exception {
    this.dir = dir;
    this.count = count;
    this.retention = retention;
    this.maxLag = maxLag;
    this.grace = grace;
    ports = new int[count];
    proxies = new FaultProxy[count];
    servers = new Bootstrap.Running[count];
    clients = new DynamoDbClient[count];
    for (int i = 0; i < count; i++) {
      try (ServerSocket s = new ServerSocket(0)) {
        ports[i] = s.getLocalPort();
      }
      proxies[i] = new FaultProxy(ports[i]);
    }
    Files.writeString(dir.resolve("secret"), "a-shared-replication-secret-0123456789\n");
    for (int i = 0; i < count; i++) {
      start(i);
    }
  }

  Path secretFile() {
    return dir.resolve("secret");
  }

  String endpoint(int i) {
    return "http://127.0.0.1:" + ports[i];
  }

  void start(int i) throws Exception {
    List<String> peers = new ArrayList<>();
    for (int j = 0; j < count; j++) {
      if (j != i) {
        peers.add(NAMES[j] + "=" + proxies[j].endpoint());
      }
    }
    Path d = dir.resolve(NAMES[i]);
    ServerConfig config =
        new ServerConfig(
            "127.0.0.1",
            ports[i],
            d.resolve("data"),
            false,
            NAMES[i],
            Durability.SYNC,
            "000000000000",
            new dev.tidemark.backup.store.BackupStoreSpec.Directory(d.resolve("backups")),
            null,
            ServerConfig.DEFAULT_TTL_SWEEP_INTERVAL,
            retention,
            null,
            false,
            null,
            null,
            null);
    servers[i] =
        Bootstrap.start(
            config, ReplicationConfig.of(NAMES[i], peers, secretFile()).withLimits(maxLag, grace));
    clients[i] =
        DynamoDbClient.builder()
            .endpointOverride(URI.create(servers[i].endpoint()))
            .region(Region.of(NAMES[i]))
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
            .httpClient(UrlConnectionHttpClient.create())
            .build();
  }

  void stop(int i) {
    clients[i].close();
    servers[i].close();
  }

  /** Creates {@code table} (hash key pk, index byG on g) in region 0 and replicas everywhere. */
  void createGlobalTable(String table) throws InterruptedException {
    GlobalTablesIntegrationTest.createTable(clients[0], table);
    GlobalTableKit.createReplicas(clients[0], table, List.of(NAMES).subList(1, count));
    for (int i = 0; i < count; i++) {
      awaitActive(i, table, count);
    }
  }

  TableDescription describe(int i, String table) {
    return clients[i].describeTable(r -> r.tableName(table)).table();
  }

  void awaitActive(int i, String table, int members) throws InterruptedException {
    GlobalTableKit.awaitActive(clients[i], table, members);
  }

  List<Map<String, AttributeValue>> scan(int i, String table, String index) {
    return GlobalTableKit.scan(clients[i], table, index);
  }

  /** Waits (bounded) until every region holds the same items and index entries; returns them. */
  List<Map<String, AttributeValue>> awaitConverged(String table) throws InterruptedException {
    List<Map<String, AttributeValue>> first = null;
    for (int n = 0; n < 600; n++) {
      first = scan(0, table, null);
      boolean same = true;
      for (int i = 0; i < count && same; i++) {
        same = scan(i, table, null).equals(first) && scan(i, table, "byG").equals(first);
      }
      if (same) {
        return first;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("regions differ: " + first + " vs " + scan(1, table, null));
  }

  /** The server's replication status ({@code GET /tidemark/status}, its Replication part). */
  JsonNode status(int i) throws Exception {
    String body =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(endpoint(i) + "/tidemark/status")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    return JSON.readTree(body).path("Replication");
  }

  /** Region {@code i}'s entry for the replica in region {@code j} in its status. */
  JsonNode replicaStatus(int i, String table, int j) throws Exception {
    for (JsonNode t : status(i).path("tables")) {
      if (t.path("table").asText().equals(table)) {
        for (JsonNode m : t.path("replicas")) {
          if (m.path("region").asText().equals(NAMES[j])) {
            return m;
          }
        }
      }
    }
    throw new AssertionError("no replica " + NAMES[j] + " of " + table + " in " + status(i));
  }

  /** The keys (pk) of every record region {@code i}'s stream of {@code table} still holds. */
  List<String> streamKeys(int i, String table) {
    return GlobalTablesIntegrationTest.streamRecords(
            endpoint(i), NAMES[i], describe(i, table).latestStreamArn())
        .stream()
        .map(x -> x.dynamodb().keys().get("pk").s())
        .toList();
  }

  @Override
  public void close() throws java.io.IOException {
    for (int i = 0; i < count; i++) {
      if (clients[i] != null) {
        clients[i].close();
      }
      if (servers[i] != null) {
        servers[i].close();
      }
      proxies[i].close();
    }
  }
}
