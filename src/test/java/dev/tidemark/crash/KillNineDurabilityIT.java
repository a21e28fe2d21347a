package dev.tidemark.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * Durability under SIGKILL in sync mode: concurrent writers record every acknowledged write, the
 * server is killed at a random moment mid-load, and after restart every acknowledged write must be
 * there. Cycles and seed come from {@code -Dcrash.cycles} and {@code -Dcrash.seed}.
 */
class KillNineDurabilityIT {
  private static final int WRITERS = 8;

  // Protects invariant I2: every write acknowledged in sync mode survives kill -9.
  @Test
  void acknowledgedWritesSurviveKillNine(@TempDir Path dir) throws Exception {
    long seed = Long.getLong("crash.seed", System.nanoTime());
    int cycles = Integer.getInteger("crash.cycles", 3);
    System.out.println("KillNineDurabilityIT seed=" + seed + " cycles=" + cycles);
    Random random = new Random(seed);
    Path data = dir.resolve("data");
    int port = ServerProcess.freePort();
    // Acknowledged puts: key -> value. Counters: acknowledged and attempted increments per writer.
    Map<String, String> acked = new ConcurrentHashMap<>();
    long[] counterAcked = new long[WRITERS];
    long[] counterAttempted = new long[WRITERS];

    try (ServerProcess first = ServerProcess.start(data, port, "--durability", "sync");
        DynamoDbClient c = first.client()) {
      c.createTable(
          r ->
              r.tableName("crash")
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
                      KeySchemaElement.builder()
                          .attributeName("sk")
                          .keyType(KeyType.RANGE)
                          .build()));
      first.kill();
    }
    long checked = 0;
    for (int cycle = 0; cycle < cycles; cycle++) {
      ServerProcess server = ServerProcess.start(data, port, "--durability", "sync");
      try (DynamoDbClient c = server.client()) {
        checked += verify(c, acked, counterAcked, counterAttempted, seed, cycle);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong seq = new AtomicLong(cycle * 1_000_000L);
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
          int writer = w;
          long writerSeed = random.nextLong();
          futures.add(
              pool.submit(
                  () ->
                      write(
                          c,
                          writer,
                          writerSeed,
                          seq,
                          stop,
                          acked,
                          counterAcked,
                          counterAttempted)));
        }
        Thread.sleep(300 + random.nextInt(900));
        server.kill();
        stop.set(true);
        for (Future<?> f : futures) {
          f.get();
        }
        pool.shutdown();
      }
    }
    ServerProcess last = ServerProcess.start(data, port, "--durability", "sync");
    try (DynamoDbClient c = last.client()) {
      checked += verify(c, acked, counterAcked, counterAttempted, seed, cycles);
    } finally {
      last.close();
    }
    System.out.println(
        "KillNineDurabilityIT checked "
            + checked
            + " acknowledged writes over "
            + cycles
            + " kills");
    assertThat(acked).as("the load produced acknowledged writes").isNotEmpty();
  }

  private static void write(
      DynamoDbClient c,
      int writer,
      long seed,
      AtomicLong seq,
      AtomicBoolean stop,
      Map<String, String> acked,
      long[] counterAcked,
      long[] counterAttempted) {
    Random r = new Random(seed);
    while (!stop.get()) {
      try {
        if (r.nextInt(4) == 0) {
          synchronized (counterAttempted) {
            counterAttempted[writer]++;
          }
          c.updateItem(
              u ->
                  u.tableName("crash")
                      .key(
                          Map.of(
                              "pk",
                              AttributeValue.fromS("counter-" + writer),
                              "sk",
                              AttributeValue.fromN("0")))
                      .updateExpression("ADD n :one")
                      .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1"))));
          synchronized (counterAttempted) {
            counterAcked[writer]++;
          }
        } else {
          long k = seq.incrementAndGet();
          String value = Long.toHexString(r.nextLong());
          c.putItem(
              p ->
                  p.tableName("crash")
                      .item(
                          Map.of(
                              "pk", AttributeValue.fromS("w" + writer),
                              "sk", AttributeValue.fromN(Long.toString(k)),
                              "v", AttributeValue.fromS(value))));
          acked.put("w" + writer + "/" + k, value);
        }
      } catch (RuntimeException e) {
        // The server died under us; this write was never acknowledged.
        return;
      }
    }
  }

  private static long verify(
      DynamoDbClient c,
      Map<String, String> acked,
      long[] counterAcked,
      long[] counterAttempted,
      long seed,
      int cycle) {
    long checked = 0;
    for (Map.Entry<String, String> e : acked.entrySet()) {
      String[] parts = e.getKey().split("/");
      var item =
          c.getItem(
                  g ->
                      g.tableName("crash")
                          .key(
                              Map.of(
                                  "pk",
                                  AttributeValue.fromS(parts[0]),
                                  "sk",
                                  AttributeValue.fromN(parts[1]))))
              .item();
      assertThat(item)
          .as("seed %d, after kill %d: acknowledged write %s", seed, cycle, e.getKey())
          .isNotEmpty();
      assertThat(item.get("v").s()).isEqualTo(e.getValue());
      checked++;
    }
    for (int w = 0; w < WRITERS; w++) {
      int writer = w;
      var item =
          c.getItem(
                  g ->
                      g.tableName("crash")
                          .key(
                              Map.of(
                                  "pk",
                                  AttributeValue.fromS("counter-" + writer),
                                  "sk",
                                  AttributeValue.fromN("0"))))
              .item();
      long value = item.isEmpty() ? 0 : Long.parseLong(item.get("n").n());
      assertThat(value)
          .as("seed %d, after kill %d: counter of writer %d", seed, cycle, w)
          .isBetween(counterAcked[w], counterAttempted[w]);
      checked++;
    }
    return checked;
  }
}
