package dev.tidemark.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.testkit.FaultProxy;
import dev.tidemark.testkit.TcpLinkProxy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.api.GroupManagementApi;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.rpc.SupportedRpcType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.InternalServerErrorException;
import software.amazon.awssdk.services.dynamodb.model.MultiRegionConsistency;
import software.amazon.awssdk.services.dynamodb.model.ReplicatedWriteConflictException;
import software.amazon.awssdk.services.dynamodb.model.ReplicationGroupUpdate;

/**
 * Network partitions of a multi-Region strongly consistent (MRSC) table between three server
 * processes (small heaps). Every consensus link passes through a {@link TcpLinkProxy} (the regions
 * advertise the proxies' ports with {@code --consensus-advertised-port}) and every peer link
 * through a {@link FaultProxy}; cutting a region closes all of its links, both ways, while the
 * other two still reach each other. Under write load from all three regions, first the Raft
 * leader's region is cut off, then a follower's. Each write appends its number to its region's list
 * item, so a lost or doubled write shows in the list.
 */
class StrongPartitionIT {
  private static final String[] REGIONS = {"us-east-1", "eu-west-1", "ap-south-1"};
  private static final List<String> JVM = List.of("-Xmx256m", "-XX:+UseSerialGC");
  private static final String TABLE = "ledger";

  /** One write and what its client saw: acknowledged, refused, or of unknown outcome. */
  record Write(int region, int n, long start, long end, boolean acked) {}

  private Path dir;
  private final int[] ports = new int[3];
  private final int[] consensusPorts = new int[3];
  private final FaultProxy[] peerProxies = new FaultProxy[3];
  private final TcpLinkProxy[] linkProxies = new TcpLinkProxy[3];
  private final ServerProcess[] servers = new ServerProcess[3];
  private final DynamoDbClient[] clients = new DynamoDbClient[3];
  private final Map<Long, String> pids = new ConcurrentHashMap<>();
  private final Set<String> isolated = ConcurrentHashMap.newKeySet();

  private ServerProcess start(int i) throws Exception {
    List<String> args = new ArrayList<>();
    args.addAll(List.of("--region", REGIONS[i], "--durability", "sync"));
    args.addAll(List.of("--replication-secret-file", dir.resolve("secret").toString()));
    args.addAll(List.of("--consensus-port", Integer.toString(consensusPorts[i])));
    args.addAll(List.of("--consensus-advertised-port", Integer.toString(linkProxies[i].port())));
    // A cut-off region answers after this wait; the default 10 s would only make the test longer.
    args.addAll(List.of("--consensus-wait", "3s"));
    for (int j = 0; j < 3; j++) {
      if (j != i) {
        args.addAll(List.of("--peer", REGIONS[j] + "=" + peerProxies[j].endpoint()));
      }
    }
    Path home = dir.resolve(REGIONS[i]);
    Files.createDirectories(home);
    ServerProcess s =
        ServerProcess.start(
            JVM,
            home.resolve("data"),
            home.resolve("server.log"),
            ports[i],
            args.toArray(String[]::new));
    pids.put(s.pid(), REGIONS[i]);
    return s;
  }

  /** The peer request's fault: a reset while its sender or its receiver is cut off. */
  private FaultProxy.Fault peerRule(FaultProxy.Request r, String receiver) {
    String signed = r.header("X-Tidemark-Replication");
    String sender = signed == null ? "?" : signed.substring(0, Math.max(0, signed.indexOf(':')));
    return isolated.contains(receiver) || isolated.contains(sender)
        ? new FaultProxy.Reset()
        : FaultProxy.PASS;
  }

  private void isolate(int region) {
    isolated.add(REGIONS[region]);
    for (TcpLinkProxy p : linkProxies) {
      p.enforce();
    }
  }

  /** The region whose Raft server leads the table's group, asked directly (not via a proxy). */
  private int leader() throws Exception {
    RaftProperties p = new RaftProperties();
    RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      for (int i = 0; i < 3; i++) {
        RaftPeer peer =
            RaftPeer.newBuilder()
                .setId(REGIONS[i])
                .setAddress("127.0.0.1:" + consensusPorts[i])
                .build();
        try (RaftClient c =
            RaftClient.newBuilder()
                .setProperties(p)
                .setRaftGroup(RaftGroup.valueOf(RaftGroupId.randomId(), peer))
                .build()) {
          GroupManagementApi api = c.getGroupManagementApi(peer.getId());
          for (RaftGroupId g : api.list().getGroupIds()) {
            if (api.info(g).getRoleInfoProto().getRole() == RaftPeerRole.LEADER) {
              return i;
            }
          }
        } catch (IOException e) {
          // between terms; ask again
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no region leads the group");
  }

  private static Map<String, AttributeValue> key(String pk) {
    return Map.of("pk", AttributeValue.fromS(pk));
  }

  private static String listKey(int region) {
    return "list-" + REGIONS[region];
  }

  /** Appends numbers to this region's list until {@code stop}; records every outcome. */
  private void writer(int region, AtomicBoolean stop, ConcurrentLinkedQueue<Write> writes) {
    for (int n = 0; !stop.get(); n++) {
      int number = n;
      long start = System.nanoTime();
      boolean acked = false;
      try {
        clients[region].updateItem(
            r ->
                r.tableName(TABLE)
                    .key(key(listKey(region)))
                    .updateExpression("SET seq = list_append(if_not_exists(seq, :none), :me)")
                    .expressionAttributeValues(
                        Map.of(
                            ":none", AttributeValue.fromL(List.of()),
                            ":me",
                                AttributeValue.fromL(List.of(AttributeValue.fromN("" + number))))));
        acked = true;
      } catch (ReplicatedWriteConflictException e) {
        throw new AssertionError("each region writes its own item: nothing conflicts", e);
      } catch (RuntimeException e) {
        // InternalServerError (no quorum) or a broken connection: the outcome is unknown.
      }
      writes.add(new Write(region, number, start, System.nanoTime(), acked));
      try {
        Thread.sleep(acked ? 10 : 200);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private long acked(ConcurrentLinkedQueue<Write> writes, int region) {
    return writes.stream().filter(w -> w.region() == region && w.acked()).count();
  }

  /** The region's answer to a strongly consistent read of one list, or its refusal. */
  private String strongRead(int region) {
    try {
      var item =
          clients[region]
              .getItem(r -> r.tableName(TABLE).consistentRead(true).key(key(listKey(region))))
              .item();
      return "served " + item.get("seq").l().size();
    } catch (DynamoDbException e) {
      return e.awsErrorDetails().errorCode() + ": " + e.awsErrorDetails().errorMessage();
    }
  }

  /** Waits until the region serves strong reads again (it rejoined its group). */
  private void awaitRejoined(int region) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        clients[region].getItem(
            r -> r.tableName(TABLE).consistentRead(true).key(key(listKey(region))));
        return;
      } catch (InternalServerErrorException
          | software.amazon.awssdk.core.exception.SdkClientException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(300);
      }
    }
  }

  /**
   * Cuts {@code victim} off under load and checks what each side does: the isolated region refuses
   * a write and a strong read with InternalServerError and acknowledges nothing that it began while
   * cut off, but serves eventually consistent reads; the other two keep acknowledging. Heals, and
   * waits until the victim serves strong reads again.
   */
  private String cutOff(int victim, ConcurrentLinkedQueue<Write> writes, ExecutorService pool)
      throws Exception {
    long[] before = new long[3];
    for (int i = 0; i < 3; i++) {
      before[i] = acked(writes, i);
    }
    isolate(victim);
    long cutAt = System.nanoTime();
    Future<String> strong = pool.submit(() -> strongRead(victim));
    var eventual =
        clients[victim].getItem(r -> r.tableName(TABLE).key(key(listKey(victim)))).item();
    assertThat(eventual).as("eventually consistent read while cut off").containsKey("seq");
    String refusal = strong.get(40, TimeUnit.SECONDS);
    assertThat(refusal)
        .as("strong read in the cut-off region")
        .startsWith("InternalServerError: Region " + REGIONS[victim] + " cannot reach a quorum");
    // Until the isolated writer's write in flight has failed too.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
    while (writes.stream().noneMatch(w -> w.region() == victim && !w.acked() && w.end() > cutAt)
        && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    long healAt = System.nanoTime();
    isolated.clear();
    StringBuilder majority = new StringBuilder();
    for (int i = 0; i < 3; i++) {
      if (i != victim) {
        long during = acked(writes, i) - before[i];
        assertThat(during)
            .as("%s acknowledged while %s was cut off", REGIONS[i], REGIONS[victim])
            .isPositive();
        majority.append(REGIONS[i]).append(' ').append(during).append(" acked; ");
      }
    }
    assertThat(
            writes.stream()
                .filter(
                    w ->
                        w.region() == victim && w.start() > cutAt && w.end() < healAt && w.acked()))
        .as("writes the cut-off region acknowledged while cut off")
        .isEmpty();
    assertThat(
            writes.stream()
                .filter(w -> w.region() == victim && !w.acked() && w.end() > cutAt)
                .count())
        .as("writes that failed in the cut-off region")
        .isPositive();
    long healed = System.nanoTime();
    awaitRejoined(victim);
    return String.format(
        "%s cut off %.1f s (%s), rejoined in %.1f s",
        REGIONS[victim], (healAt - cutAt) / 1e9, majority, (System.nanoTime() - healed) / 1e9);
  }

  // Protects: under a partition only a majority acknowledges MRSC writes; a region cut off from
  // the others (leader or follower) refuses writes and strong reads with InternalServerError and
  // serves eventually consistent reads; after the heal it catches up, and every region holds every
  // acknowledged write exactly once, no write of unknown outcome twice, in the same order.
  @Test
  void aCutOffRegionRefusesAndTheMajorityGoesOnLosingAndDoublingNothing(@TempDir Path tmp)
      throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.isReadable(Path.of("/proc/net/tcp")),
        "TcpLinkProxy tells regions apart through /proc (Linux only)");
    dir = tmp;
    Files.writeString(dir.resolve("secret"), "mrsc-partition-replication-secret-0123456789");
    ExecutorService pool = Executors.newCachedThreadPool();
    try {
      for (int i = 0; i < 3; i++) {
        ports[i] = ServerProcess.freePort();
        consensusPorts[i] = ServerProcess.freePort();
        peerProxies[i] = new FaultProxy(ports[i]);
        String receiver = REGIONS[i];
        peerProxies[i].rule(r -> peerRule(r, receiver));
        linkProxies[i] = new TcpLinkProxy(REGIONS[i], consensusPorts[i], pids, isolated);
      }
      List<Future<ServerProcess>> starting = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        int n = i;
        starting.add(pool.submit(() -> start(n)));
      }
      for (int i = 0; i < 3; i++) {
        servers[i] = starting.get(i).get();
        clients[i] = servers[i].client(Duration.ofSeconds(30));
      }
      ServerProcess.createTable(clients[0], TABLE);
      clients[0].updateTable(
          r ->
              r.tableName(TABLE)
                  .multiRegionConsistency(MultiRegionConsistency.STRONG)
                  .replicaUpdates(
                      ReplicationGroupUpdate.builder()
                          .create(c -> c.regionName(REGIONS[1]))
                          .build(),
                      ReplicationGroupUpdate.builder()
                          .create(c -> c.regionName(REGIONS[2]))
                          .build()));

      ConcurrentLinkedQueue<Write> writes = new ConcurrentLinkedQueue<>();
      AtomicBoolean stop = new AtomicBoolean();
      List<Future<?>> writers = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        int n = i;
        writers.add(pool.submit(() -> writer(n, stop, writes)));
      }
      while (java.util.stream.IntStream.range(0, 3).anyMatch(i -> acked(writes, i) < 3)) {
        Thread.sleep(50);
      }
      int firstVictim = leader();
      String first = cutOff(firstVictim, writes, pool);
      // Then a follower: another region than the first victim when that one leads again.
      int leader = leader();
      int follower = (leader + 1) % 3 == firstVictim ? (leader + 2) % 3 : (leader + 1) % 3;
      String second = cutOff(follower, writes, pool);
      Thread.sleep(500);
      stop.set(true);
      for (Future<?> w : writers) {
        w.get(60, TimeUnit.SECONDS);
      }

      // Every region holds the same lists; each holds every acknowledged number once, and nothing
      // that was not attempted or that appears twice.
      List<List<String>> reference = null;
      for (int i = 0; i < 3; i++) {
        awaitRejoined(i);
        List<List<String>> lists = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
          int from = r;
          int at = i;
          lists.add(
              clients[at]
                  .getItem(q -> q.tableName(TABLE).consistentRead(true).key(key(listKey(from))))
                  .item()
                  .get("seq")
                  .l()
                  .stream()
                  .map(AttributeValue::n)
                  .toList());
        }
        if (reference == null) {
          reference = lists;
        } else {
          assertThat(lists).as("lists in %s", REGIONS[i]).isEqualTo(reference);
        }
      }
      int ackedTotal = 0;
      int unknown = 0;
      for (int r = 0; r < 3; r++) {
        int from = r;
        List<String> list = reference.get(r);
        assertThat(new HashSet<>(list))
            .as("no number twice in %s's list", REGIONS[r])
            .hasSize(list.size());
        Set<String> ackedNumbers =
            writes.stream()
                .filter(w -> w.region() == from && w.acked())
                .map(w -> Integer.toString(w.n()))
                .collect(Collectors.toSet());
        Set<String> attempted =
            writes.stream()
                .filter(w -> w.region() == from)
                .map(w -> Integer.toString(w.n()))
                .collect(Collectors.toSet());
        assertThat(list).as("%s's acknowledged writes", REGIONS[r]).containsAll(ackedNumbers);
        assertThat(attempted)
            .as("%s's list holds only attempted writes", REGIONS[r])
            .containsAll(list);
        ackedTotal += ackedNumbers.size();
        unknown += attempted.size() - ackedNumbers.size();
      }
      System.out.println(
          "StrongPartitionIT: "
              + first
              + "; "
              + second
              + "; "
              + ackedTotal
              + " acknowledged writes present once in three regions, "
              + unknown
              + " of unknown outcome; connections cut: "
              + java.util.Arrays.stream(linkProxies).mapToInt(TcpLinkProxy::cutConnections).sum());
    } finally {
      pool.shutdownNow();
      // Stopped side by side: each takes seconds to close its Raft server.
      List<Thread> stopping = new ArrayList<>();
      for (ServerProcess s : servers) {
        if (s != null) {
          Thread t = new Thread(s::close);
          t.start();
          stopping.add(t);
        }
      }
      for (Thread t : stopping) {
        t.join();
      }
      for (int i = 0; i < 3; i++) {
        if (clients[i] != null) {
          clients[i].close();
        }
        if (linkProxies[i] != null) {
          linkProxies[i].close();
        }
        if (peerProxies[i] != null) {
          peerProxies[i].close();
        }
      }
      Path logs = Path.of("target", "strong-partition-it");
      Files.createDirectories(logs);
      for (String region : REGIONS) {
        Path log = dir.resolve(region).resolve("server.log");
        if (Files.exists(log)) {
          Files.copy(
              log,
              logs.resolve(region + ".log"),
              java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}
