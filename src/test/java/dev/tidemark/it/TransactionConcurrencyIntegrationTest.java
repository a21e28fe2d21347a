package dev.tidemark.it;

import static dev.tidemark.it.BatchIntegrationTest.hashKey;
import static dev.tidemark.it.BatchIntegrationTest.n;
import static dev.tidemark.it.BatchIntegrationTest.s;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Seeded randomized concurrency. Writers run transfers between accounts (the sum of balances is
 * constant), multi-item puts that write one version marker to several items, and single writes;
 * readers run TransactGetItems, Scans and Queries on a global secondary index meanwhile and must
 * never see a transaction half applied. At the end the table must equal a reference model built
 * from the writers' acknowledged results, and replaying the table's DynamoDB stream from the start
 * must give exactly the table. Set {@code -Dtidemark.seed=N} to replay a run's choice of
 * operations.
 */
class TransactionConcurrencyIntegrationTest {
  private static final String TABLE = "bank";
  private static final int ACCOUNTS = 8;
  private static final int MARKERS = 4;
  private static final long INITIAL = 1_000;
  private static final int WRITERS = 4;
  private static final int READERS = 2;
  private static final int OPS_PER_WRITER = 150;

  private static LiveServer server;
  private static DynamoDbClient ddb;

  @BeforeAll
  static void start() throws Exception {
    server = LiveServer.inMemory();
    ddb = server.client;
    ddb.createTable(
        BatchIntegrationTest.hashTable(TABLE).toBuilder()
            .attributeDefinitions(
                Indexed.attr("pk", ScalarAttributeType.S),
                Indexed.attr("kind", ScalarAttributeType.S))
            .globalSecondaryIndexes(Indexed.gsi("by_kind", "kind", "pk", ProjectionType.ALL))
            .streamSpecification(
                StreamSpecification.builder()
                    .streamEnabled(true)
                    .streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)
                    .build())
            .build());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static String account(int i) {
    return "acct" + i;
  }

  private static String marker(int i) {
    return "mark" + i;
  }

  /** What one writer saw acknowledged. */
  private static final class Model {
    final long[] deltas = new long[ACCOUNTS];
    final Set<Long> versions = new HashSet<>();
    final Map<String, String> noise = new HashMap<>();
    int transfersApplied;
    int transfersCancelled;
  }

  // Protects isolation and atomicity under concurrency: no reader sees half a transaction.
  @Test
  void readersNeverSeeHalfATransaction() throws Exception {
    long seed = Long.getLong("tidemark.seed", 20_261_121L);
    try {
      run(seed);
    } catch (AssertionError | Exception e) {
      throw new AssertionError("failed with -Dtidemark.seed=" + seed + ": " + e.getMessage(), e);
    }
  }

  private void run(long seed) throws Exception {
    for (int i = 0; i < ACCOUNTS; i++) {
      int a = i;
      ddb.putItem(
          r ->
              r.tableName(TABLE)
                  .item(
                      Map.of(
                          "pk",
                          s(account(a)),
                          "kind",
                          s("acct"),
                          "bal",
                          n(Long.toString(INITIAL)))));
    }
    for (int i = 0; i < MARKERS; i++) {
      int m = i;
      ddb.putItem(
          r ->
              r.tableName(TABLE)
                  .item(Map.of("pk", s(marker(m)), "kind", s("mark"), "ver", n("0"))));
    }

    Queue<String> violations = new ConcurrentLinkedQueue<>();
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicInteger consistentReads = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS + READERS);
    List<Future<Model>> writers = new ArrayList<>();
    List<Future<?>> readers = new ArrayList<>();
    try {
      for (int w = 0; w < WRITERS; w++) {
        int id = w;
        writers.add(pool.submit(() -> write(id, new Random(seed * 31 + id))));
      }
      for (int r = 0; r < READERS; r++) {
        readers.add(
            pool.submit(
                () -> {
                  do {
                    check(violations);
                    consistentReads.incrementAndGet();
                  } while (writing.get());
                  return null;
                }));
      }
      List<Model> models = new ArrayList<>();
      try {
        for (Future<Model> f : writers) {
          models.add(f.get());
        }
      } finally {
        writing.set(false);
      }
      for (Future<?> f : readers) {
        f.get();
      }
      assertThat(violations).isEmpty();
      assertThat(consistentReads.get()).isGreaterThanOrEqualTo(READERS);
      verifyFinalState(models);
      verifyStreamReplay();
    } finally {
      pool.shutdownNow();
    }
  }

  private static Model write(int id, Random random) {
    Model model = new Model();
    for (int op = 0; op < OPS_PER_WRITER; op++) {
      int choice = random.nextInt(10);
      if (choice < 5) {
        transfer(id, op, random, model);
      } else if (choice < 7) {
        long version = id * 1_000_000L + op + 1;
        List<TransactWriteItem> puts = new ArrayList<>();
        for (int m = 0; m < MARKERS; m++) {
          puts.add(
              TransactionIntegrationTest.put(
                  TABLE,
                  Map.of(
                      "pk",
                      s(marker(m)),
                      "kind",
                      s("mark"),
                      "ver",
                      n(Long.toString(version)),
                      "by",
                      n(Integer.toString(id))),
                  null));
        }
        ddb.transactWriteItems(r -> r.transactItems(puts));
        model.versions.add(version);
      } else if (choice < 9) {
        String key = "noise" + id + "_" + random.nextInt(6);
        if (random.nextBoolean()) {
          String value = Integer.toString(random.nextInt(1000));
          ddb.putItem(r -> r.tableName(TABLE).item(Map.of("pk", s(key), "v", s(value))));
          model.noise.put(key, value);
        } else {
          ddb.deleteItem(r -> r.tableName(TABLE).key(hashKey(key)));
          model.noise.remove(key);
        }
      } else {
        // A single write on an account that leaves its balance alone, racing the transfers.
        String acct = account(random.nextInt(ACCOUNTS));
        ddb.updateItem(
            r ->
                r.tableName(TABLE)
                    .key(hashKey(acct))
                    .updateExpression("SET touchedBy = :w")
                    .expressionAttributeValues(Map.of(":w", n(Integer.toString(id)))));
      }
    }
    return model;
  }

  private static void transfer(int id, int op, Random random, Model model) {
    int from = random.nextInt(ACCOUNTS);
    int to = (from + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
    // Large enough that some transfers find the balance short and are cancelled.
    long amount = 1 + random.nextInt(400);
    List<TransactWriteItem> items =
        List.of(
            TransactionIntegrationTest.update(
                TABLE,
                hashKey(account(from)),
                "SET bal = bal - :x",
                Map.of(":x", n(Long.toString(amount))),
                "bal >= :x"),
            TransactionIntegrationTest.update(
                TABLE,
                hashKey(account(to)),
                "SET bal = bal + :x",
                Map.of(":x", n(Long.toString(amount))),
                null));
    // Every fourth transfer carries a token and is sent twice, as a client retry would be.
    String token = random.nextInt(4) == 0 ? "w" + id + "-" + op : null;
    boolean applied = attempt(items, token);
    if (token != null) {
      boolean again = attempt(items, token);
      if (applied && !again) {
        throw new AssertionError("a replay of a successful token failed: " + token);
      }
      applied |= again;
    }
    if (applied) {
      model.deltas[from] -= amount;
      model.deltas[to] += amount;
      model.transfersApplied++;
    } else {
      model.transfersCancelled++;
    }
  }

  private static boolean attempt(List<TransactWriteItem> items, String token) {
    try {
      ddb.transactWriteItems(r -> r.transactItems(items).clientRequestToken(token));
      return true;
    } catch (TransactionCanceledException e) {
      List<String> codes = e.cancellationReasons().stream().map(CancellationReason::code).toList();
      if (!codes.equals(List.of("ConditionalCheckFailed", "None"))) {
        throw new AssertionError("unexpected cancellation reasons " + codes, e);
      }
      return false;
    }
  }

  /** One round of consistent reads; records what it finds wrong. */
  private static void check(Queue<String> violations) {
    List<TransactGetItem> gets = new ArrayList<>();
    for (int i = 0; i < ACCOUNTS; i++) {
      gets.add(TransactionIntegrationTest.get(TABLE, hashKey(account(i)), "bal"));
    }
    for (int i = 0; i < MARKERS; i++) {
      gets.add(TransactionIntegrationTest.get(TABLE, hashKey(marker(i)), null));
    }
    List<ItemResponse> got = ddb.transactGetItems(r -> r.transactItems(gets)).responses();
    List<Map<String, AttributeValue>> accounts = new ArrayList<>();
    List<Map<String, AttributeValue>> markers = new ArrayList<>();
    for (int i = 0; i < got.size(); i++) {
      (i < ACCOUNTS ? accounts : markers).add(got.get(i).item());
    }
    verifyInvariants("TransactGetItems", accounts, markers, violations);

    List<Map<String, AttributeValue>> scanned =
        ddb.scan(r -> r.tableName(TABLE).consistentRead(true)).items();
    List<Map<String, AttributeValue>> scannedAccounts = new ArrayList<>();
    List<Map<String, AttributeValue>> scannedMarkers = new ArrayList<>();
    for (Map<String, AttributeValue> item : scanned) {
      String pk = item.get("pk").s();
      if (pk.startsWith("acct")) {
        scannedAccounts.add(item);
      } else if (pk.startsWith("mark")) {
        scannedMarkers.add(item);
      }
    }
    verifyInvariants("Scan", scannedAccounts, scannedMarkers, violations);

    // The index is maintained in the same batch as its items: a Query sees whole transactions too.
    verifyInvariants("Query on a global index", queryKind("acct"), queryKind("mark"), violations);
  }

  private static List<Map<String, AttributeValue>> queryKind(String kind) {
    return ddb.query(
            r ->
                r.tableName(TABLE)
                    .indexName("by_kind")
                    .keyConditionExpression("kind = :k")
                    .expressionAttributeValues(Map.of(":k", s(kind))))
        .items();
  }

  /** Folds every stream record, in order, into a map of items: it must give the final table. */
  private static void verifyStreamReplay() {
    String arn = ddb.describeTable(r -> r.tableName(TABLE)).table().latestStreamArn();
    try (DynamoDbStreamsClient streams =
        DynamoDbStreamsClient.builder()
            .endpointOverride(java.net.URI.create(server.running.endpoint()))
            .region(software.amazon.awssdk.regions.Region.US_EAST_1)
            .credentialsProvider(
                software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                    software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("t", "t")))
            .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
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
                  r ->
                      r.streamArn(arn)
                          .shardId(shard)
                          .shardIteratorType(ShardIteratorType.TRIM_HORIZON))
              .shardIterator();
      Map<String, Map<String, AttributeValue>> replayed = new HashMap<>();
      int records = 0;
      while (iterator != null) {
        String it = iterator;
        var page = streams.getRecords(r -> r.shardIterator(it).limit(1000));
        for (var rec : page.records()) {
          String pk = rec.dynamodb().keys().get("pk").s();
          if (rec.eventNameAsString().equals("REMOVE")) {
            replayed.remove(pk);
          } else {
            replayed.put(pk, new HashMap<>(rec.dynamodb().newImage()));
          }
          records++;
        }
        if (page.records().isEmpty()) {
          break;
        }
        iterator = page.nextShardIterator();
      }
      Map<String, Map<String, AttributeValue>> table = new HashMap<>();
      for (Map<String, AttributeValue> item :
          ddb.scan(r -> r.tableName(TABLE).consistentRead(true)).items()) {
        table.put(item.get("pk").s(), item);
      }
      assertThat(records).isPositive();
      assertThat(replayed).as("the stream replayed from its start").isEqualTo(table);
    }
  }

  private static void verifyInvariants(
      String reader,
      List<Map<String, AttributeValue>> accounts,
      List<Map<String, AttributeValue>> markers,
      Queue<String> violations) {
    long sum = 0;
    for (Map<String, AttributeValue> a : accounts) {
      long bal = Long.parseLong(a.get("bal").n());
      if (bal < 0) {
        violations.add(reader + " saw a negative balance: " + a);
      }
      sum += bal;
    }
    if (accounts.size() != ACCOUNTS || sum != ACCOUNTS * INITIAL) {
      violations.add(reader + " saw " + accounts.size() + " accounts summing to " + sum);
    }
    Set<String> versions = new HashSet<>();
    for (Map<String, AttributeValue> m : markers) {
      versions.add(m.get("ver").n());
    }
    if (markers.size() != MARKERS || versions.size() != 1) {
      violations.add(reader + " saw markers with versions " + versions);
    }
  }

  private static void verifyFinalState(List<Model> models) {
    long[] expected = new long[ACCOUNTS];
    Set<Long> versions = new HashSet<>();
    Map<String, String> noise = new HashMap<>();
    int applied = 0;
    int cancelled = 0;
    for (Model m : models) {
      for (int i = 0; i < ACCOUNTS; i++) {
        expected[i] += m.deltas[i];
      }
      versions.addAll(m.versions);
      noise.putAll(m.noise);
      applied += m.transfersApplied;
      cancelled += m.transfersCancelled;
    }
    // Both outcomes must have happened, or the run tested less than it claims.
    assertThat(applied).isPositive();
    assertThat(cancelled).isPositive();
    for (int i = 0; i < ACCOUNTS; i++) {
      int a = i;
      Map<String, AttributeValue> item =
          ddb.getItem(r -> r.tableName(TABLE).key(hashKey(account(a))).consistentRead(true)).item();
      assertThat(Long.parseLong(item.get("bal").n()))
          .as("balance of %s", account(a))
          .isEqualTo(INITIAL + expected[a]);
    }
    Set<String> finalVersions = new HashSet<>();
    for (int i = 0; i < MARKERS; i++) {
      int m = i;
      finalVersions.add(
          ddb.getItem(r -> r.tableName(TABLE).key(hashKey(marker(m))).consistentRead(true))
              .item()
              .get("ver")
              .n());
    }
    assertThat(finalVersions).hasSize(1);
    if (!versions.isEmpty()) {
      assertThat(versions).contains(Long.parseLong(finalVersions.iterator().next()));
    }
    Map<String, String> actualNoise = new HashMap<>();
    for (Map<String, AttributeValue> item :
        ddb.scan(r -> r.tableName(TABLE).consistentRead(true)).items()) {
      String pk = item.get("pk").s();
      if (pk.startsWith("noise")) {
        actualNoise.put(pk, item.get("v").s());
      }
    }
    assertThat(actualNoise).isEqualTo(noise);
  }
}
