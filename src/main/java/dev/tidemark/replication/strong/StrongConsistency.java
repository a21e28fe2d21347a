package dev.tidemark.replication.strong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.Operations;
import dev.tidemark.api.RequestContext;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.replication.ReplicationConfig;
import dev.tidemark.replication.Replicator;
import dev.tidemark.storage.Cursor;
import dev.tidemark.storage.WriteSet;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.StrongTables;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.WritePath;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Multi-Region strong consistency (MRSC) on Apache Ratis: one Raft group per strongly consistent
 * table, whose three voters are the three regions (the witness votes and keeps the log, nothing
 * else). Each server runs one Ratis server on {@code --consensus-port} that hosts all its groups;
 * its Raft peer id is its region name, and the other regions' addresses are learnt from them over
 * the signed replication channel when a group is created, then kept in the group's record.
 *
 * <p>A write to an MRSC table is proposed as an entry holding the request, acknowledged once a
 * majority has it in its Raft log and the leader has applied it, and applied in log order in every
 * region through the same action and write path as any write ({@link RegionStateMachine}), so the
 * change log, Streams, PITR and backups of each region see the same history. A strongly consistent
 * read first passes a Ratis read-index barrier on the local server; eventually consistent reads are
 * served locally without one.
 *
 * <p>Meta keys: {@code strong/group/<group id>} (JSON {@link GroupRecord}), {@code
 * strong/applied/<group id>} (term and index of the last applied entry that changed an item,
 * written in that entry's batch). Ratis keeps its own log under {@code <data dir>/consensus}.
 */
public final class StrongConsistency implements StrongTables, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StrongConsistency.class);
  static final ObjectMapper JSON =
      JsonMapper.builder()
          .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();
  static final byte[] NOTHING = "{\"ok\":{}}".getBytes(StandardCharsets.UTF_8);
  private static final String GROUP_PREFIX = "strong/group/";
  private static final String APPLIED_PREFIX = "strong/applied/";

  /** The op of a read barrier's log entry; it changes nothing. */
  static final String BARRIER_OP = "ReadBarrier";

  private static final Message BARRIER =
      Message.valueOf(
          ByteString.copyFrom(
              ("{\"op\":\"" + BARRIER_OP + "\"}").getBytes(StandardCharsets.UTF_8)));

  /** Write operations that go through the log when their table is an MRSC table. */
  static final List<String> WRITES =
      List.of("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem");

  private final Database db;
  private final Replicator replicator;
  private final String region;
  private final ReplicationConfig config;
  private final Path storageDir;
  private final Map<String, GroupRecord> groups = new ConcurrentHashMap<>();
  private final Map<String, RaftClient> clients = new ConcurrentHashMap<>();
  private final Map<String, RaftClient> barrierClients = new ConcurrentHashMap<>();
  private final Map<String, RegionStateMachine> machines = new ConcurrentHashMap<>();
  private final Map<String, Action> inner = new ConcurrentHashMap<>();
  private RaftProperties properties;
  private RaftServer server;

  /** The entry being applied on this thread, for the applied-index contributor. */
  private static final ThreadLocal<byte[][]> APPLYING = new ThreadLocal<>();

  /**
   * @param storageDir where Ratis keeps its logs (under the data directory)
   */
  public StrongConsistency(
      Database db, Replicator replicator, ReplicationConfig config, Path storageDir) {
    this.db = db;
    this.replicator = replicator;
    this.region = db.region();
    this.config = config;
    this.storageDir = storageDir;
  }

  Database db() {
    return db;
  }

  String region() {
    return region;
  }

  static byte[] appliedKey(String groupId) {
    return (APPLIED_PREFIX + groupId).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] groupKey(String groupId) {
    return (GROUP_PREFIX + groupId).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Routes the MRSC tables' writes and strong reads through consensus, loads the groups and starts
   * the Ratis server (which replays each group's log past what was applied).
   */
  public void start(Operations operations) throws IOException {
    for (Action a : operations.all()) {
      inner.put(a.name(), a);
    }
    StrongRouting.install(operations, this);
    db.writePath().addContributor(StrongConsistency::appliedIndexContributor);
    replicator.serveStrong(this::servePeer);
    if (config.consensusPort() == 0) {
      return;
    }
    try (Cursor c = db.storage().scanMeta(GROUP_PREFIX.getBytes(StandardCharsets.UTF_8))) {
      while (c.next()) {
        GroupRecord g = JSON.readValue(c.value(), GroupRecord.class);
        groups.put(g.groupId(), g);
        if (!g.isWitness(region)) {
          db.catalog().find(g.table()).ifPresent(t -> t.strong(g.asSeenFrom(region)));
        }
      }
    }
    RaftProperties p = raftProperties(config, storageDir);
    this.properties = p;
    this.server =
        RaftServer.newBuilder()
            .setServerId(RaftPeerId.valueOf(region))
            .setProperties(p)
            .setStateMachineRegistry(this::newStateMachine)
            .setOption(RaftStorage.StartupOption.RECOVER)
            .build();
    server.start();
    log.info(
        "Consensus (MRSC): region {} on port {}, {} group(s), storage {}",
        region,
        config.consensusPort(),
        groups.size(),
        storageDir);
  }

  private RegionStateMachine newStateMachine(RaftGroupId gid) {
    String id = gid.getUuid().toString();
    RegionStateMachine m = new RegionStateMachine(this, groups.get(id));
    machines.put(id, m);
    return m;
  }

  /** The Ratis settings of this server's consensus endpoint. */
  static RaftProperties raftProperties(ReplicationConfig config, Path storageDir) {
    RaftProperties p = new RaftProperties();
    RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
    GrpcConfigKeys.Server.setPort(p, config.consensusPort());
    RaftServerConfigKeys.setStorageDir(p, List.of(storageDir.toFile()));
    RaftServerConfigKeys.setStorageFreeSpaceMin(p, SizeInBytes.valueOf("1MB"));
    // Ratis' read-only path stays linearizable (no lease), but strong reads do not use it: see
    // readBarrier for why they go through the log.
    RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, millis(config.consensusTuning().election()));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, millis(config.consensusTuning().leader()));
    // RPO zero rests on this: a voter's log worker forces (fsyncs) its segment before it counts
    // the entries as flushed, and only flushed entries count towards the majority (the leader's
    // own match index, and a follower's append reply). Ratis' defaults, pinned against a change.
    RaftServerConfigKeys.Log.setUnsafeFlushEnabled(p, false);
    RaftServerConfigKeys.Log.setAsyncFlushEnabled(p, false);
    // A leader retries a follower it cannot reach at most every second (the default backs off to
    // 5 s), so that a region back from a partition is caught up within about a second.
    RaftServerConfigKeys.Log.Appender.setRetryPolicy(p, "1ms,10, 100ms,20, 1s,1000000");
    // Snapshots and purge (RegionStateMachine.takeSnapshot): a snapshot only says this region's
    // storage holds the state through an index, so it must never be sent to another region; the
    // purge that follows it removes whole segments, up to what every region has committed.
    RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(p, false);
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, false);
    RaftServerConfigKeys.Log.setPurgeGap(p, 1);
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(
        p, config.consensusTuning().snapshotEvery());
    RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
    long segment = config.consensusTuning().segmentBytes();
    RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(segment));
    RaftServerConfigKeys.Log.setPreallocatedSize(
        p, SizeInBytes.valueOf(Math.min(segment, 4L << 20)));
    return p;
  }

  private static TimeDuration millis(java.time.Duration d) {
    return TimeDuration.valueOf(d.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Whether any table here is in an MRSC group (then writes may wait for consensus). */
  boolean hasGroups() {
    return !groups.isEmpty();
  }

  /** The action registered under {@code name} before routing wrapped it. */
  Action inner(String name) {
    return inner.get(name);
  }

  /**
   * Adds the applied entry's index to the batch of each item it changes, so that the item and the
   * fact that the entry is applied commit atomically. Reads one volatile field for other tables.
   */
  private static void appliedIndexContributor(
      WriteSet batch,
      Table table,
      Map<String, dev.tidemark.model.AttributeValue> oldItem,
      Map<String, dev.tidemark.model.AttributeValue> newItem) {
    if (table.strong() == null) {
      return;
    }
    byte[][] applying = APPLYING.get();
    if (applying != null) {
      batch.putMeta(applying[0], applying[1]);
    }
  }

  // ---- applying (every region holding the table) ----

  /** Applies one committed entry through the action it names; throws its refusal. */
  JsonNode applyEntry(GroupRecord g, long term, long index, JsonNode entry) {
    String op = entry.path("op").asText();
    Action action = inner.get(op);
    if (action == null || !WRITES.contains(op)) {
      throw new IllegalStateException("consensus entry " + index + " names no write: " + op);
    }
    APPLYING.set(
        new byte[][] {
          appliedKey(g.groupId()), ByteBuffer.allocate(16).putLong(term).putLong(index).array()
        });
    WritePath path = db.writePath();
    // The Raft log is the durable record; RocksDB's WAL is synced by its own schedule, and a
    // crash replays the entries past the applied index, so the apply thread never waits for it.
    path.deferDurability();
    try {
      return action.execute(
          new RequestContext(
              "mrsc-" + g.groupId() + "-" + index,
              CallerIdentity.anonymous(region),
              System.currentTimeMillis()),
          entry.path("request"));
    } finally {
      path.endDeferral();
      APPLYING.remove();
    }
  }

  // ---- proposing and reading (the region that received the request) ----

  /** The MRSC group of the named table here, or null for any other table. */
  GroupRecord groupOf(String tableNameOrArn) {
    if (tableNameOrArn == null || groups.isEmpty()) {
      return null;
    }
    return db.catalog()
        .find(Database.tableName(tableNameOrArn))
        .map(Table::strong)
        .map(s -> groups.get(s.groupId()))
        .orElse(null);
  }

  /** Proposes a write request, waits until it is committed and applied, and returns the answer. */
  ObjectNode propose(GroupRecord g, String op, JsonNode request, List<String> itemKeys) {
    ObjectNode entry = JSON.createObjectNode().put("op", op).put("origin", region);
    entry.set("request", request);
    itemKeys.forEach(entry.putArray("keys")::add);
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(entry);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    RaftClientReply reply =
        await(client(g).async().send(Message.valueOf(ByteString.copyFrom(bytes))), "write");
    if (!reply.isSuccess()) {
      throw unavailable("write", String.valueOf(reply.getException()));
    }
    JsonNode answer;
    try {
      answer = JSON.readTree(reply.getMessage().getContent().toByteArray());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    if (answer.has("error")) {
      WireError type = wireError(answer.path("error").asText());
      JsonNode extra = answer.get("extra");
      throw extra instanceof ObjectNode o
          ? new DynamoException(type, answer.path("message").asText(), o)
          : new DynamoException(type, answer.path("message").asText());
    }
    return (ObjectNode) answer.path("ok");
  }

  /**
   * Returns once this region has applied every write acknowledged before the call: a barrier entry
   * is committed through the log, and the call waits until this region has applied it.
   *
   * <p><i>Why through the log and not Ratis' read index:</i> Ratis 3.2.0's read index is not
   * confirmed by a heartbeat round started after the read arrived. {@code
   * ReadIndexHeartbeats.addAppendEntriesListener} answers at once, with no round at all, when an
   * earlier read already confirmed that commit index ({@code ackedCommitIndex}); and a read joins a
   * round still pending for its index that an earlier read started. A leader cut off from the
   * others keeps its commit index, so it would answer a strong read with the state from before the
   * partition while the majority's new leader acknowledges newer writes (StrongStaleReadIT shows
   * it). A committed barrier entry proves a majority accepted this leader's term after the read
   * arrived, and it follows every entry committed before, whatever the timing.
   */
  void readBarrier(GroupRecord g) {
    RegionStateMachine local = machines.get(g.groupId());
    if (local == null) {
      throw unavailable("read", "group " + g.groupId() + " is not running here");
    }
    RaftClientReply reply =
        // Its own client: barriers do not queue in the writes' ordered window.
        await(barrierClient(g).async().send(BARRIER), "read");
    if (!reply.isSuccess()) {
      throw unavailable("read", String.valueOf(reply.getException()));
    }
    await(local.applied(reply.getLogIndex()), "read");
  }

  private <T> T await(java.util.concurrent.CompletableFuture<T> f, String what) {
    try {
      return f.get(config.consensusWait().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(false);
      throw unavailable(what, "no quorum within " + config.consensusWait().toMillis() + " ms");
    } catch (ExecutionException e) {
      throw unavailable(what, String.valueOf(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable(what, "interrupted");
    }
  }

  /**
   * Writes and strong reads without a quorum. AWS documents that they "will return errors" without
   * naming the type; InternalServerError is the retryable 5xx every data-plane operation declares.
   */
  private DynamoException unavailable(String what, String why) {
    log.warn("MRSC {} in region {} failed: {}", what, region, why);
    return new DynamoException(
        WireError.INTERNAL_SERVER_ERROR,
        "Region "
            + region
            + " cannot reach a quorum of this global table's regions (MultiRegionConsistency"
            + " STRONG), so it refuses writes and strongly consistent reads until it can;"
            + " eventually consistent reads are served.");
  }

  private static WireError wireError(String type) {
    for (WireError w : WireError.values()) {
      if (w.typeName().equals(type)) {
        return w;
      }
    }
    return WireError.INTERNAL_SERVER_ERROR;
  }

  private RaftClient client(GroupRecord g) {
    return clients.computeIfAbsent(g.groupId(), id -> newClient(g));
  }

  private RaftClient barrierClient(GroupRecord g) {
    return barrierClients.computeIfAbsent(g.groupId(), id -> newClient(g));
  }

  private RaftClient newClient(GroupRecord g) {
    return RaftClient.newBuilder()
        .setProperties(properties)
        .setClientId(ClientId.randomId())
        .setRaftGroup(clientGroup(g))
        .setRetryPolicy(
            RetryPolicies.retryForeverWithSleep(TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
        .build();
  }

  /**
   * The group as this region's client dials it: its own server on the local port, not on the
   * address advertised to the other regions (which may lead through a proxy or a port mapping).
   */
  private RaftGroup clientGroup(GroupRecord g) {
    List<RaftPeer> peers = new ArrayList<>();
    g.addresses()
        .forEach(
            (r, address) ->
                peers.add(
                    RaftPeer.newBuilder()
                        .setId(r)
                        .setAddress(
                            r.equals(region) ? "127.0.0.1:" + config.consensusPort() : address)
                        .build()));
    return RaftGroup.valueOf(RaftGroupId.valueOf(UUID.fromString(g.groupId())), peers);
  }

  private static RaftGroup raftGroup(GroupRecord g) {
    List<RaftPeer> peers = new ArrayList<>();
    g.addresses()
        .forEach(
            (r, address) -> peers.add(RaftPeer.newBuilder().setId(r).setAddress(address).build()));
    return RaftGroup.valueOf(RaftGroupId.valueOf(UUID.fromString(g.groupId())), peers);
  }

  // ---- the control plane ----

  @Override
  public String unavailableReason() {
    return config.consensusPort() == 0 ? "this server was started without --consensus-port" : null;
  }

  @Override
  public void create(Table t, List<String> replicas, String witness) {
    Map<String, String> addresses = new LinkedHashMap<>();
    List<String> others = new ArrayList<>(replicas);
    if (witness != null) {
      others.add(witness);
    }
    for (String r : others) {
      JsonNode a = replicator.callPeer(r, "strong-address", JSON.createObjectNode());
      addresses.put(r, config.peers().get(r).getHost() + ":" + a.path("port").asInt());
      // Every member knows this server by the host of its own --peer URL for this region.
      addresses.putIfAbsent(
          region, a.path("yourHost").asText() + ":" + config.reachableConsensusPort());
    }
    List<String> holders = new ArrayList<>(replicas);
    holders.add(0, region);
    GroupRecord g =
        new GroupRecord(UUID.randomUUID().toString(), t.name(), addresses, holders, witness);
    ObjectNode join = JSON.valueToTree(g);
    ObjectNode createTable = Replicator.createTableRequest(t.definition());
    // MRSC turns no stream on by itself (streams are optional there); the table's own is copied.
    if (t.definition().streamViewType() == null) {
      createTable.remove("StreamSpecification");
    } else {
      ((ObjectNode) createTable.get("StreamSpecification"))
          .put("StreamViewType", t.definition().streamViewType());
    }
    join.set("createTable", createTable);
    List<String> joined = new ArrayList<>();
    try {
      for (String r : others) {
        replicator.callPeer(r, "strong-join", join);
        joined.add(r);
      }
      join(g);
    } catch (RuntimeException e) {
      for (String r : joined) {
        try {
          replicator.callPeer(r, "strong-leave", leaveMessage(g, true));
        } catch (RuntimeException again) {
          log.warn("Could not undo MRSC group {} in {}: {}", g.groupId(), r, again.getMessage());
        }
      }
      throw e;
    }
  }

  @Override
  public void teardown(Table t) {
    GroupRecord g = groups.get(t.strong().groupId());
    for (String r : g.addresses().keySet()) {
      if (!r.equals(region)) {
        replicator.callPeer(r, "strong-leave", leaveMessage(g, true));
      }
    }
    leave(g, false);
  }

  private static ObjectNode leaveMessage(GroupRecord g, boolean deleteTable) {
    return JSON.createObjectNode().put("groupId", g.groupId()).put("deleteTable", deleteTable);
  }

  /** Persists the group, marks the table, and adds the Raft group to the local server. */
  private void join(GroupRecord g) {
    try {
      db.storage().apply(new WriteSet().putMeta(groupKey(g.groupId()), JSON.writeValueAsBytes(g)));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    groups.put(g.groupId(), g);
    if (!g.isWitness(region)) {
      db.require(g.table()).strong(g.asSeenFrom(region));
    }
    RaftGroup group = raftGroup(g);
    try (RaftClient admin =
        RaftClient.newBuilder().setProperties(properties).setRaftGroup(group).build()) {
      RaftClientReply r = admin.getGroupManagementApi(RaftPeerId.valueOf(region)).add(group);
      if (!r.isSuccess()) {
        throw new IOException(String.valueOf(r.getException()));
      }
    } catch (IOException e) {
      throw new DynamoException(
          WireError.INTERNAL_SERVER_ERROR,
          "Region " + region + " could not join the consensus group: " + e.getMessage());
    }
  }

  /** Leaves the group here: the table (kept or deleted) becomes regional. */
  private void leave(GroupRecord g, boolean deleteTable) {
    for (RaftClient c :
        java.util.Arrays.asList(clients.remove(g.groupId()), barrierClients.remove(g.groupId()))) {
      if (c != null) {
        try {
          c.close();
        } catch (IOException e) {
          log.warn("Closing a client of group {}: {}", g.groupId(), e.getMessage());
        }
      }
    }
    machines.remove(g.groupId());
    RaftGroup group = raftGroup(g);
    try (RaftClient admin =
        RaftClient.newBuilder().setProperties(properties).setRaftGroup(group).build()) {
      admin
          .getGroupManagementApi(RaftPeerId.valueOf(region))
          .remove(group.getGroupId(), true, false);
    } catch (IOException e) {
      log.warn("Removing consensus group {}: {}", g.groupId(), e.getMessage());
    }
    groups.remove(g.groupId());
    db.storage()
        .apply(
            new WriteSet().deleteMeta(groupKey(g.groupId())).deleteMeta(appliedKey(g.groupId())));
    if (!g.isWitness(region)) {
      db.catalog()
          .find(g.table())
          .ifPresent(
              t -> {
                t.strong(null);
                if (deleteTable) {
                  inner.get("DeleteTable").execute(context("leave"), tableRequest(g.table()));
                }
              });
    }
  }

  private RequestContext context(String what) {
    return new RequestContext(
        "mrsc-" + what + "-" + UUID.randomUUID(),
        CallerIdentity.anonymous(region),
        System.currentTimeMillis());
  }

  private static ObjectNode tableRequest(String table) {
    return JSON.createObjectNode().put("TableName", table);
  }

  /** The {@code strong-*} operations other regions send over the signed replication channel. */
  private JsonNode servePeer(String op, String from, JsonNode body) {
    if (config.consensusPort() == 0) {
      throw DynamoException.validation(
          "Region "
              + region
              + " cannot take part in a global table with MultiRegionConsistency set to STRONG:"
              + " it was started without --consensus-port");
    }
    return switch (op) {
      case "strong-address" -> {
        if (!config.peers().containsKey(from)) {
          throw DynamoException.validation("Region " + from + " is not a --peer of " + region);
        }
        yield JSON.createObjectNode()
            .put("port", config.reachableConsensusPort())
            .put("yourHost", config.peers().get(from).getHost());
      }
      case "strong-join" -> {
        GroupRecord g;
        try {
          g = JSON.treeToValue(body, GroupRecord.class);
        } catch (IOException | IllegalArgumentException e) {
          throw DynamoException.validation("bad strong-join request: " + e.getMessage());
        }
        if (!g.isWitness(region)) {
          inner.get("CreateTable").execute(context("join"), body.get("createTable"));
        }
        join(g);
        yield JSON.createObjectNode();
      }
      case "strong-leave" -> {
        GroupRecord g = groups.get(body.path("groupId").asText());
        if (g != null) {
          leave(g, body.path("deleteTable").asBoolean());
        }
        yield JSON.createObjectNode();
      }
      default ->
          throw new DynamoException(
              WireError.UNKNOWN_OPERATION, "Unknown replication operation: " + op);
    };
  }

  @Override
  public void close() throws IOException {
    for (RaftClient c : clients.values()) {
      c.close();
    }
    for (RaftClient c : barrierClients.values()) {
      c.close();
    }
    if (server != null) {
      server.close();
    }
  }
}
