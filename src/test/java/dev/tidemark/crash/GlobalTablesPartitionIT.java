package dev.tidemark.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.testkit.FaultProxy;
import dev.tidemark.testkit.GlobalTableKit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/**
 * Global tables between three server processes (small heaps) whose replication traffic passes
 * through fault-injecting proxies: requests are dropped, answered never (delivered, answer lost),
 * delayed, duplicated, and held back to be delivered again late and in reverse order; one region is
 * cut off entirely for a while. Meanwhile every region takes conflicting writes and deletes of the
 * same keys, and writes of its own keys. After the faults heal, all three regions hold identical
 * items, index entries and counts; every acknowledged write of an own key is present; and on every
 * contested key the survivor is the highest stamp: no acknowledged write that began after the
 * survivor's was acknowledged (and so carries a higher stamp: one clock on this machine) was lost.
 * Tombstone collection runs with a 1 ms grace, so late duplicates meet a raised horizon (and, when
 * the timing allows, collected tombstones).
 *
 * <p>The faults are drawn from a seeded generator ({@code -Dtidemark.partition.seed}); which
 * request meets which draw depends on thread timing, but every assertion holds for any draw.
 */
class GlobalTablesPartitionIT {
  private static final String[] REGIONS = {"us-east-1", "eu-west-1", "ap-south-1"};
  private static final List<String> JVM = List.of("-Xmx160m", "-XX:+UseSerialGC");
  private static final int HOT_KEYS = 6;

  /** One client operation and what the client saw of it. */
  record Op(
      String pk, String value, boolean delete, long startMillis, long endMillis, boolean acked) {}

  private final int[] ports = new int[3];
  private final FaultProxy[] proxies = new FaultProxy[3];
  private final ServerProcess[] servers = new ServerProcess[3];
  private final DynamoDbClient[] clients = new DynamoDbClient[3];

  private static boolean from(FaultProxy.Request r, String region) {
    String signed = r.header("X-Tidemark-Replication");
    return signed != null && signed.startsWith(region + ":");
  }

  /** The fault for one replication request, drawn from {@code random}. */
  private static FaultProxy.Fault draw(FaultProxy.Request r, Random random) {
    if (!r.pathContains("/tidemark/replication/apply")) {
      return FaultProxy.PASS;
    }
    int d;
    synchronized (random) {
      d = random.nextInt(100);
    }
    if (d < 12) {
      return new FaultProxy.Reset();
    } else if (d < 22) {
      return new FaultProxy.CutResponse(0);
    } else if (d < 32) {
      return new FaultProxy.Duplicate();
    } else if (d < 40) {
      return new FaultProxy.Hold();
    } else if (d < 60) {
      return new FaultProxy.Delay(Duration.ofMillis(d * 3L));
    }
    return FaultProxy.PASS;
  }

  @Test
  void regionsConvergeAfterDropsDelaysDuplicatesReordersAndAPartition(@TempDir Path dir)
      throws Exception {
    long seed = Long.getLong("tidemark.partition.seed", 20261206L);
    Files.writeString(dir.resolve("secret"), "partition-test-replication-secret-0123456789");
    for (int i = 0; i < 3; i++) {
      ports[i] = ServerProcess.freePort();
      proxies[i] = new FaultProxy(ports[i]);
    }
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<ServerProcess>> starting = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        int region = i;
        starting.add(pool.submit(() -> start(dir, region)));
      }
      for (int i = 0; i < 3; i++) {
        servers[i] = starting.get(i).get();
        clients[i] = servers[i].client();
      }
      GlobalTableKit.createTable(clients[0], "orders");
      GlobalTableKit.createReplicas(clients[0], "orders", List.of(REGIONS[1], REGIONS[2]));
      for (int i = 0; i < 3; i++) {
        GlobalTableKit.awaitActive(clients[i], "orders", 3);
      }

      for (int i = 0; i < 3; i++) {
        Random random = new Random(seed + i);
        proxies[i].rule(r -> draw(r, random));
      }
      ConcurrentLinkedQueue<Op> ops = new ConcurrentLinkedQueue<>();
      List<Future<?>> writers = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        int region = i;
        Random random = new Random(seed * 31 + i);
        writers.add(pool.submit(() -> write(region, random, 240, ops)));
      }
      // Midway, ap-south-1 is cut off both ways for a while, then the random faults resume.
      Thread.sleep(1_500);
      Function<FaultProxy.Request, FaultProxy.Fault> cut = r -> new FaultProxy.Reset();
      Random r0 = new Random(seed + 10);
      Random r1 = new Random(seed + 11);
      proxies[2].rule(cut);
      proxies[0].rule(r -> from(r, REGIONS[2]) ? new FaultProxy.Reset() : draw(r, r0));
      proxies[1].rule(r -> from(r, REGIONS[2]) ? new FaultProxy.Reset() : draw(r, r1));
      Thread.sleep(2_000);
      for (int i = 0; i < 3; i++) {
        Random random = new Random(seed + 20 + i);
        proxies[i].rule(r -> draw(r, random));
      }
      for (Future<?> w : writers) {
        w.get();
      }

      // Heal, then deliver what was held back: late, and newest first.
      int injected = 0;
      int held = 0;
      for (FaultProxy p : proxies) {
        p.heal();
        injected += p.injected();
        held += p.releaseHeld();
      }
      List<Map<String, AttributeValue>> converged = awaitConverged();
      for (int i = 0; i < 3; i++) {
        TableDescription d = clients[i].describeTable(r -> r.tableName("orders")).table();
        assertThat(d.itemCount()).as(REGIONS[i]).isEqualTo(converged.size());
      }
      Map<String, Map<String, AttributeValue>> byKey = new HashMap<>();
      converged.forEach(m -> byKey.put(m.get("pk").s(), m));
      int acked = 0;
      Map<String, List<Op>> contested = new HashMap<>();
      for (Op op : ops) {
        if (op.pk().startsWith("hot")) {
          contested.computeIfAbsent(op.pk(), k -> new ArrayList<>()).add(op);
        } else if (op.acked()) {
          acked++;
          assertThat(byKey.get(op.pk())).as("acknowledged %s", op.pk()).isNotNull();
          assertThat(byKey.get(op.pk()).get("v").s()).isEqualTo(op.value());
        }
      }
      int controls = 0;
      for (Map.Entry<String, List<Op>> e : contested.entrySet()) {
        checkSurvivor(e.getKey(), e.getValue(), byKey.get(e.getKey()));
        controls += negativeControl(e.getKey(), e.getValue()) ? 1 : 0;
      }
      assertThat(controls).as("the survivor check rejects a stale survivor").isPositive();
      assertThat(injected).as("faults injected").isGreaterThan(20);
      StringBuilder gc = new StringBuilder();
      for (int i = 0; i < 3; i++) {
        var status = GlobalTableKit.replicationStatus(ports[i]);
        gc.append(
            String.format(
                " %s: %d tombstones collected, %d late records dropped;",
                REGIONS[i],
                status.path("tombstonesCollected").asLong(),
                status.path("lateRecordsDropped").asLong()));
      }
      System.out.println(
          "GlobalTablesPartitionIT seed "
              + seed
              + ": "
              + ops.size()
              + " operations, "
              + acked
              + " acknowledged own-key writes, "
              + injected
              + " faults injected, "
              + held
              + " late deliveries accepted, "
              + converged.size()
              + " items identical in three regions;"
              + gc);
    } finally {
      pool.shutdownNow();
      for (int i = 0; i < 3; i++) {
        if (clients[i] != null) {
          clients[i].close();
        }
        if (servers[i] != null) {
          servers[i].close();
        }
        if (proxies[i] != null) {
          proxies[i].close();
        }
      }
    }
  }

  /**
   * The survivor on a contested key must be an attempted write (or delete) that no acknowledged
   * write provably followed: one that began after it was acknowledged has a higher stamp and must
   * have won instead.
   */
  private static void checkSurvivor(String pk, List<Op> ops, Map<String, AttributeValue> item) {
    List<Op> candidates =
        ops.stream()
            .filter(o -> item == null ? o.delete() : item.get("v").s().equals(o.value()))
            .toList();
    assertThat(candidates).as("%s: the survivor %s was written", pk, item).isNotEmpty();
    boolean someoneMayWin =
        candidates.stream()
            .anyMatch(
                w -> ops.stream().noneMatch(o -> o.acked() && o.startMillis() > w.endMillis()));
    assertThat(someoneMayWin)
        .as("%s: %s survived although an acknowledged write began after it", pk, item)
        .isTrue();
  }

  /**
   * The checker's negative control: the first acknowledged put of a key, when an acknowledged write
   * began after it, must be rejected as a survivor. Returns whether one was tried.
   */
  private static boolean negativeControl(String pk, List<Op> ops) {
    Op first =
        ops.stream()
            .filter(o -> o.acked() && !o.delete())
            .min(Comparator.comparingLong(Op::endMillis))
            .orElse(null);
    if (first == null
        || ops.stream().noneMatch(o -> o.acked() && o.startMillis() > first.endMillis())
        || ops.stream().filter(o -> first.value().equals(o.value())).count() > 1) {
      return false;
    }
    Map<String, AttributeValue> stale = Map.of("v", AttributeValue.fromS(first.value()));
    try {
      checkSurvivor(pk, ops, stale);
    } catch (AssertionError expected) {
      return true;
    }
    throw new AssertionError("the survivor check accepted a stale survivor on " + pk);
  }

  private void write(int region, Random random, int count, ConcurrentLinkedQueue<Op> ops) {
    for (int n = 0; n < count; n++) {
      boolean hot = random.nextInt(3) > 0;
      String pk = hot ? "hot" + random.nextInt(HOT_KEYS) : REGIONS[region] + "-" + n;
      boolean delete = hot && random.nextInt(4) == 0;
      String value = REGIONS[region] + "/" + n;
      String g = "g" + (n % 3);
      long start = System.currentTimeMillis();
      boolean acked;
      try {
        if (delete) {
          // A delete that found no item here changed nothing: like DynamoDB, it leaves no stream
          // record, so it is not replicated and cannot win over an older write still on its way
          // here. Only a delete that removed something competes as a write.
          acked =
              clients[region]
                  .deleteItem(
                      r ->
                          r.tableName("orders")
                              .key(Map.of("pk", AttributeValue.fromS(pk)))
                              .returnValues(ReturnValue.ALL_OLD))
                  .hasAttributes();
        } else {
          clients[region].putItem(
              r ->
                  r.tableName("orders")
                      .item(
                          Map.of(
                              "pk", AttributeValue.fromS(pk),
                              "g", AttributeValue.fromS(g),
                              "v", AttributeValue.fromS(value))));
          acked = true;
        }
      } catch (RuntimeException e) {
        acked = false;
      }
      ops.add(new Op(pk, value, delete, start, System.currentTimeMillis(), acked));
      try {
        Thread.sleep(random.nextInt(20));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private ServerProcess start(Path dir, int i) throws Exception {
    List<String> args = new ArrayList<>();
    args.addAll(List.of("--region", REGIONS[i], "--durability", "sync"));
    args.addAll(List.of("--replication-secret-file", dir.resolve("secret").toString()));
    args.addAll(List.of("--replication-tombstone-grace", "1ms"));
    for (int j = 0; j < 3; j++) {
      if (j != i) {
        args.addAll(List.of("--peer", REGIONS[j] + "=" + proxies[j].endpoint()));
      }
    }
    Path home = dir.resolve(REGIONS[i]);
    Files.createDirectories(home);
    return ServerProcess.start(
        JVM,
        home.resolve("data"),
        home.resolve("server.log"),
        ports[i],
        args.toArray(String[]::new));
  }

  private List<Map<String, AttributeValue>> scan(int i, String index) {
    return GlobalTableKit.scan(clients[i], "orders", index);
  }

  /** Waits (bounded) until all regions hold identical items and index entries. */
  private List<Map<String, AttributeValue>> awaitConverged() throws InterruptedException {
    List<Map<String, AttributeValue>> first = null;
    for (int n = 0; n < 300; n++) {
      first = scan(0, null);
      boolean same = true;
      for (int i = 0; i < 3 && same; i++) {
        same = scan(i, null).equals(first) && scan(i, "byG").equals(first);
      }
      if (same) {
        return first;
      }
      Thread.sleep(100);
    }
    for (int i = 0; i < 3; i++) {
      assertThat(scan(i, null)).as(REGIONS[i]).isEqualTo(first);
      assertThat(scan(i, "byG")).as(REGIONS[i] + " index").isEqualTo(first);
    }
    return first;
  }
}
