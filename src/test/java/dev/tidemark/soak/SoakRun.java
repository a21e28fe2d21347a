package dev.tidemark.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BackupStatus;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The soak: a mixed workload against the packaged server (a separate process, data on disk, sync
 * durability) for {@code -Dsoak.minutes} (default 10), with on-demand backups and their restores
 * and point-in-time restores running alongside. Reports throughput every {@code
 * -Dsoak.reportSeconds}, the error count (target 0) and the server's RSS at start and end. Not part
 * of CI: run it with {@code scripts/soak.sh}. A share of the puts carry an already expired TTL
 * attribute; the server's TTL sweeper (every 5 s here) must have removed them all at the end.
 */
class SoakRun {
  private static final String TABLE = "soak";
  private static final int ACCOUNTS = 20;
  private static final long OPENING = 1000;
  private static final int KEYS = 40_000;

  private final LongAdder ops = new LongAdder();
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  private final LongAdder backups = new LongAdder();
  private final LongAdder restores = new LongAdder();
  private final LongAdder pitrRestores = new LongAdder();
  private final LongAdder expiredWritten = new LongAdder();

  // Protects long-run stability: zero errors, invariants intact, over minutes of mixed load
  // with backups and restores alongside.
  @Test
  void soak() throws Exception {
    double minutes = Double.parseDouble(System.getProperty("soak.minutes", "10"));
    int reportSeconds = Integer.getInteger("soak.reportSeconds", 30);
    int threads = Integer.getInteger("soak.threads", 8);
    long seed = Long.getLong("soak.seed", System.nanoTime());
    System.out.printf("soak: %.1f minutes, %d threads, seed %d%n", minutes, threads, seed);
    Path dir = Files.createTempDirectory("tidemark-soak");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    List<String> command = new ArrayList<>(List.of("java"));
    String jvm = System.getProperty("soak.serverJvm", "").trim();
    if (!jvm.isEmpty()) {
      command.addAll(List.of(jvm.split("\\s+")));
    }
    command.addAll(
        List.of(
            "-jar",
            System.getProperty("tidemark.jar", "target/tidemark.jar"),
            "--port",
            Integer.toString(port),
            "--data-dir",
            dir.resolve("data").toString(),
            "--backup-dir",
            dir.resolve("backups").toString(),
            "--ttl-sweep-interval",
            "5s"));
    System.out.println("soak: server command " + command);
    Process server =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("server.log").toFile())
            .start();
    try {
      awaitHealthy(port);
      System.out.println("soak: server pid " + server.pid() + ", log " + dir.resolve("server.log"));
      DynamoDbClient c = client(port);
      setUp(c);
      long rssStart = rssKb(server.pid());
      System.out.println("soak: RSS at start " + rssStart / 1024 + " MB");
      AtomicBoolean stop = new AtomicBoolean();
      Random random = new Random(seed);
      ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        long s = random.nextLong();
        futures.add(pool.submit(() -> work(c, new Random(s), stop)));
      }
      futures.add(pool.submit(() -> protection(c, stop)));
      long start = System.nanoTime();
      long end = start + (long) (minutes * 60e9);
      long lastOps = 0;
      long peakRss = rssStart;
      while (System.nanoTime() < end) {
        Thread.sleep(
            Math.min(reportSeconds * 1000L, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
        long now = ops.sum();
        long rss = rssKb(server.pid());
        peakRss = Math.max(peakRss, rss);
        System.out.printf(
            "soak: t=%4ds  %7.0f ops/s  errors %d  backups %d  restores %d  pitr restores %d  RSS %d MB%n",
            (System.nanoTime() - start) / 1_000_000_000,
            (now - lastOps) / (double) reportSeconds,
            errorCount(),
            backups.sum(),
            restores.sum(),
            pitrRestores.sum(),
            rss / 1024);
        lastOps = now;
      }
      stop.set(true);
      for (Future<?> f : futures) {
        f.get();
      }
      pool.shutdown();
      checkInvariant(c, TABLE);
      long remaining = expiredRemaining(c);
      for (int i = 0; i < 60 && remaining > 0; i++) {
        Thread.sleep(1000); // a few sweep intervals
        remaining = expiredRemaining(c);
      }
      System.out.printf(
          "soak: TTL: %d expired items written, %d left after the sweeps%n",
          expiredWritten.sum(), remaining);
      if (remaining > 0) {
        error(new IllegalStateException(remaining + " expired items were never swept"));
      }
      long rssEnd = rssKb(server.pid());
      peakRss = Math.max(peakRss, rssEnd);
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          "soak: DONE %.0f s, %d ops (%.0f ops/s), errors %d %s, backups %d, restores %d, pitr"
              + " restores %d, RSS start %d MB, end %d MB, peak %d MB%n",
          seconds,
          ops.sum(),
          ops.sum() / seconds,
          errorCount(),
          errors,
          backups.sum(),
          restores.sum(),
          pitrRestores.sum(),
          rssStart / 1024,
          rssEnd / 1024,
          peakRss / 1024);
      assertThat(errorCount()).as("errors during the soak: %s", errors).isZero();
    } finally {
      server.destroy();
      server.waitFor();
    }
  }

  private long errorCount() {
    return errors.values().stream().mapToLong(LongAdder::sum).sum();
  }

  private void error(Exception e) {
    errors.computeIfAbsent(e.getClass().getSimpleName(), k -> new LongAdder()).increment();
    if (errorCount() <= 5) {
      System.out.println("soak: error " + e);
    }
  }

  private static DynamoDbClient client(int port) {
    return DynamoDbClient.builder()
        .endpointOverride(URI.create("http://127.0.0.1:" + port))
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("soak", "soak")))
        .httpClient(UrlConnectionHttpClient.builder().socketTimeout(Duration.ofSeconds(60)).build())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }

  private static void awaitHealthy(int port) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    for (int i = 0; i < 600; i++) {
      try {
        if (http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 200) {
          return;
        }
      } catch (IOException notYet) {
        // starting
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("server did not start");
  }

  /** Resident set size of a process in KB, from /proc (Linux). */
  private static long rssKb(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  private static AttributeValue s(String v) {
    return AttributeValue.fromS(v);
  }

  private static AttributeValue n(long v) {
    return AttributeValue.fromN(Long.toString(v));
  }

  private static void setUp(DynamoDbClient c) {
    c.createTable(
        r ->
            r.tableName(TABLE)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                    AttributeDefinition.builder()
                        .attributeName("pk")
                        .attributeType(ScalarAttributeType.S)
                        .build(),
                    AttributeDefinition.builder()
                        .attributeName("sk")
                        .attributeType(ScalarAttributeType.N)
                        .build())
                .keySchema(
                    KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build(),
                    KeySchemaElement.builder().attributeName("sk").keyType(KeyType.RANGE).build()));
    for (int a = 0; a < ACCOUNTS; a++) {
      int acct = a;
      c.putItem(
          r -> r.tableName(TABLE).item(Map.of("pk", s("acct"), "sk", n(acct), "bal", n(OPENING))));
    }
    c.updateContinuousBackups(
        r ->
            r.tableName(TABLE)
                .pointInTimeRecoverySpecification(p -> p.pointInTimeRecoveryEnabled(true)));
    c.updateTimeToLive(
        r -> r.tableName(TABLE).timeToLiveSpecification(t -> t.enabled(true).attributeName("exp")));
  }

  private void work(DynamoDbClient c, Random r, AtomicBoolean stop) {
    while (!stop.get()) {
      String pk = "k" + r.nextInt(KEYS / 100);
      long sk = r.nextInt(100);
      Map<String, AttributeValue> key = Map.of("pk", s(pk), "sk", n(sk));
      try {
        int op = r.nextInt(100);
        if (op < 5) {
          // Already expired: the TTL sweeper must remove it.
          long sec = System.currentTimeMillis() / 1000 - 1 - r.nextInt(100);
          c.putItem(
              p ->
                  p.tableName(TABLE)
                      .item(
                          Map.of(
                              "pk",
                              s("ttl-" + (sk % 10)),
                              "sk",
                              n(r.nextInt(1_000_000)),
                              "exp",
                              n(sec))));
          expiredWritten.increment();
        } else if (op < 30) {
          c.putItem(
              p ->
                  p.tableName(TABLE)
                      .item(
                          Map.of(
                              "pk", s(pk),
                              "sk", n(sk),
                              "v", s("x".repeat(100 + r.nextInt(900))))));
        } else if (op < 55) {
          c.getItem(g -> g.tableName(TABLE).key(key).consistentRead(r.nextBoolean()));
        } else if (op < 65) {
          c.updateItem(
              u ->
                  u.tableName(TABLE)
                      .key(key)
                      .updateExpression("ADD hits :one SET seen = :t")
                      .expressionAttributeValues(
                          Map.of(":one", n(1), ":t", n(System.currentTimeMillis()))));
        } else if (op < 75) {
          c.query(
              q ->
                  q.tableName(TABLE)
                      .keyConditionExpression("pk = :p AND sk < :s")
                      .expressionAttributeValues(Map.of(":p", s(pk), ":s", n(sk)))
                      .limit(20));
        } else if (op < 82) {
          c.deleteItem(d -> d.tableName(TABLE).key(key));
        } else if (op < 90) {
          int from = r.nextInt(ACCOUNTS);
          int to = (from + 1 + r.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
          long amt = 1 + r.nextInt(50);
          List<TransactWriteItem> transfer =
              List.of(
                  TransactWriteItem.builder()
                      .update(
                          Update.builder()
                              .tableName(TABLE)
                              .key(Map.of("pk", s("acct"), "sk", n(from)))
                              .updateExpression("SET bal = bal - :a")
                              .conditionExpression("bal >= :a")
                              .expressionAttributeValues(Map.of(":a", n(amt)))
                              .build())
                      .build(),
                  TransactWriteItem.builder()
                      .update(
                          Update.builder()
                              .tableName(TABLE)
                              .key(Map.of("pk", s("acct"), "sk", n(to)))
                              .updateExpression("SET bal = bal + :a")
                              .expressionAttributeValues(Map.of(":a", n(amt)))
                              .build())
                      .build());
          c.transactWriteItems(t -> t.transactItems(transfer));
        } else {
          List<WriteRequest> batch = new ArrayList<>();
          for (int i = 0; i < 10; i++) {
            Map<String, AttributeValue> item =
                Map.of("pk", s(pk), "sk", n((sk + i) % 100), "v", s("batch"));
            batch.add(WriteRequest.builder().putRequest(p -> p.item(item)).build());
          }
          c.batchWriteItem(b -> b.requestItems(Map.of(TABLE, batch)));
        }
        ops.increment();
      } catch (TransactionCanceledException insufficientBalance) {
        ops.increment(); // a refused transfer is a correct answer, not an error
      } catch (RuntimeException e) {
        error(e);
      }
    }
  }

  /** Backups, their restores, and point-in-time restores, one after another, with checks. */
  private void protection(DynamoDbClient c, AtomicBoolean stop) {
    int round = 0;
    while (!stop.get()) {
      try {
        int id = round++;
        String arn =
            c.createBackup(b -> b.tableName(TABLE).backupName("soak-" + id))
                .backupDetails()
                .backupArn();
        while (c.describeBackup(d -> d.backupArn(arn))
                .backupDescription()
                .backupDetails()
                .backupStatus()
            == BackupStatus.CREATING) {
          Thread.sleep(100);
        }
        backups.increment();
        String restored = "soak_bk_" + id;
        c.restoreTableFromBackup(r -> r.backupArn(arn).targetTableName(restored));
        awaitActive(c, restored);
        checkInvariant(c, restored);
        c.deleteTable(d -> d.tableName(restored));
        c.deleteBackup(d -> d.backupArn(arn));
        restores.increment();
        String pitr = "soak_pitr_" + id;
        c.restoreTableToPointInTime(
            r -> r.sourceTableName(TABLE).targetTableName(pitr).useLatestRestorableTime(true));
        awaitActive(c, pitr);
        checkInvariant(c, pitr);
        c.deleteTable(d -> d.tableName(pitr));
        pitrRestores.increment();
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException | AssertionError e) {
        error(new RuntimeException("protection round: " + e, e));
      }
    }
  }

  private static void awaitActive(DynamoDbClient c, String table) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(300);
    while (c.describeTable(d -> d.tableName(table)).table().tableStatus() != TableStatus.ACTIVE) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError(table + " not ACTIVE after 300 s");
      }
      Thread.sleep(100);
    }
  }

  private static long expiredRemaining(DynamoDbClient c) {
    long n = 0;
    for (int p = 0; p < 10; p++) {
      String pk = "ttl-" + p;
      n +=
          c.query(
                  q ->
                      q.tableName(TABLE)
                          .consistentRead(true)
                          .select("COUNT")
                          .keyConditionExpression("pk = :p")
                          .expressionAttributeValues(Map.of(":p", s(pk))))
              .count();
    }
    return n;
  }

  /** Transfers keep the sum of balances: any snapshot, backup or restore must show it. */
  private static void checkInvariant(DynamoDbClient c, String table) {
    long sum =
        c
            .query(
                q ->
                    q.tableName(table)
                        .consistentRead(true)
                        .keyConditionExpression("pk = :p")
                        .expressionAttributeValues(Map.of(":p", s("acct"))))
            .items()
            .stream()
            .mapToLong(i -> Long.parseLong(i.get("bal").n()))
            .sum();
    assertThat(sum).as("sum of balances in %s", table).isEqualTo(ACCOUNTS * OPENING);
  }
}
