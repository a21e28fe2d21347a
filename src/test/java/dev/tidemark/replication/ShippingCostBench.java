package dev.tidemark.replication;

import com.sun.net.httpserver.HttpServer;
import dev.tidemark.api.ItemKeys;
import dev.tidemark.changelog.ChangeRecord;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.storage.RocksStorage;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.WritePath;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A benchmark, not a test (it asserts nothing and runs only when asked): the CPU that one region's
 * shippers spend per write with two peers, at a paced rate of 1 KB writes. The peers are sinks that
 * read each request and answer success, so only the sender's work is measured, without the noise of
 * the rest of a three-region bench on two cores. Prints microseconds of shipper-thread CPU per
 * write (user and total) for four 8-second phases; the last two are the steady state.
 *
 * <p>{@code mvn test -Dtest=ShippingCostBench -Dbench=true [-Drate=8000]}
 */
@EnabledIfSystemProperty(named = "bench", matches = "true")
class ShippingCostBench {
  private static HttpServer sink(ExecutorService pool) throws Exception {
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    s.createContext(
        "/",
        ex -> {
          ex.getRequestBody().readAllBytes();
          byte[] answer = "{}".getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, answer.length);
          ex.getResponseBody().write(answer);
          ex.close();
        });
    s.setExecutor(pool);
    s.start();
    return s;
  }

  /** CPU nanoseconds of the shipper threads: {total, user}. */
  private static long[] shipperCpu() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long[] sum = new long[2];
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("tidemark-replication-") && !t.getName().endsWith("tombstones")) {
        sum[0] += mx.getThreadCpuTime(t.getId());
        sum[1] += mx.getThreadUserTime(t.getId());
      }
    }
    return sum;
  }

  @Test
  void shipperCpuPerWriteWithTwoPeers(@TempDir Path dir) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    HttpServer eu = sink(pool);
    HttpServer ap = sink(pool);
    try (Database db =
        new Database(RocksStorage.open(dir), System::currentTimeMillis, false, "us-east-1", "1")) {
      Table t = InProcessRegion.replicatedTable(db, "eu-west-1", "ap-south-1");
      Map<String, URI> peers =
          Map.of(
              "eu-west-1", URI.create("http://127.0.0.1:" + eu.getAddress().getPort()),
              "ap-south-1", URI.create("http://127.0.0.1:" + ap.getAddress().getPort()));
      try (Replicator replicator = InProcessRegion.replicator(db, peers)) {
        replicator.start(null);
        run(db, t, Integer.getInteger("rate", 8000));
      }
    } finally {
      eu.stop(0);
      ap.stop(0);
      pool.shutdownNow();
    }
  }

  private static void run(Database db, Table t, int rate) throws InterruptedException {
    Random rnd = new Random(7);
    String[] payloads = new String[64];
    for (int i = 0; i < payloads.length; i++) {
      StringBuilder sb = new StringBuilder();
      for (int j = 0; j < 1000; j++) {
        sb.append((char) ('a' + rnd.nextInt(26)));
      }
      payloads[i] = sb.toString();
    }
    for (int phase = 0; phase < 4; phase++) {
      long writes = 0;
      long[] before = shipperCpu();
      long start = System.nanoTime();
      while (System.nanoTime() - start < 8_000_000_000L) {
        long due = (System.nanoTime() - start) * rate / 1_000_000_000L;
        for (; writes < due; writes++) {
          String pk = "k" + rnd.nextInt(100_000);
          Map<String, AttributeValue> key = Map.of("pk", AttributeValue.s(pk));
          Map<String, AttributeValue> item =
              Map.of(
                  "pk", AttributeValue.s(pk), "d", AttributeValue.s(payloads[(int) (writes % 64)]));
          db.writePath()
              .commit(
                  List.of(
                      new WritePath.ItemWrite(
                          t, ItemKeys.storageKey(t.keySchema(), key), key, current -> item)),
                  ChangeRecord.Origin.USER);
        }
        Thread.sleep(1);
      }
      long[] after = shipperCpu();
      System.out.printf(
          "shipping phase %d: %d writes, shipper CPU %.2f us/write (user %.2f)%n",
          phase,
          writes,
          (after[0] - before[0]) / 1000.0 / writes,
          (after[1] - before[1]) / 1000.0 / writes);
    }
  }
}
