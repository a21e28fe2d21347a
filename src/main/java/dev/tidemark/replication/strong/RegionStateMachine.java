package dev.tidemark.replication.strong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
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

  @Override
  public CompletableFuture<Message> query(Message request) {
    return CompletableFuture.completedFuture(Message.EMPTY);
  }
}
