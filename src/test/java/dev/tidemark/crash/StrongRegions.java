package dev.tidemark.crash;

import dev.tidemark.testkit.FaultProxy;
import dev.tidemark.testkit.TcpLinkProxy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.rpc.SupportedRpcType;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.MultiRegionConsistency;
import software.amazon.awssdk.services.dynamodb.model.ReplicationGroupUpdate;

/**
 * Three server processes (small heaps) for MRSC tests with partitions: each region's consensus port
 * behind a {@link TcpLinkProxy} (advertised with {@code --consensus-advertised-port}) and its API
 * behind a {@link FaultProxy} for the peer links; {@link #isolate} cuts a region off both ways. The
 * test itself talks to each region's Raft server directly (never through a proxy) to ask who leads
 * or to move the leadership.
 */
final class StrongRegions {
  static final String[] REGIONS = {"us-east-1", "eu-west-1", "ap-south-1"};
  private static final List<String> JVM = List.of("-Xmx256m", "-XX:+UseSerialGC");

  private final Path dir;
  private final IntFunction<List<String>> extraArgs;
  final int[] ports = new int[3];
  final int[] consensusPorts = new int[3];
  private final FaultProxy[] peerProxies = new FaultProxy[3];
  private final TcpLinkProxy[] linkProxies = new TcpLinkProxy[3];
  final ServerProcess[] servers = new ServerProcess[3];
  final DynamoDbClient[] clients = new DynamoDbClient[3];
  private final Map<Long, String> pids = new ConcurrentHashMap<>();
  private final Set<String> isolated = ConcurrentHashMap.newKeySet();

  /**
   * Starts the three regions side by side.
   *
   * @param extraArgs more server arguments per region
   */
  StrongRegions(Path dir, IntFunction<List<String>> extraArgs) throws Exception {
    this.dir = dir;
    this.extraArgs = extraArgs;
    Files.writeString(dir.resolve("secret"), "mrsc-regions-replication-secret-0123456789");
    for (int i = 0; i < 3; i++) {
      ports[i] = ServerProcess.freePort();
      consensusPorts[i] = ServerProcess.freePort();
      peerProxies[i] = new FaultProxy(ports[i]);
      String receiver = REGIONS[i];
      peerProxies[i].rule(r -> peerRule(r, receiver));
      linkProxies[i] = new TcpLinkProxy(REGIONS[i], consensusPorts[i], pids, isolated);
    }
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<ServerProcess>> starting = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        int n = i;
        starting.add(pool.submit(() -> start(n)));
      }
      for (int i = 0; i < 3; i++) {
        servers[i] = starting.get(i).get();
        clients[i] = servers[i].client(Duration.ofSeconds(30));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Starts (or restarts, on the same data) region {@code i}. */
  ServerProcess start(int i) throws Exception {
    List<String> args = new ArrayList<>();
    args.addAll(List.of("--region", REGIONS[i], "--durability", "sync"));
    args.addAll(List.of("--replication-secret-file", dir.resolve("secret").toString()));
    args.addAll(List.of("--consensus-port", Integer.toString(consensusPorts[i])));
    args.addAll(List.of("--consensus-advertised-port", Integer.toString(linkProxies[i].port())));
    // A cut-off region answers after this wait; the default 10 s would only make tests longer.
    args.addAll(List.of("--consensus-wait", "3s"));
    // Ratis' 150 ms election timeout lets a leader whose followers answer late on a loaded test
    // machine step down, and the elections that follow eat the majority's window under a partition.
    args.addAll(List.of("--consensus-election-timeout", "400ms"));
    for (int j = 0; j < 3; j++) {
      if (j != i) {
        args.addAll(List.of("--peer", REGIONS[j] + "=" + peerProxies[j].endpoint()));
      }
    }
    args.addAll(extraArgs.apply(i));
    Path home = dir.resolve(REGIONS[i]);
    Files.createDirectories(home);
    ServerProcess s =
        ServerProcess.start(
            JVM, dataDir(i), home.resolve("server.log"), ports[i], args.toArray(String[]::new));
    pids.put(s.pid(), REGIONS[i]);
    return s;
  }

  Path dataDir(int i) {
    return dir.resolve(REGIONS[i]).resolve("data");
  }

  /** Makes {@code table} (empty, created in region 0) an MRSC table of the three regions. */
  void createStrongTable(String table) {
    ServerProcess.createTable(clients[0], table);
    clients[0].updateTable(
        r ->
            r.tableName(table)
                .multiRegionConsistency(MultiRegionConsistency.STRONG)
                .replicaUpdates(
                    ReplicationGroupUpdate.builder().create(c -> c.regionName(REGIONS[1])).build(),
                    ReplicationGroupUpdate.builder()
                        .create(c -> c.regionName(REGIONS[2]))
                        .build()));
  }

  /** The peer request's fault: a reset while its sender or its receiver is cut off. */
  private FaultProxy.Fault peerRule(FaultProxy.Request r, String receiver) {
    String signed = r.header("X-Tidemark-Replication");
    String sender = signed == null ? "?" : signed.substring(0, Math.max(0, signed.indexOf(':')));
    return isolated.contains(receiver) || isolated.contains(sender)
        ? new FaultProxy.Reset()
        : FaultProxy.PASS;
  }

  /** Cuts region {@code i} off from both others, both ways (consensus and peer links). */
  void isolate(int i) {
    isolated.add(REGIONS[i]);
    for (TcpLinkProxy p : linkProxies) {
      p.enforce();
    }
  }

  void heal() {
    isolated.clear();
  }

  private static RaftProperties clientProperties() {
    RaftProperties p = new RaftProperties();
    RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
    return p;
  }

  private RaftPeer peer(int i) {
    return RaftPeer.newBuilder()
        .setId(REGIONS[i])
        .setAddress("127.0.0.1:" + consensusPorts[i])
        .build();
  }

  /** A Raft client of the one group, dialling each region's server directly. */
  private RaftClient groupClient() throws IOException {
    List<RaftPeer> peers = List.of(peer(0), peer(1), peer(2));
    return RaftClient.newBuilder()
        .setProperties(clientProperties())
        .setRaftGroup(RaftGroup.valueOf(groupId(), peers))
        .build();
  }

  /** The one MRSC group these regions share, as region 0's server lists it. */
  RaftGroupId groupId() throws IOException {
    try (RaftClient c =
        RaftClient.newBuilder()
            .setProperties(clientProperties())
            .setRaftGroup(RaftGroup.valueOf(RaftGroupId.randomId(), peer(0)))
            .build()) {
      return c.getGroupManagementApi(peer(0).getId()).list().getGroupIds().get(0);
    }
  }

  /** Region {@code i}'s own view of its role in the group (asked directly), or null. */
  RaftPeerRole role(int i) {
    try (RaftClient c =
        RaftClient.newBuilder()
            .setProperties(clientProperties())
            .setRaftGroup(RaftGroup.valueOf(RaftGroupId.randomId(), peer(i)))
            .build()) {
      var api = c.getGroupManagementApi(peer(i).getId());
      for (RaftGroupId g : api.list().getGroupIds()) {
        return api.info(g).getRoleInfoProto().getRole();
      }
      return null;
    } catch (IOException e) {
      return null;
    }
  }

  /** Waits until some region leads the group, and returns it. */
  int leader() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      for (int i = 0; i < 3; i++) {
        if (role(i) == RaftPeerRole.LEADER) {
          return i;
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no region leads the group");
  }

  /** Moves the group's leadership to region {@code i} (Ratis' leadership transfer). */
  void transferLeadership(int i) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (leader() != i) {
      try (RaftClient c = groupClient()) {
        RaftClientReply r = c.admin().transferLeadership(RaftPeerId.valueOf(REGIONS[i]), 5000);
        if (r.isSuccess() && leader() == i) {
          return;
        }
      } catch (IOException e) {
        // an election under way; try again
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("leadership did not move to " + REGIONS[i]);
      }
      Thread.sleep(200);
    }
  }

  /** Asks region {@code i}'s Raft server to take a snapshot of the group now; its index. */
  long snapshot(int i) throws IOException {
    try (RaftClient c = groupClient()) {
      RaftClientReply r = c.getSnapshotManagementApi(RaftPeerId.valueOf(REGIONS[i])).create(30_000);
      if (!r.isSuccess()) {
        throw new IOException("snapshot in " + REGIONS[i] + ": " + r.getException());
      }
      return r.getLogIndex();
    }
  }

  /** Connections the link proxies have cut so far. */
  int cutConnections() {
    return java.util.Arrays.stream(linkProxies).mapToInt(TcpLinkProxy::cutConnections).sum();
  }

  /** Copies the regions' server logs under {@code dir} to target/{@code name}, for a failure. */
  static void keepLogs(Path dir, String name) throws IOException {
    Path logs = Path.of("target", name);
    Files.createDirectories(logs);
    for (String region : REGIONS) {
      Path log = dir.resolve(region).resolve("server.log");
      if (Files.exists(log)) {
        Files.copy(
            log, logs.resolve(region + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  /** Stops the servers side by side (each takes seconds to close its Raft server). */
  void close(String logName) throws Exception {
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
      linkProxies[i].close();
      peerProxies[i].close();
    }
    keepLogs(dir, logName);
  }
}
