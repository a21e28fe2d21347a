package dev.tidemark.replication.strong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Raft state machine of one MRSC group in one region. Every committed entry (a write request)
 * is applied here through Tidemark's own actions and write path, in log order, in every region that
 * holds the table; the witness keeps the log and applies nothing. The leader's result is the
 * client's answer, and since applying is deterministic (conditions are evaluated against the state
 * the log order produced), every region computes the same one.
 *
 * <p>Exactly once: the index of the entry being applied is written into the same storage batch as
 * its items (see {@link StrongConsistency#appliedIndexContributor}), so after a crash the log is
 * replayed from the start and every entry at or below that index is skipped. An entry that changed
 * nothing leaves no mark, and applying it again on the same state changes nothing again. A client
 * retry that a new leader appended a second time (same client id and call id) is answered from a
 * bounded memory of recent calls instead of being applied twice.
 *
 * <p>Reads: a strong read commits a barrier entry (op {@link StrongConsistency#BARRIER_OP}), which
 * changes nothing, and waits on {@link #applied} until this region has applied it; the read itself
 * then runs locally. {@link #query} answers empty.
 */
final class RegionStateMachine extends BaseStateMachine {
  private static final Logger log = LoggerFactory.getLogger(RegionStateMachine.class);
  private static final int REMEMBERED_CALLS = 100_000;

  private final StrongConsistency owner;
  private final GroupRecord group;
  private final boolean witness;
  private long persistedIndex;

  /** Recent (client id, call id) to the answer sent, so that a re-appended retry is not redone. */
  private final Map<String, byte[]> recentCalls =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
          return size() > REMEMBERED_CALLS;
        }
      };

  /** A claim older than this is from an entry that never committed (a deposed leader's). */
  private static final long STALE_CLAIM_NANOS = 5_000_000_000L;

  /** On the leader: items of appended, not yet applied writes, and the region writing them. */
  private final Map<String, Claim> inFlight = new java.util.HashMap<>();

  private record Claim(String origin, long sinceNanos) {}

  private final SimpleStateMachineStorage snapshots = new SimpleStateMachineStorage();

  /** When takeSnapshot last found it could not advance (a region lags), in nanoTime. */
  private volatile long declinedAt = System.nanoTime() - DECLINE_PAUSE_NANOS;

  private static final long DECLINE_PAUSE_NANOS = 1_000_000_000L;

  /** Strong reads waiting for an index to be applied here, by index. */
  private final java.util.concurrent.ConcurrentSkipListMap<Long, CompletableFuture<Void>> waiting =
      new java.util.concurrent.ConcurrentSkipListMap<>();

  RegionStateMachine(StrongConsistency owner, GroupRecord group) {
    this.owner = owner;
    this.group = group;
    this.witness = group == null || group.isWitness(owner.region());
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage storage)
      throws java.io.IOException {
    super.initialize(server, groupId, storage);
    snapshots.init(storage);
    SingleFileSnapshotInfo latest = snapshots.getLatestSnapshot();
    if (latest != null) {
      // Ratis replays the log from the entry after the snapshot; this machine starts there too.
      checkSnapshot(latest);
      updateLastAppliedTermIndex(latest.getTerm(), latest.getIndex());
    }
    if (group == null) {
      log.warn(
          "Consensus group {} is in the Raft storage but not known; it applies nothing", groupId);
      return;
    }
    byte[] v = owner.db().storage().getMeta(StrongConsistency.appliedKey(group.groupId()));
    persistedIndex = v == null ? -1 : ByteBuffer.wrap(v).getLong(8);
  }

  /**
   * On the leader, before an entry is appended: a write of an item that a write from another region
   * is still between append and apply is marked as a conflict, and every region answers it with
   * ReplicatedWriteConflictException instead of applying it, as AWS refuses such a write. (Marking
   * rather than throwing here: a refusal at this point breaks the client's ordered stream.) Writes
   * from one region to one item queue in log order instead.
   */
  @Override
  public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
    ObjectNode entry =
        (ObjectNode)
            StrongConsistency.JSON.readTree(request.getMessage().getContent().toByteArray());
    String origin = entry.path("origin").asText();
    long now = System.nanoTime();
    boolean conflict = false;
    synchronized (inFlight) {
      for (JsonNode k : entry.path("keys")) {
        Claim c = inFlight.get(k.asText());
        if (c != null && !c.origin().equals(origin) && now - c.sinceNanos() < STALE_CLAIM_NANOS) {
          conflict = true;
        }
      }
      if (!conflict) {
        for (JsonNode k : entry.path("keys")) {
          inFlight.put(k.asText(), new Claim(origin, now));
        }
      }
    }
    if (!conflict) {
      return super.startTransaction(request);
    }
    entry.put("conflict", true);
    return TransactionContext.newBuilder()
        .setStateMachine(this)
        .setClientRequest(request)
        .setLogData(ByteString.copyFrom(StrongConsistency.JSON.writeValueAsBytes(entry)))
        .build();
  }

  /** Ends the claims of an applied entry (on the leader; a no-op elsewhere). */
  private void release(ByteString data) {
    synchronized (inFlight) {
      if (inFlight.isEmpty()) {
        return;
      }
      try {
        JsonNode entry = StrongConsistency.JSON.readTree(data.toByteArray());
        if (entry.path("conflict").asBoolean()) {
          return; // it claimed nothing
        }
        String origin = entry.path("origin").asText();
        for (JsonNode k : entry.path("keys")) {
          inFlight.computeIfPresent(k.asText(), (key, c) -> c.origin().equals(origin) ? null : c);
        }
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    long term = entry.getTerm();
    long index = entry.getIndex();
    StateMachineLogEntryProto sm = entry.getStateMachineLogEntry();
    release(sm.getLogData());
    String call =
        Base64.getEncoder().encodeToString(sm.getClientId().toByteArray()) + ":" + sm.getCallId();
    byte[] answer;
    if (isBarrier(sm.getLogData())) {
      answer = StrongConsistency.NOTHING;
    } else if (witness) {
      answer = StrongConsistency.NOTHING;
    } else if (recentCalls.containsKey(call)) {
      answer = recentCalls.get(call);
    } else if (index <= persistedIndex) {
      // Applied before a restart: its items are in storage already; the answer is not kept.
      answer = StrongConsistency.NOTHING;
      recentCalls.put(call, answer);
    } else {
      answer = apply(term, index, sm.getLogData());
      recentCalls.put(call, answer);
    }
    updateLastAppliedTermIndex(term, index);
    if (!waiting.isEmpty()) {
      wake(index);
    }
    return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(answer)));
  }

  private static final ByteString BARRIER_PREFIX =
      ByteString.copyFromUtf8("{\"op\":\"" + StrongConsistency.BARRIER_OP + "\"");

  private static boolean isBarrier(ByteString data) {
    return data.startsWith(BARRIER_PREFIX);
  }

  /** Completes once this region has applied the entry at {@code index}. */
  CompletableFuture<Void> applied(long index) {
    if (getLastAppliedTermIndex().getIndex() >= index) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> f = waiting.computeIfAbsent(index, i -> new CompletableFuture<>());
    // Applied between the check and the registration: nobody else would wake it.
    wake(getLastAppliedTermIndex().getIndex());
    return f;
  }

  private void wake(long appliedIndex) {
    for (var e = waiting.firstEntry(); e != null && e.getKey() <= appliedIndex; ) {
      waiting.remove(e.getKey(), e.getValue());
      e.getValue().complete(null);
      e = waiting.firstEntry();
    }
  }

  private byte[] apply(long term, long index, ByteString data) {
    JsonNode request;
    try {
      request = StrongConsistency.JSON.readTree(data.toByteArray());
    } catch (java.io.IOException e) {
      throw new IllegalStateException("unreadable consensus log entry " + index, e);
    }
    ObjectNode out = StrongConsistency.JSON.createObjectNode();
    if (request.path("conflict").asBoolean()) {
      // AWS's text (Programming.Errors); the client may retry once the other write is done.
      out.put("error", WireError.REPLICATED_WRITE_CONFLICT.typeName())
          .put(
              "message",
              "One or more items in this request are being modified by a request in another"
                  + " Region.");
      return bytes(out);
    }
    try {
      out.set("ok", owner.applyEntry(group, term, index, request));
    } catch (DynamoException e) {
      if (e.error().httpStatus() >= 500) {
        // A local fault (a full disk, say), not a decision every region makes alike: stop
        // applying rather than record a refusal the other regions did not make.
        throw new IllegalStateException("applying consensus entry " + index + " failed here", e);
      }
      out.put("error", e.error().typeName()).put("message", e.getMessage());
      if (e.extra() != null) {
        out.set("extra", e.extra());
      }
    }
    return bytes(out);
  }

  private static byte[] bytes(JsonNode answer) {
    try {
      return StrongConsistency.JSON.writeValueAsBytes(answer);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- snapshots and the log's purge ----

  /**
   * Records that this region's storage holds the state through an index, so that Ratis replays the
   * log from there on restart and may purge the segments before it. What it records: the group,
   * table and region, and the index and term; <i>the state it corresponds to</i> is this region's
   * own table (and, for every table, the applied-index mark), made durable by a sync of the storage
   * before the file is written. Such a snapshot is only good for the region that took it, so it is
   * never sent to another one (Ratis' snapshot installation is off), and its index is held to what
   * every region of the group has committed: the purge that follows never removes an entry that a
   * lagging region still needs, and that region catches up from the log, entry by entry.
   *
   * @return the index now covered, unchanged when it cannot advance
   */
  @Override
  public long takeSnapshot() throws IOException {
    SingleFileSnapshotInfo previous = snapshots.getLatestSnapshot();
    long covered = previous == null ? RaftLog.INVALID_LOG_INDEX : previous.getIndex();
    long now = System.nanoTime();
    if (now - declinedAt < DECLINE_PAUSE_NANOS) {
      return covered; // Ratis asks after every apply while a region lags; not every time
    }
    RaftServer.Division division = getServer().join().getDivision(getGroupId());
    long index = getLastAppliedTermIndex().getIndex();
    Map<RaftPeerId, Long> committed = new java.util.HashMap<>();
    for (CommitInfoProto c : division.getCommitInfos()) {
      committed.put(RaftPeerId.valueOf(c.getServer().getId()), c.getCommitIndex());
    }
    for (RaftPeer voter : division.getGroup().getPeers()) {
      // A region whose progress is not known here holds the snapshot back entirely.
      index = Math.min(index, committed.getOrDefault(voter.getId(), RaftLog.INVALID_LOG_INDEX));
    }
    TermIndex at = index > covered ? division.getRaftLog().getTermIndex(index) : null;
    if (at == null) {
      declinedAt = now;
      return covered;
    }
    // Everything applied so far (so through the snapshot's index) is durable before it is claimed.
    owner.db().storage().sync();
    File file = snapshots.getSnapshotFile(at.getTerm(), at.getIndex());
    ObjectNode record =
        StrongConsistency.JSON
            .createObjectNode()
            .put("groupId", getGroupId().getUuid().toString())
            .put("table", group == null ? null : group.table())
            .put("region", owner.region())
            .put("term", at.getTerm())
            .put("index", at.getIndex());
    File tmp = new File(file.getPath() + ".tmp");
    try (java.io.FileOutputStream out = new java.io.FileOutputStream(tmp)) {
      out.write(StrongConsistency.JSON.writeValueAsBytes(record));
      out.getFD().sync();
    }
    java.nio.file.Files.move(
        tmp.toPath(), file.toPath(), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
    snapshots.updateLatestSnapshot(
        new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), at));
    return at.getIndex();
  }

  /** Refuses to start from a snapshot that another group, table or region wrote. */
  private void checkSnapshot(SingleFileSnapshotInfo s) throws IOException {
    JsonNode r = StrongConsistency.JSON.readTree(s.getFile().getPath().toFile());
    boolean ours =
        r.path("groupId").asText().equals(getGroupId().getUuid().toString())
            && r.path("region").asText().equals(owner.region())
            && r.path("index").asLong() == s.getIndex()
            && (group == null || r.path("table").asText().equals(group.table()));
    if (!ours) {
      throw new IOException(
          "consensus snapshot " + s.getFile().getPath() + " is not this region's: " + r);
    }
  }

  /**
   * A region that needs entries already purged everywhere. The purge is held to what every region
   * has committed, so this means lost or foreign consensus storage; the table state would have to
   * come from another region, which is not built. It is refused (Ratis retries and logs it) rather
   * than answered with an index, which would make this region skip the entries.
   */
  @Override
  public CompletableFuture<TermIndex> notifyInstallSnapshotFromLeader(
      RaftProtos.RoleInfoProto roleInfo, TermIndex firstInLog) {
    log.error(
        "MRSC group {} in region {} needs log entries before {} that every region has purged;"
            + " installing the table from another region is not supported",
        getGroupId(),
        owner.region(),
        firstInLog);
    return CompletableFuture.failedFuture(
        new IOException("installing an MRSC table from another region is not supported"));
  }

  @Override
  public SimpleStateMachineStorage getStateMachineStorage() {
    return snapshots;
  }

  @Override
  public CompletableFuture<Message> query(Message request) {
    return CompletableFuture.completedFuture(Message.EMPTY);
  }
}
