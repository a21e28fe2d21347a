package dev.tidemark.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.cli.Bootstrap;
import dev.tidemark.replication.ReplicationConfig;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ReplicaDescription;
import software.amazon.awssdk.services.dynamodb.model.ReplicationGroupUpdate;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/**
 * Global tables (version 2019.11.21) between three in-process Tidemark servers, each its own region
 * with its own data, over HTTP with the SDK: replicas are created with UpdateTable, filled, then
 * follow; every region takes writes; conflicting writes converge; DescribeTable shows the other
 * regions; deleting a replica; AWS's refusals; and the peer endpoint's authentication.
 */
class GlobalTablesIntegrationTest {
  static final String[] REGIONS = {"us-east-1", "eu-west-1", "ap-south-1"};
  static final List<Bootstrap.Running> servers = new ArrayList<>();
  static final List<DynamoDbClient> clients = new ArrayList<>();
  static final List<Integer> ports = new ArrayList<>();

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    for (int i = 0; i < 3; i++) {
      try (ServerSocket s = new ServerSocket(0)) {
        ports.add(s.getLocalPort());
      }
    }
    Path secret = dir.resolve("secret");
    java.nio.file.Files.writeString(secret, "a-shared-replication-secret-0123456789\n");
    for (int i = 0; i < 3; i++) {
      List<String> peers = new ArrayList<>();
      for (int j = 0; j < 3; j++) {
        if (j != i) {
          peers.add(REGIONS[j] + "=http://127.0.0.1:" + ports.get(j));
        }
      }
      Path d = dir.resolve(REGIONS[i]);
      Bootstrap.Running r =
          Bootstrap.start(
              dev.tidemark.testkit.OpenServerConfig.region(d, REGIONS[i], ports.get(i)),
              ReplicationConfig.of(REGIONS[i], peers, secret));
      servers.add(r);
      clients.add(
          DynamoDbClient.builder()
              .endpointOverride(URI.create(r.endpoint()))
              .region(Region.of(REGIONS[i]))
              .credentialsProvider(
                  StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
              .httpClient(UrlConnectionHttpClient.create())
              .build());
    }
  }

  @AfterAll
  static void stop() {
    clients.forEach(DynamoDbClient::close);
    servers.forEach(Bootstrap.Running::close);
  }

  static void createTable(DynamoDbClient c, String name) {
    dev.tidemark.testkit.GlobalTableKit.createTable(c, name);
  }

  static AttributeDefinition attr(String name, ScalarAttributeType t) {
    return AttributeDefinition.builder().attributeName(name).attributeType(t).build();
  }

  static KeySchemaElement key(String name, KeyType t) {
    return KeySchemaElement.builder().attributeName(name).keyType(t).build();
  }

  static Map<String, AttributeValue> item(String pk, String g, String v) {
    Map<String, AttributeValue> m = new LinkedHashMap<>();
    m.put("pk", AttributeValue.fromS(pk));
    m.put("g", AttributeValue.fromS(g));
    m.put("v", AttributeValue.fromS(v));
    return m;
  }

  static TableDescription describe(int region, String table) {
    return clients.get(region).describeTable(r -> r.tableName(table)).table();
  }

  static void createReplica(int from, String table, int to) {
    clients
        .get(from)
        .updateTable(
            r ->
                r.tableName(table)
                    .replicaUpdates(
                        ReplicationGroupUpdate.builder()
                            .create(c -> c.regionName(REGIONS[to]))
                            .build()));
  }

  /** Waits (bounded) until {@code region} shows every other member ACTIVE and itself ACTIVE. */
  static void awaitActive(int region, String table, int members) throws InterruptedException {
    for (int i = 0; i < 600; i++) {
      TableDescription d = describe(region, table);
      if (d.tableStatusAsString().equals("ACTIVE")
          && d.replicas().size() == members - 1
          && d.replicas().stream().allMatch(x -> x.replicaStatusAsString().equals("ACTIVE"))) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("not ACTIVE in " + REGIONS[region] + ": " + describe(region, table));
  }

  static List<Map<String, AttributeValue>> scan(int region, String table) {
    List<Map<String, AttributeValue>> items =
        new ArrayList<>(
            clients
                .get(region)
                .scanPaginator(r -> r.tableName(table).consistentRead(true))
                .items()
                .stream()
                .toList());
    items.sort(Comparator.comparing(m -> m.get("pk").s()));
    return items;
  }

  static List<Map<String, AttributeValue>> indexScan(int region, String table) {
    List<Map<String, AttributeValue>> items =
        new ArrayList<>(
            clients
                .get(region)
                .scanPaginator(r -> r.tableName(table).indexName("byG"))
                .items()
                .stream()
                .toList());
    items.sort(Comparator.comparing(m -> m.get("pk").s()));
    return items;
  }

  /** Waits (bounded) until all regions hold identical items and index entries; returns them. */
  static List<Map<String, AttributeValue>> awaitConverged(String table, int regions)
      throws InterruptedException {
    List<Map<String, AttributeValue>> first = null;
    for (int i = 0; i < 600; i++) {
      first = scan(0, table);
      boolean same = true;
      for (int r = 0; r < regions && same; r++) {
        same = scan(r, table).equals(first) && indexScan(r, table).equals(first);
      }
      if (same) {
        return first;
      }
      Thread.sleep(50);
    }
    for (int r = 0; r < regions; r++) {
      assertThat(scan(r, table)).as(REGIONS[r]).isEqualTo(first);
    }
    return first;
  }

  // Protects the whole story: create replicas (with the table's index), fill, follow, writes in
  // every region read everywhere, conflicting writes converge, delete a replica.
  @Test
  void replicasFillFollowAndConverge() throws Exception {
    createTable(clients.get(0), "users");
    for (int i = 0; i < 50; i++) {
      Map<String, AttributeValue> it = item("pre" + i, "g1", "before");
      clients.get(0).putItem(r -> r.tableName("users").item(it));
    }
    clients
        .get(0)
        .deleteItem(r -> r.tableName("users").key(Map.of("pk", AttributeValue.fromS("pre0"))));
    long bulkBefore =
        dev.tidemark.testkit.GlobalTableKit.replicationStatus(ports.get(0))
            .path("fillsBulkLoaded")
            .asLong();
    createReplica(0, "users", 1);
    TableDescription d = describe(0, "users");
    assertThat(d.globalTableVersion()).isEqualTo("2019.11.21");
    assertThat(d.replicas()).extracting(ReplicaDescription::regionName).containsExactly(REGIONS[1]);
    assertThat(d.streamSpecification().streamViewType())
        .isEqualTo(StreamViewType.NEW_AND_OLD_IMAGES);
    awaitActive(0, "users", 2);
    awaitActive(1, "users", 2);
    TableDescription inB = describe(1, "users");
    assertThat(inB.replicas())
        .extracting(ReplicaDescription::regionName)
        .containsExactly(REGIONS[0]);
    assertThat(inB.globalSecondaryIndexes()).extracting(g -> g.indexName()).containsExactly("byG");
    // The replica was bulk-loaded with its index: entries and the index's counters as the source
    // stored them.
    assertThat(
            dev.tidemark.testkit.GlobalTableKit.replicationStatus(ports.get(0))
                .path("fillsBulkLoaded")
                .asLong())
        .isEqualTo(bulkBefore + 1);
    assertThat(inB.globalSecondaryIndexes().get(0).itemCount()).isEqualTo(49);
    assertThat(inB.globalSecondaryIndexes().get(0).indexSizeBytes())
        .isEqualTo(describe(0, "users").globalSecondaryIndexes().get(0).indexSizeBytes())
        .isPositive();
    assertThat(indexScan(1, "users")).isEqualTo(indexScan(0, "users")).hasSize(49);
    assertThat(inB.streamSpecification().streamViewType())
        .isEqualTo(StreamViewType.NEW_AND_OLD_IMAGES);
    assertThat(scan(1, "users")).hasSize(49);

    createReplica(0, "users", 2);
    awaitActive(0, "users", 3);
    awaitActive(2, "users", 3);
    awaitActive(1, "users", 3);
    assertThat(describe(1, "users").replicas())
        .extracting(ReplicaDescription::regionName)
        .containsExactlyInAnyOrder(REGIONS[0], REGIONS[2]);

    // A write in each region is read in every region.
    for (int r = 0; r < 3; r++) {
      int region = r;
      clients
          .get(r)
          .putItem(x -> x.tableName("users").item(item("from-" + REGIONS[region], "g2", "x")));
    }
    List<Map<String, AttributeValue>> converged = awaitConverged("users", 3);
    assertThat(converged).hasSize(52);
    // Replicated writes are ordinary history in the receiving region: its stream shows them, as
    // AWS does, without a userIdentity.
    List<software.amazon.awssdk.services.dynamodb.model.Record> inEu = streamRecords(1, "users");
    assertThat(inEu)
        .filteredOn(x -> x.dynamodb().keys().get("pk").s().equals("from-us-east-1"))
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.eventNameAsString()).isEqualTo("INSERT");
              assertThat(x.userIdentity()).isNull();
              assertThat(x.dynamodb().newImage().get("g").s()).isEqualTo("g2");
            });
    assertThat(inEu)
        .filteredOn(x -> x.dynamodb().keys().get("pk").s().equals("from-eu-west-1"))
        .hasSize(1);

    // Conflicting writes on the same keys from all regions at once converge to one table.
    ExecutorService pool = Executors.newFixedThreadPool(3);
    List<Future<?>> done = new ArrayList<>();
    for (int r = 0; r < 3; r++) {
      int region = r;
      done.add(
          pool.submit(
              () -> {
                for (int n = 0; n < 60; n++) {
                  String pk = "hot" + (n % 10);
                  if (n % 7 == region) {
                    clients
                        .get(region)
                        .deleteItem(
                            x -> x.tableName("users").key(Map.of("pk", AttributeValue.fromS(pk))));
                  } else {
                    Map<String, AttributeValue> it =
                        item(pk, "g" + (n % 3), REGIONS[region] + "-" + n);
                    clients.get(region).putItem(x -> x.tableName("users").item(it));
                  }
                }
              }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    List<Map<String, AttributeValue>> after = awaitConverged("users", 3);
    for (int r = 0; r < 3; r++) {
      assertThat(describe(r, "users").itemCount()).isEqualTo(after.size());
    }

    // Backups stay per region, and a restore is an ordinary regional table with the same items
    // (the stamps in the backup are left out).
    String backup = BackupIntegrationTest.backupAndWait(clients.get(1), "users", "before-incident");
    clients
        .get(1)
        .restoreTableFromBackup(r -> r.backupArn(backup).targetTableName("users-restored"));
    TableDescription restored = BackupIntegrationTest.waitActive(clients.get(1), "users-restored");
    assertThat(restored.globalTableVersion()).isNull();
    assertThat(restored.hasReplicas()).isFalse();
    assertThat(restored.itemCount()).isEqualTo(after.size());
    assertThat(scan(1, "users-restored")).isEqualTo(after);

    // Operators see peers, replicas and lag per region pair (tidemark replicas status).
    var status =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(
                HttpClient.newHttpClient()
                    .send(
                        HttpRequest.newBuilder(
                                URI.create(servers.get(1).endpoint() + "/tidemark/status"))
                            .build(),
                        HttpResponse.BodyHandlers.ofString())
                    .body())
            .path("Replication");
    assertThat(status.path("region").asText()).isEqualTo("eu-west-1");
    assertThat(status.path("peers"))
        .allSatisfy(p -> assertThat(p.path("reachable").asBoolean()).isTrue());
    assertThat(status.findValues("from"))
        .extracting(v -> v.asText())
        .contains("us-east-1", "ap-south-1");
    java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
    dev.tidemark.cli.ReplicasCommand.print(
        new com.fasterxml.jackson.databind.ObjectMapper().createArrayNode().add(status),
        new java.io.PrintStream(printed, true, StandardCharsets.UTF_8));
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("peer us-east-1        reachable")
        .contains("replica ap-south-1       ACTIVE")
        .containsPattern(
            "lag us-east-1 -> eu-west-1: p50 \\d+ ms, p99 \\d+ ms, max \\d+ ms over [1-9]");

    // Deleting a replica removes its table there and its entry everywhere else.
    clients
        .get(0)
        .updateTable(
            r ->
                r.tableName("users")
                    .replicaUpdates(
                        ReplicationGroupUpdate.builder()
                            .delete(x -> x.regionName(REGIONS[2]))
                            .build()));
    assertThatThrownBy(() -> describe(2, "users")).isInstanceOf(ResourceNotFoundException.class);
    assertThat(describe(0, "users").replicas())
        .extracting(ReplicaDescription::regionName)
        .containsExactly(REGIONS[1]);
    assertThat(describe(1, "users").replicas())
        .extracting(ReplicaDescription::regionName)
        .containsExactly(REGIONS[0]);
    clients.get(1).putItem(x -> x.tableName("users").item(item("after-delete", "g", "x")));
    assertThat(awaitConverged("users", 2)).hasSize(after.size() + 1);
  }

  /** Every record of the table's stream in {@code region} (Tidemark streams have one shard). */
  static List<software.amazon.awssdk.services.dynamodb.model.Record> streamRecords(
      int region, String table) {
    return streamRecords(
        servers.get(region).endpoint(), REGIONS[region], describe(region, table).latestStreamArn());
  }

  /** Every record of the stream {@code arn} of the server at {@code endpoint}. */
  static List<software.amazon.awssdk.services.dynamodb.model.Record> streamRecords(
      String endpoint, String region, String arn) {
    List<software.amazon.awssdk.services.dynamodb.model.Record> out = new ArrayList<>();
    try (var streams =
        software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient.builder()
            .endpointOverride(URI.create(endpoint))
            .region(Region.of(region))
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
            .httpClient(UrlConnectionHttpClient.create())
            .build()) {
      String shard =
          streams
              .describeStream(r -> r.streamArn(arn))
              .streamDescription()
              .shards()
              .get(0)
              .shardId();
      String iterator =
          streams
              .getShardIterator(
                  r -> r.streamArn(arn).shardId(shard).shardIteratorType("TRIM_HORIZON"))
              .shardIterator();
      while (iterator != null) {
        String it = iterator;
        var page = streams.getRecords(r -> r.shardIterator(it).limit(1000));
        out.addAll(page.records());
        if (page.records().isEmpty()) {
          break;
        }
        iterator = page.nextShardIterator();
      }
    }
    return out;
  }

  static ReplicationGroupUpdate create(String region) {
    return ReplicationGroupUpdate.builder().create(c -> c.regionName(region)).build();
  }

  static String refusal(Runnable call) {
    try {
      call.run();
    } catch (DynamoDbException e) {
      return e.awsErrorDetails().errorCode() + ": " + e.awsErrorDetails().errorMessage();
    }
    throw new AssertionError("not refused");
  }

  // Protects AWS's refusals of ReplicaUpdates, word for word, and that nothing changes.
  /**
   * Creates the replica of {@code table} (us-east-1) in eu-west-1, waits until both show it ACTIVE,
   * and checks that us-east-1 filled it by bulk load.
   */
  static void createBulkLoadedReplica(String table) throws Exception {
    long before =
        dev.tidemark.testkit.GlobalTableKit.replicationStatus(ports.get(0))
            .path("fillsBulkLoaded")
            .asLong();
    createReplica(0, table, 1);
    awaitActive(0, table, 2);
    awaitActive(1, table, 2);
    assertThat(
            dev.tidemark.testkit.GlobalTableKit.replicationStatus(ports.get(0))
                .path("fillsBulkLoaded")
                .asLong())
        .as("fills bulk-loaded by us-east-1")
        .isEqualTo(before + 1);
  }

  /** Waits (bounded) until the table in {@code region} has exactly these indexes, all ACTIVE. */
  static void awaitIndexes(int region, String table, String... names) throws InterruptedException {
    for (int i = 0; i < 600; i++) {
      TableDescription d = describe(region, table);
      List<String> active =
          d.globalSecondaryIndexes().stream()
              .filter(g -> g.indexStatusAsString().equals("ACTIVE"))
              .map(g -> g.indexName())
              .sorted()
              .toList();
      if (active.equals(List.of(names)) && d.globalSecondaryIndexes().size() == names.length) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("indexes of " + table + ": " + describe(region, table));
  }

  // Protects the bulk fill's index renumbering: the source's index byV is stored under another
  // number than the replica gives it (the source added it after byG, then dropped byG), so its
  // entries must move to the replica's number, or the replica's index would be empty (or hold
  // another index's entries).
  @Test
  void aBulkFillMovesIndexEntriesToTheReplicasNumbers() throws Exception {
    DynamoDbClient c = clients.get(0);
    createTable(c, "renumbered");
    c.updateTable(
        r ->
            r.tableName("renumbered")
                .attributeDefinitions(attr("v", ScalarAttributeType.S))
                .globalSecondaryIndexUpdates(
                    software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexUpdate
                        .builder()
                        .create(
                            g ->
                                g.indexName("byV")
                                    .keySchema(key("v", KeyType.HASH))
                                    .projection(p -> p.projectionType("KEYS_ONLY")))
                        .build()));
    awaitIndexes(0, "renumbered", "byG", "byV");
    c.updateTable(
        r ->
            r.tableName("renumbered")
                .globalSecondaryIndexUpdates(
                    software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexUpdate
                        .builder()
                        .delete(x -> x.indexName("byG"))
                        .build()));
    awaitIndexes(0, "renumbered", "byV");
    for (int i = 0; i < 30; i++) {
      Map<String, AttributeValue> it = item("r" + i, "g" + (i % 2), "v" + (i % 4));
      c.putItem(r -> r.tableName("renumbered").item(it));
    }
    createBulkLoadedReplica("renumbered");
    List<Map<String, AttributeValue>> source =
        dev.tidemark.testkit.GlobalTableKit.scan(c, "renumbered", "byV");
    assertThat(source).hasSize(30);
    assertThat(dev.tidemark.testkit.GlobalTableKit.scan(clients.get(1), "renumbered", "byV"))
        .isEqualTo(source);
    assertThat(
            clients
                .get(1)
                .query(
                    q ->
                        q.tableName("renumbered")
                            .indexName("byV")
                            .keyConditionExpression("v = :v")
                            .expressionAttributeValues(Map.of(":v", AttributeValue.fromS("v1"))))
                .count())
        .isEqualTo(8);
    assertThat(describe(1, "renumbered").globalSecondaryIndexes().get(0).itemCount()).isEqualTo(30);
  }

  // Protects the bulk fill of a local secondary index (entries under the table's partition key,
  // shaped by the table's range key as well): the replica's LSI answers queries as the source's
  // does, with the source's counters.
  @Test
  void aBulkFillCarriesALocalIndex() throws Exception {
    DynamoDbClient c = clients.get(0);
    c.createTable(
        r ->
            r.tableName("withLsi")
                .billingMode("PAY_PER_REQUEST")
                .attributeDefinitions(
                    attr("pk", ScalarAttributeType.S),
                    attr("sk", ScalarAttributeType.S),
                    attr("x", ScalarAttributeType.N))
                .keySchema(key("pk", KeyType.HASH), key("sk", KeyType.RANGE))
                .localSecondaryIndexes(
                    software.amazon.awssdk.services.dynamodb.model.LocalSecondaryIndex.builder()
                        .indexName("byX")
                        .keySchema(key("pk", KeyType.HASH), key("x", KeyType.RANGE))
                        .projection(p -> p.projectionType("INCLUDE").nonKeyAttributes("note"))
                        .build()));
    for (int i = 0; i < 40; i++) {
      Map<String, AttributeValue> it = new LinkedHashMap<>();
      it.put("pk", AttributeValue.fromS("p" + (i % 4)));
      it.put("sk", AttributeValue.fromS("s" + i));
      if (i % 5 != 0) {
        it.put("x", AttributeValue.fromN(Integer.toString(100 - i)));
      }
      it.put("note", AttributeValue.fromS("n" + i));
      it.put("other", AttributeValue.fromS("not projected"));
      c.putItem(r -> r.tableName("withLsi").item(it));
    }
    createBulkLoadedReplica("withLsi");
    for (String pk : List.of("p0", "p1", "p2", "p3")) {
      List<List<Map<String, AttributeValue>>> answers = new ArrayList<>();
      for (int region = 0; region < 2; region++) {
        answers.add(
            clients
                .get(region)
                .query(
                    q ->
                        q.tableName("withLsi")
                            .indexName("byX")
                            .keyConditionExpression("pk = :p")
                            .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(pk))))
                .items());
      }
      assertThat(answers.get(0))
          .hasSize(8)
          .allSatisfy(m -> assertThat(m).doesNotContainKey("other"));
      assertThat(answers.get(1)).as(pk).isEqualTo(answers.get(0));
    }
    var source = describe(0, "withLsi").localSecondaryIndexes().get(0);
    var replica = describe(1, "withLsi").localSecondaryIndexes().get(0);
    assertThat(replica.itemCount()).isEqualTo(source.itemCount()).isEqualTo(32);
    assertThat(replica.indexSizeBytes()).isEqualTo(source.indexSizeBytes());
  }

  @Test
  void replicaUpdatesAreValidatedAsOnAws() throws Exception {
    DynamoDbClient a = clients.get(0);
    createTable(a, "checks");
    ReplicationGroupUpdate createB = create(REGIONS[1]);
    ReplicationGroupUpdate createC = create(REGIONS[2]);
    ReplicationGroupUpdate deleteB =
        ReplicationGroupUpdate.builder().delete(c -> c.regionName(REGIONS[1])).build();
    assertThat(
            refusal(
                () ->
                    a.updateTable(
                        r ->
                            r.tableName("checks")
                                .replicaUpdates(createB)
                                .deletionProtectionEnabled(true))))
        .isEqualTo(
            "ValidationException: Requests that modify replicas or witnesses must not also modify"
                + " other fields");
    assertThat(
            refusal(
                () -> a.updateTable(r -> r.tableName("checks").replicaUpdates(createB, createC))))
        .isEqualTo(
            "ValidationException: Update table operation with more than one create or delete"
                + " replica actions not allowed");
    assertThat(
            refusal(
                () -> a.updateTable(r -> r.tableName("checks").replicaUpdates(createB, deleteB))))
        .isEqualTo(
            "ValidationException: Update table operation with more than one type of replica"
                + " actions not allowed.");
    assertThat(
            refusal(
                () -> a.updateTable(r -> r.tableName("checks").replicaUpdates(create(REGIONS[0])))))
        .isEqualTo(
            "ValidationException: Cannot add or delete the local region through ReplicaUpdates."
                + " Use CreateTable, DeleteTable, or UpdateTable as required.");
    assertThat(
            refusal(
                () ->
                    a.updateTable(
                        r -> r.tableName("checks").replicaUpdates(create("mars-north-1")))))
        .isEqualTo(
            "ValidationException: Region mars-north-1 is not supported. The latest version of"
                + " global tables are only supported in the following regions: [eu-west-1,"
                + " ap-south-1].");
    assertThat(refusal(() -> a.updateTable(r -> r.tableName("checks").replicaUpdates(deleteB))))
        .isEqualTo(
            "ValidationException: Update global table operation failed because one or more"
                + " replicas were not part of the global table. Please retry the request without"
                + " these replicas: [eu-west-1].");
    assertThat(describe(0, "checks").replicas()).isEmpty();
    assertThat(describe(0, "checks").globalTableVersion()).isNull();

    // A table of that name in the other region already: AWS's (sic) message, nothing created.
    createTable(clients.get(2), "checks");
    assertThat(refusal(() -> a.updateTable(r -> r.tableName("checks").replicaUpdates(createC))))
        .isEqualTo(
            "ValidationException: Failed to create a the new replica of table with name:"
                + " \u2018checks\u2019 because one or more replicas already existed as tables.");
    assertThat(describe(0, "checks").replicas()).isEmpty();

    a.updateTable(r -> r.tableName("checks").replicaUpdates(createB));
    awaitActive(0, "checks", 2);
    assertThat(
            refusal(
                () ->
                    a.updateTable(
                        r ->
                            r.tableName("checks")
                                .streamSpecification(s -> s.streamEnabled(false)))))
        .isEqualTo(
            "ValidationException: Disabling Stream is not allowed for a Global Table replica.");
    // Deletion protection is per replica and checked in the replica's region.
    clients.get(1).updateTable(r -> r.tableName("checks").deletionProtectionEnabled(true));
    assertThat(refusal(() -> a.updateTable(r -> r.tableName("checks").replicaUpdates(deleteB))))
        .isEqualTo(
            "ValidationException: Cannot delete table checks in region eu-west-1 because it has"
                + " deletion protection enabled. Disable deletion protection first.");
    assertThat(describe(1, "checks").tableStatusAsString()).isEqualTo("ACTIVE");
    assertThat(describe(0, "checks").deletionProtectionEnabled()).isFalse();
    clients.get(1).updateTable(r -> r.tableName("checks").deletionProtectionEnabled(false));
    a.updateTable(r -> r.tableName("checks").replicaUpdates(deleteB));
    assertThat(describe(0, "checks").replicas()).isEmpty();
  }

  /** The table class a region's replica has, and the one a second region lists for it. */
  static String[] classes(int region, int listedBy, String table) {
    var listed =
        describe(listedBy, table).replicas().stream()
            .filter(x -> x.regionName().equals(REGIONS[region]))
            .findFirst()
            .orElseThrow()
            .replicaTableClassSummary();
    return new String[] {
      describe(region, table).tableClassSummary().tableClassAsString(),
      listed == null ? null : listed.tableClassAsString()
    };
  }

  static void awaitClasses(int region, int listedBy, String table, String own, String listed)
      throws InterruptedException {
    for (int i = 0; i < 600; i++) {
      String[] now = classes(region, listedBy, table);
      if (own.equals(now[0]) && java.util.Objects.equals(listed, now[1])) {
        return;
      }
      Thread.sleep(50);
    }
    assertThat(classes(region, listedBy, table)).containsExactly(own, listed);
  }

  // Protects ReplicaUpdates' TableClassOverride (on Create and on Update): only the named replica
  // changes class, the other regions list its override and keep the group's class, and a later
  // change of the group's class clears every override, as on AWS. Also the overrides Tidemark lacks
  // are refused rather than accepted and dropped, and a bad class gets AWS's enum message.
  @Test
  void aReplicaKeepsItsOwnTableClassUntilTheGroupsClassChanges() throws Exception {
    DynamoDbClient a = clients.get(0);
    createTable(a, "classes");
    a.updateTable(
        r ->
            r.tableName("classes")
                .replicaUpdates(
                    ReplicationGroupUpdate.builder()
                        .create(
                            c ->
                                c.regionName(REGIONS[1])
                                    .tableClassOverride("STANDARD_INFREQUENT_ACCESS"))
                        .build()));
    awaitActive(0, "classes", 2);
    awaitClasses(1, 0, "classes", "STANDARD_INFREQUENT_ACCESS", "STANDARD_INFREQUENT_ACCESS");
    createReplica(0, "classes", 2);
    awaitActive(0, "classes", 3);
    // The third region joined later: it takes the group's class and learns the override.
    awaitClasses(2, 0, "classes", "STANDARD", null);
    awaitClasses(1, 2, "classes", "STANDARD_INFREQUENT_ACCESS", "STANDARD_INFREQUENT_ACCESS");
    assertThat(describe(0, "classes").tableClassSummary().tableClassAsString())
        .isEqualTo("STANDARD");

    // An Update from the third region gives the first its own class too.
    updateReplica(
        2,
        "classes",
        u -> u.regionName(REGIONS[0]).tableClassOverride("STANDARD_INFREQUENT_ACCESS"));
    awaitClasses(0, 1, "classes", "STANDARD_INFREQUENT_ACCESS", "STANDARD_INFREQUENT_ACCESS");
    assertThat(describe(2, "classes").tableClassSummary().tableClassAsString())
        .isEqualTo("STANDARD");

    // The group's class changes (in an overridden region): every override is gone everywhere.
    clients.get(1).updateTable(r -> r.tableName("classes").tableClass("STANDARD"));
    for (int region = 0; region < 3; region++) {
      awaitClasses(region, (region + 1) % 3, "classes", "STANDARD", null);
    }

    assertThat(
            refusal(
                () ->
                    updateReplica(
                        0, "classes", u -> u.regionName(REGIONS[1]).tableClassOverride("GLACIER"))))
        .isEqualTo(
            "ValidationException: 1 validation error detected: Value 'GLACIER' at"
                + " 'replicaUpdates.1.member.update.tableClassOverride' failed to satisfy"
                + " constraint: Member must satisfy enum value set: [STANDARD,"
                + " STANDARD_INFREQUENT_ACCESS]");
    assertThat(
            refusal(
                () ->
                    updateReplica(
                        0,
                        "classes",
                        u ->
                            u.regionName(REGIONS[1])
                                .onDemandThroughputOverride(o -> o.maxReadRequestUnits(100L)))))
        .startsWith("ValidationException: Tidemark does not support OnDemandThroughputOverride");
    assertThat(refusal(() -> updateReplica(0, "classes", u -> u.regionName(REGIONS[1]))))
        .isEqualTo(
            "ValidationException: There are no actions specified in the Replica Update Action of"
                + " the request.");
    assertThat(describe(1, "classes").tableClassSummary().tableClassAsString())
        .isEqualTo("STANDARD");
  }

  static void updateReplica(
      int from,
      String table,
      java.util.function.Consumer<
              software.amazon.awssdk.services.dynamodb.model.UpdateReplicationGroupMemberAction
                  .Builder>
          update) {
    clients
        .get(from)
        .updateTable(
            r ->
                r.tableName(table)
                    .replicaUpdates(ReplicationGroupUpdate.builder().update(update).build()));
  }

  // Protects the legacy (2017.11.29) operations' answers: AWS's today, verbatim.
  @Test
  void legacyGlobalTableOperationsAnswerAsAwsDoesToday() {
    DynamoDbClient a = clients.get(0);
    String notSupported =
        "ValidationException: One or more parameter values were invalid: DynamoDB global tables"
            + " version 2017.11.29 is not supported. We recommend using DynamoDB global tables"
            + " version 2019.11.21, instead of version 2017.11.29 (Legacy).";
    assertThat(
            refusal(
                () ->
                    a.createGlobalTable(
                        r ->
                            r.globalTableName("legacy")
                                .replicationGroup(
                                    software.amazon.awssdk.services.dynamodb.model.Replica.builder()
                                        .regionName(REGIONS[1])
                                        .build()))))
        .isEqualTo(notSupported);
    assertThat(
            refusal(
                () ->
                    a.updateGlobalTable(
                        r ->
                            r.globalTableName("legacy")
                                .replicaUpdates(
                                    software.amazon.awssdk.services.dynamodb.model.ReplicaUpdate
                                        .builder()
                                        .create(c -> c.regionName(REGIONS[1]))
                                        .build()))))
        .isEqualTo(notSupported);
    assertThat(refusal(() -> a.describeGlobalTable(r -> r.globalTableName("legacy"))))
        .isEqualTo(
            "GlobalTableNotFoundException: Global table not found: Global table with name:"
                + " 'legacy' does not exist.");
    assertThat(refusal(() -> a.describeGlobalTableSettings(r -> r.globalTableName("legacy"))))
        .isEqualTo(
            "GlobalTableNotFoundException: Global table with name: 'legacy' does not exist.");
    assertThat(a.listGlobalTables(r -> r.regionName(REGIONS[1])).globalTables()).isEmpty();
  }

  // Protects the peer endpoint: unsigned or wrongly signed replication requests are refused.
  @Test
  void replicationTrafficMustBeSigned() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String url = "http://127.0.0.1:" + ports.get(0) + "/tidemark/replication/apply";
    HttpResponse<String> unsigned =
        http.send(
            HttpRequest.newBuilder(URI.create(url))
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertThat(unsigned.statusCode()).isEqualTo(403);
    assertThat(unsigned.body())
        .contains("AccessDeniedException")
        .contains("must carry X-Tidemark-Replication");
    dev.tidemark.replication.PeerAuth wrong =
        new dev.tidemark.replication.PeerAuth(
            "not-the-secret-of-these-servers".getBytes(StandardCharsets.UTF_8));
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> forged =
        http.send(
            HttpRequest.newBuilder(URI.create(url))
                .header(
                    "X-Tidemark-Replication",
                    wrong.sign(
                        "eu-west-1",
                        System.currentTimeMillis(),
                        "/tidemark/replication/apply",
                        body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(forged.body()).contains("signature does not match");
  }
}
