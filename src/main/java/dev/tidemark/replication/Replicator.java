package dev.tidemark.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.ItemKeys;
import dev.tidemark.api.Operations;
import dev.tidemark.api.RequestContext;
import dev.tidemark.api.TableDescriptions;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.changelog.ChangeLog;
import dev.tidemark.changelog.ChangeRecord;
import dev.tidemark.changelog.ChangeRecordCodec;
import dev.tidemark.changelog.ItemStamp;
import dev.tidemark.changelog.RetentionFloor;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.indexes.IndexEntries;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.storage.Cursor;
import dev.tidemark.storage.ItemCodec;
import dev.tidemark.storage.KeyEncoding;
import dev.tidemark.storage.StorageSnapshot;
import dev.tidemark.storage.WriteSet;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.GlobalTables;
import dev.tidemark.tables.IndexDefinition;
import dev.tidemark.tables.KeySchema;
import dev.tidemark.tables.Replication;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.TableCatalog;
import dev.tidemark.tables.TableDefinition;
import dev.tidemark.tables.WritePath;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cross-region replicas (global tables, version 2019.11.21) between Tidemark servers: the group
 * state of each replicated table, the per-peer shippers that read the change log, the fill of a new
 * replica, and the receiving side of every peer request.
 *
 * <p>Every region ships the writes it accepted itself (change records whose origin is not {@code
 * REPLICATION}) to every other member, from a durable cursor per (table, peer) in the meta space. A
 * received write goes through the write path with its origin's stamp and origin {@code
 * REPLICATION}: Streams, PITR and backups see it, the merge rule decides it, and it is never
 * shipped again. Because the merge rule is order-independent, a new replica's fill (a snapshot read
 * at a change-log position) and the shipping of later changes may run at the same time.
 *
 * <p>Meta keys: {@code repl/group/<table id>} (JSON {@link GroupState}), {@code repl/cursor/<table
 * id><region>} (the last sequence number shipped to that region, 8 bytes).
 */
public final class Replicator implements GlobalTables, RetentionFloor, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Replicator.class);
  static final String VERSION = "2019.11.21";
  private static final ObjectMapper JSON = JsonMapper.builder().findAndAddModules().build();
  private static final byte[] GROUP_PREFIX = "repl/group/".getBytes(StandardCharsets.UTF_8);
  private static final byte[] CURSOR_PREFIX = "repl/cursor/".getBytes(StandardCharsets.UTF_8);
  static final int BATCH_RECORDS = 500;

  /** Raw bytes per frame of a bulk fill. */
  private static final int BULK_FRAME_BYTES = 4 << 20;

  /**
   * Fill requests in flight at once (SendPipeline): the source encodes while the replica applies.
   */
  private static final int FILL_IN_FLIGHT = 3;

  private static final int BATCH_BYTES = 2 << 20;
  private static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration APPLY_TIMEOUT = Duration.ofSeconds(30);

  /** An idle link still sends this often: liveness, clock skew and the watermark (Tombstones). */
  private static final long HEARTBEAT_MILLIS = 1_000;

  /** How soon a replica that held back shipped writes (it is filling) is offered them again. */
  private static final long HELD_RETRY_MILLIS = 200;

  /** How long an idle shipper waits for a commit before it looks at its links anyway. */
  private static final long IDLE_WAIT_NANOS = 50_000_000L;

  /**
   * The shortest time between two rounds of a shipper that is not behind by a full batch. Under a
   * steady stream of writes a shipper otherwise sends one request per round trip, a few records
   * each, and the fixed cost per request (HTTP on both sides, signing, the cursor write, the
   * receiver's durability wait) is paid hundreds of times a second per link, on the same cores the
   * writes need. This caps it at 100 requests a second per link and adds at most this much lag; a
   * write after a quiet spell still leaves at once, and a backlog is sent back to back.
   */
  private static final long SHIP_LINGER_NANOS = 10_000_000L;

  /**
   * A table's group as this region persists it.
   *
   * @param localStatus CREATING while this region's replica is being filled, else ACTIVE
   * @param filling the regions this region is filling (resumed after a restart)
   */
  record GroupState(
      String groupId,
      String localStatus,
      List<Replication.Replica> replicas,
      List<String> filling) {
    GroupState {
      replicas = List.copyOf(replicas);
      filling = filling == null ? List.of() : List.copyOf(filling);
    }
  }

  private final Database db;
  private final String region;
  private final PeerAuth auth;
  private final Map<String, PeerClient> peers = new LinkedHashMap<>();
  private final LongSupplier clock;
  private final Map<String, PeerHealth> health = new ConcurrentHashMap<>();
  private final Map<String, LagStats> lag = new ConcurrentHashMap<>();
  private final Map<String, Long> cursors = new ConcurrentHashMap<>();
  private final Map<String, Integer> progress = new ConcurrentHashMap<>();
  private final Set<Long> deletingForPeer = ConcurrentHashMap.newKeySet();
  private final LogCap cap;
  private final Tombstones tombstones;
  private final Map<String, Long> lastSent = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong refills =
      new java.util.concurrent.atomic.AtomicLong();

  /** Fills this region completed, by how: an operator's answer to "why did that one take long". */
  private final java.util.concurrent.atomic.AtomicLong bulkFills =
      new java.util.concurrent.atomic.AtomicLong();

  private final java.util.concurrent.atomic.AtomicLong writePathFills =
      new java.util.concurrent.atomic.AtomicLong();
  private final ExecutorService fills;
  private final List<Thread> shippers = new ArrayList<>();
  private final Object groups = new Object();
  private volatile Operations operations;
  private final long gcEveryMillis;
  private final Drills drills;
  private final BulkFillReceiver bulk;
  private volatile boolean closed;

  /** Per link: a replica held back shipped writes (it is being filled); not asked again before. */
  private final Map<String, Long> heldUntil = new ConcurrentHashMap<>();

  /** What the status report says about a peer. */
  static final class PeerHealth {
    volatile boolean reachable = true;
    volatile String lastError;
    volatile long lastContactMillis;
  }

  public Replicator(Database db, ReplicationConfig config, LongSupplier clock) {
    this.db = db;
    this.region = db.region();
    this.clock = clock;
    this.auth = config.secret() == null ? null : new PeerAuth(config.secret());
    this.drills = new Drills(db.storage(), config.peers().keySet());
    this.cap = new LogCap(db.storage(), db.changeLog(), config.maxLag(), clock);
    this.tombstones = new Tombstones(db.storage(), db.writePath(), config.tombstoneGrace());
    this.bulk = new BulkFillReceiver(db);
    this.gcEveryMillis = Math.max(1_000, Math.min(60_000, config.tombstoneGrace().toMillis() / 2));
    config
        .peers()
        .forEach(
            (r, url) -> {
              peers.put(r, new PeerClient(r, url, region, auth, clock, config.peerTls()));
              health.put(r, new PeerHealth());
            });
    this.fills =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "tidemark-replica-fill");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Where a replica filled from another region stages its SST files (BulkFillReceiver); without
   * one, fills go through the write path.
   */
  public void useScratch(java.nio.file.Path dir) {
    bulk.useScratch(dir);
  }

  /** The authenticator of incoming peer requests, or null when no secret is configured. */
  PeerAuth auth() {
    return auth;
  }

  /**
   * Loads every table's group, then starts one shipper per peer and resumes interrupted fills.
   * {@code operations} runs CreateTable and DeleteTable for replicas, with all their side effects.
   */
  public void start(Operations operations) {
    this.operations = operations;
    seedStampFloor();
    for (String name : db.catalog().names()) {
      db.catalog().find(name).ifPresent(this::load);
    }
    if (!peers.isEmpty()) {
      db.writePath().afterCommit(this::wakeShippers);
    }
    for (PeerClient p : peers.values()) {
      Thread t = new Thread(() -> shipLoop(p), "tidemark-replication-" + p.region);
      t.setDaemon(true);
      shippers.add(t);
      t.start();
    }
    if (!peers.isEmpty()) {
      log.info("Replication: region {} with peers {}", region, peers.values());
      Thread gc = new Thread(this::collectLoop, "tidemark-replication-tombstones");
      gc.setDaemon(true);
      shippers.add(gc);
      gc.start();
    }
  }

  /**
   * Once per data directory: a directory written before the write path kept its stamp floor may
   * hold stamps above every local commit time (versions from a region whose clock was ahead), and
   * local writes must go above those. A scan of every table's stamps, done while no write can come
   * in (before the server listens). Later floors are kept by the write path itself.
   */
  private void seedStampFloor() {
    if (db.writePath().stampFloorRecorded()) {
      return;
    }
    ItemStamp highest = null;
    try (StorageSnapshot snapshot = db.storage().snapshot()) {
      for (String name : db.catalog().names()) {
        Optional<Table> t = db.catalog().find(name);
        if (t.isEmpty() || !db.storage().hasTableSpace(t.get().id())) {
          continue;
        }
        try (Cursor c =
            snapshot.scan(t.get().id(), new byte[] {ItemStamp.STAMP_PREFIX}, null, false)) {
          while (c.next()) {
            highest = ItemStamp.max(highest, ItemStamp.decode(c.value()));
          }
        }
      }
    }
    if (highest != null) {
      db.writePath().raiseStampFloor(highest);
    }
  }

  /** Collects tombstones of every table whose group is settled (Tombstones), now and then. */
  private void collectLoop() {
    while (!closed) {
      try {
        sleep(gcEveryMillis);
        // Frames too old to be shared, such as those of tables deleted since.
        long now = System.nanoTime();
        lastFrames.values().removeIf(b -> now - b.builtNanos() > SHARE_NANOS);
        for (String name : db.catalog().names()) {
          Optional<Table> t = db.catalog().find(name);
          Replication r = t.map(Table::replication).orElse(null);
          if (r == null || !"ACTIVE".equals(t.get().status())) {
            continue;
          }
          List<String> members = new ArrayList<>();
          boolean settled = true;
          for (Replication.Replica m : r.replicas()) {
            members.add(m.region());
            settled &= "ACTIVE".equals(m.status()) && cap.mark(t.get().id(), m.region()) == null;
          }
          if (settled) {
            int n = tombstones.collect(t.get().id(), members);
            if (n > 0) {
              log.debug("Collected {} tombstones of {}", n, name);
            }
          }
        }
      } catch (ClosedException e) {
        return;
      } catch (RuntimeException e) {
        log.error("Tombstone collection failed; it is tried again", e);
      }
    }
  }

  private void load(Table t) {
    GroupState g = readGroup(t.id());
    if (g == null) {
      return;
    }
    t.replication(new Replication(region, g.groupId(), g.replicas()));
    if ("CREATING".equals(g.localStatus())) {
      t.markStatus("CREATING");
    }
    for (String target : g.filling()) {
      startFill(t, target);
    }
  }

  @Override
  public List<String> peerRegions() {
    return List.copyOf(peers.keySet());
  }

  // ---- the control plane, on the region that received UpdateTable ----

  @Override
  public void createReplica(Table t, String target) {
    Replication current = t.replication();
    String groupId = current == null ? UUID.randomUUID().toString() : current.groupId();
    List<Replication.Replica> members = new ArrayList<>();
    members.add(new Replication.Replica(region, "ACTIVE", null));
    if (current != null) {
      members.addAll(current.replicas());
    }
    ObjectNode create = JSON.createObjectNode();
    create.put("groupId", groupId);
    create.set("createTable", createTableRequest(t.definition()));
    create.set("replicas", JSON.valueToTree(members));
    PeerClient peer = peers.get(target);
    callForUser(peer, "create-table", create);
    // Every other member ships its own writes to the new region from where it stands with this
    // one: what it shipped here before is in the snapshot taken below, the rest it sends itself.
    List<String> told = new ArrayList<>();
    try {
      for (Replication.Replica m : members) {
        if (!m.region().equals(region)) {
          ObjectNode added = tableMessage(t.name(), groupId);
          added.put("region", target).put("copyCursorFrom", region);
          callForUser(peers.get(m.region()), "member-added", added);
          told.add(m.region());
        }
      }
    } catch (DynamoException e) {
      undoCreate(t, target, groupId, told);
      throw e;
    }
    TableDefinition d = t.definition();
    if (d.streamViewType() == null) {
      WriteSet batch = new WriteSet();
      TableDefinition withStream = d.withStreamViewType("NEW_AND_OLD_IMAGES");
      db.streams()
          .open(withStream, "NEW_AND_OLD_IMAGES", db.writePath().appliedSeq() + 1, db.now(), batch);
      db.catalog().update(t, withStream, batch);
    }
    List<Replication.Replica> replicas =
        new ArrayList<>(current == null ? List.of() : current.replicas());
    replicas.add(new Replication.Replica(target, "CREATING", 0));
    StorageSnapshot[] snapshot = new StorageSnapshot[1];
    synchronized (groups) {
      // Under the write lock: every write after the snapshot is stamped and at or past the cursor.
      db.writePath()
          .exclusive(
              () -> {
                t.replication(new Replication(region, groupId, replicas));
                long position = db.writePath().appliedSeq();
                WriteSet w = new WriteSet();
                putCursor(w, t.id(), target, position);
                writeGroup(w, t.id(), stateOf(t, "ACTIVE", withFilling(t, target, true)));
                db.storage().apply(w);
                snapshot[0] = db.storage().snapshot();
              });
      db.storage().sync();
    }
    progress.put(progressKey(t, target), 0);
    fills.execute(() -> fill(t, target, snapshot[0]));
  }

  private void undoCreate(Table t, String target, String groupId, List<String> told) {
    for (String m : told) {
      ObjectNode removed = tableMessage(t.name(), groupId).put("region", target);
      callQuietly(peers.get(m), "member-removed", removed);
    }
    callQuietly(peers.get(target), "delete-replica", tableMessage(t.name(), groupId));
  }

  @Override
  public void deleteReplica(Table t, String target) {
    Replication current = t.replication();
    callForUser(peers.get(target), "delete-replica", tableMessage(t.name(), current.groupId()));
    removeMember(t, target);
    for (Replication.Replica m : current.replicas()) {
      if (!m.region().equals(target)) {
        ObjectNode removed = tableMessage(t.name(), current.groupId()).put("region", target);
        callQuietly(peers.get(m.region()), "member-removed", removed);
      }
    }
  }

  @Override
  public void tableDeleted(Table t) {
    // Nothing of a deleted table's replication may outlive it in the meta space, in or out of a
    // group: its cursors, re-fill marks, tombstone horizon and settings versions.
    WriteSet leftovers = new WriteSet();
    for (String p : peers.keySet()) {
      leftovers.deleteMeta(cursorKey(t.id(), p));
      cursors.remove(cursorName(t.id(), p));
      cap.clear(leftovers, t.id(), p);
    }
    leftovers
        .deleteMeta(Tombstones.key(t.id()))
        .deleteMeta(SettingsSync.key(t.id()))
        .deleteMeta(SettingsSync.classKey(t.id()));
    tombstones.forget(t.id());
    bulk.drop(t.id());
    Replication current = t.replication();
    if (current == null || deletingForPeer.remove(t.id())) {
      db.storage().apply(leftovers);
      return;
    }
    t.replication(null);
    db.storage().apply(leftovers.deleteMeta(groupKey(t.id())));
    for (Replication.Replica m : current.replicas()) {
      ObjectNode removed = tableMessage(t.name(), current.groupId()).put("region", region);
      callQuietly(peers.get(m.region()), "member-removed", removed);
    }
  }

  /** A peer call made for a client's request: its refusal is the client's answer. */
  private JsonNode callForUser(PeerClient peer, String op, JsonNode body) {
    try {
      JsonNode r = peer.call(op, body, CONTROL_TIMEOUT);
      reachable(peer.region);
      return r;
    } catch (PeerClient.Refused e) {
      throw new DynamoException(wireError(e.type), e.getMessage());
    } catch (PeerClient.Unavailable e) {
      unreachable(peer.region, e.getMessage());
      throw new DynamoException(
          WireError.INTERNAL_SERVER_ERROR,
          "Replica region " + peer.region + " is unreachable: " + e.getMessage());
    }
  }

  private void callQuietly(PeerClient peer, String op, JsonNode body) {
    try {
      peer.call(op, body, CONTROL_TIMEOUT);
    } catch (RuntimeException e) {
      log.warn("Could not tell region {} ({}): {}", peer.region, op, e.getMessage());
    }
  }

  private static WireError wireError(String type) {
    for (WireError w : WireError.values()) {
      if (w.typeName().equals(type)) {
        return w;
      }
    }
    return WireError.VALIDATION;
  }

  /** The CreateTable request that makes a replica: same keys, indexes and capacity, streams on. */
  public static ObjectNode createTableRequest(TableDefinition d) {
    ObjectNode r = JSON.createObjectNode();
    r.put("TableName", d.name());
    ArrayNode defs = r.putArray("AttributeDefinitions");
    d.attributeDefinitions()
        .forEach(
            (name, type) ->
                defs.addObject().put("AttributeName", name).put("AttributeType", type.name()));
    r.set("KeySchema", TableDescriptions.keySchema(d.keySchema()));
    r.put("BillingMode", d.billingMode());
    boolean provisioned = TableDefinition.PROVISIONED.equals(d.billingMode());
    if (provisioned) {
      r.putObject("ProvisionedThroughput")
          .put("ReadCapacityUnits", d.throughput().readCapacityUnits())
          .put("WriteCapacityUnits", d.throughput().writeCapacityUnits());
    }
    if (!d.localIndexes().isEmpty()) {
      ArrayNode a = r.putArray("LocalSecondaryIndexes");
      d.localIndexes().forEach(i -> a.add(index(i, false)));
    }
    if (!d.globalIndexes().isEmpty()) {
      ArrayNode a = r.putArray("GlobalSecondaryIndexes");
      d.globalIndexes().forEach(i -> a.add(index(i, provisioned)));
    }
    r.putObject("StreamSpecification")
        .put("StreamEnabled", true)
        .put("StreamViewType", "NEW_AND_OLD_IMAGES");
    r.put("TableClass", d.tableClass());
    return r;
  }

  private static ObjectNode index(IndexDefinition i, boolean throughput) {
    ObjectNode o = JSON.createObjectNode();
    o.put("IndexName", i.name());
    o.set("KeySchema", TableDescriptions.keySchema(i.keySchema()));
    ObjectNode p = o.putObject("Projection").put("ProjectionType", i.projectionType());
    if (!i.nonKeyAttributes().isEmpty()) {
      ArrayNode nk = p.putArray("NonKeyAttributes");
      i.nonKeyAttributes().forEach(nk::add);
    }
    if (throughput) {
      o.putObject("ProvisionedThroughput")
          .put("ReadCapacityUnits", i.throughput().readCapacityUnits())
          .put("WriteCapacityUnits", i.throughput().writeCapacityUnits());
    }
    return o;
  }

  // ---- the fill of a new replica ----

  private void startFill(Table t, String target) {
    StorageSnapshot[] snapshot = new StorageSnapshot[1];
    // Any position at or past the cursor will do: shipping covers everything after the cursor.
    db.writePath().exclusive(() -> snapshot[0] = db.storage().snapshot());
    // As at creation and re-fill: nothing the snapshot holds may reach the replica before it is
    // durable here, or a power loss could leave the replica with a write this region lost.
    db.storage().sync();
    progress.put(progressKey(t, target), 0);
    fills.execute(() -> fill(t, target, snapshot[0]));
  }

  /**
   * Sends every item of the snapshot, with its stamp (an item written before the table joined a
   * group has none: it gets the lowest stamp of this region), and every tombstone, so that a delete
   * this region made before the snapshot cannot be undone by an older version another member ships.
   * Then the replica is ACTIVE everywhere.
   *
   * <p>One pass: a stamp's key is its item's key under another first byte, so the items and the
   * stamps are read side by side in the same order (no point read per item), and a stamp with no
   * item beside it is a tombstone. Up to {@link #FILL_IN_FLIGHT} batches are in flight at once.
   */
  private void fill(Table t, String target, StorageSnapshot snapshot) {
    PeerClient peer = peers.get(target);
    String key = progressKey(t, target);
    SendPipeline pipeline = new SendPipeline(fills, FILL_IN_FLIGHT);
    try (snapshot) {
      long total = Math.max(1, t.itemCount());
      if (!isRefill(t, target) && bulkFill(t, target, peer, snapshot, total)) {
        activate(t, target);
        bulkFills.incrementAndGet();
        log.info("Replica of {} in {} is ACTIVE (bulk-loaded)", t.name(), target);
        return;
      }
      long sent = 0;
      ItemStamp unstamped = new ItemStamp(0, 0, region);
      Batch batch = new Batch();
      try (Cursor items =
              snapshot.scan(t.id(), ItemKeys.itemsLower(), ItemKeys.itemsUpper(), false);
          Cursor stamps = snapshot.scan(t.id(), new byte[] {ItemStamp.STAMP_PREFIX}, null, false)) {
        boolean stamp = stamps.next();
        while (items.next()) {
          byte[] k = items.key();
          ItemStamp s = null;
          while (stamp) {
            byte[] sk = stamps.key();
            int order = Arrays.compareUnsigned(sk, 1, sk.length, k, 1, k.length);
            if (order > 0) {
              break;
            }
            if (order == 0) {
              s = ItemStamp.decode(stamps.value());
            } else {
              addTombstone(batch, sk, stamps.value());
            }
            stamp = stamps.next();
          }
          batch.add(k, items.value(), s == null ? unstamped : s, 0);
          sent++;
          if (batch.full()) {
            submitFill(pipeline, t, peer, batch);
            showProgress(t, target, (int) Math.min(99, sent * 100 / total));
          }
        }
        for (; stamp; stamp = stamps.next()) {
          addTombstone(batch, stamps.key(), stamps.value());
          if (batch.full()) {
            submitFill(pipeline, t, peer, batch);
          }
        }
      }
      submitFill(pipeline, t, peer, batch);
      pipeline.drain();
      activate(t, target);
      writePathFills.incrementAndGet();
      log.info("Replica of {} in {} is ACTIVE ({} items sent)", t.name(), target, sent);
    } catch (ClosedException e) {
      pipeline.cancel();
      log.info("Fill of {} in {} stops with the server; it resumes at start", t.name(), target);
    } catch (RuntimeException e) {
      pipeline.cancel();
      if (closed) {
        log.info("Fill of {} in {} stops with the server; it resumes at start", t.name(), target);
        return;
      }
      log.error("Fill of {} in {} failed", t.name(), target, e);
      if (isRefill(t, target)) {
        markRefill(t, target, "its re-fill failed (" + e.getMessage() + "); it is tried again");
      } else {
        setMemberStatus(t, target, "CREATION_FAILED");
      }
    } finally {
      progress.remove(key);
    }
  }

  /**
   * Fills a new replica by bulk load (BulkFillReceiver): the snapshot's items, then each index's
   * entries (under the replica's index numbers, in their order), then its stamp entries, as stored,
   * in key order, in numbered frames, ingested at the end. False when the replica does not take one
   * (its indexes differ from the snapshot's, or it already holds entries) or an index in the
   * snapshot is still being backfilled (its entries there are partial), so that the fill goes
   * through the replica's write path instead. A replica that restarted mid-fill lost its session:
   * the load starts over from the same snapshot, a few times.
   */
  private boolean bulkFill(
      Table t, String target, PeerClient peer, StorageSnapshot snapshot, long total) {
    TableDefinition def = TableCatalog.definitionIn(snapshot, t.name(), t.id()).orElse(null);
    if (def == null) {
      return false;
    }
    Map<String, IndexDefinition> indexes = new HashMap<>();
    ArrayNode shapes = JSON.createArrayNode();
    for (IndexDefinition i : def.allIndexes()) {
      if (!IndexDefinition.ACTIVE.equals(i.status()) || i.number() == 0) {
        return false;
      }
      indexes.put(i.name(), i);
      shapes.add(BulkFillReceiver.shape(i));
    }
    for (int attempt = 1; ; attempt++) {
      Replication r = t.replication();
      if (r == null) {
        throw new ClosedException();
      }
      String session = UUID.randomUUID().toString();
      ObjectNode open = tableMessage(t.name(), r.groupId()).put("session", session);
      open.set("indexes", shapes);
      JsonNode opened = callUntilDone(peer, "bulk-open", open);
      if (!opened.path("bulk").asBoolean(false)) {
        return false;
      }
      BulkFrames frames = new BulkFrames(t.name(), r.groupId(), session, peer);
      long items = 0;
      try (Cursor c = snapshot.scan(t.id(), ItemKeys.itemsLower(), ItemKeys.itemsUpper(), false)) {
        while (c.next() && !frames.lost) {
          frames.add(c.key(), c.value());
          if (++items % BATCH_RECORDS == 0) {
            showProgress(t, target, (int) Math.min(99, items * 100 / total));
          }
        }
      }
      // The replica's numbers may differ from ours (indexes added and dropped in another order):
      // each entry goes under the replica's number, and the indexes in the order of those.
      TreeMap<Integer, IndexDefinition> byReplicaNumber = new TreeMap<>();
      opened
          .path("indexes")
          .fields()
          .forEachRemaining(
              e -> byReplicaNumber.put(e.getValue().asInt(), indexes.get(e.getKey())));
      if (byReplicaNumber.size() != indexes.size() || byReplicaNumber.containsValue(null)) {
        throw new IllegalStateException(
            target + " answered other indexes than " + indexes.keySet() + ": " + opened);
      }
      for (Map.Entry<Integer, IndexDefinition> e : byReplicaNumber.entrySet()) {
        IndexDefinition i = e.getValue();
        try (Cursor c =
            snapshot.scan(t.id(), IndexEntries.lower(i), IndexEntries.upper(i), false)) {
          while (c.next() && !frames.lost) {
            byte[] k = c.key().clone();
            k[0] = (byte) e.getKey().intValue();
            frames.add(k, c.value());
          }
        }
      }
      try (Cursor c = snapshot.scan(t.id(), new byte[] {ItemStamp.STAMP_PREFIX}, null, false)) {
        while (c.next() && !frames.lost) {
          frames.add(c.key(), c.value());
        }
      }
      frames.flush();
      frames.drain();
      if (!frames.lost) {
        ObjectNode finish =
            tableMessage(t.name(), r.groupId())
                .put("session", session)
                .put("entries", frames.entriesSent);
        if (!callUntilDone(peer, "bulk-finish", finish).path("lost").asBoolean(false)) {
          return true;
        }
      }
      if (attempt >= 3) {
        throw new IllegalStateException(
            "the bulk fill of " + t.name() + " in " + target + " lost its session 3 times");
      }
      log.warn("Bulk fill of {} in {} lost its session there; starting over", t.name(), target);
    }
  }

  /** Frames of one bulk fill, sent one after the other as they fill up. */
  private final class BulkFrames {
    private final String table;
    private final String groupId;
    private final String session;
    private final PeerClient peer;
    private final Base64.Encoder b64 = Base64.getEncoder();
    private ArrayNode entries = JSON.createArrayNode();
    private int bytes;
    private long seq;
    long entriesSent;
    volatile boolean lost;

    /**
     * Two frames in flight: the next is encoded and sent while the replica writes the previous one;
     * the replica takes them in their order (BulkFillReceiver.put).
     */
    private final SendPipeline pipeline = new SendPipeline(fills, 2);

    BulkFrames(String table, String groupId, String session, PeerClient peer) {
      this.table = table;
      this.groupId = groupId;
      this.session = session;
      this.peer = peer;
    }

    /** Waits for every frame's answer (rethrows the first failure). */
    void drain() {
      try {
        pipeline.drain();
      } catch (RuntimeException e) {
        pipeline.cancel();
        throw e;
      }
    }

    void add(byte[] key, byte[] value) {
      entries.addArray().add(b64.encodeToString(key)).add(b64.encodeToString(value));
      bytes += key.length + value.length + 16;
      if (bytes >= BULK_FRAME_BYTES) {
        flush();
      }
    }

    void flush() {
      if (entries.isEmpty() || lost) {
        return;
      }
      ObjectNode body = tableMessage(table, groupId).put("session", session).put("seq", ++seq);
      body.set("entries", entries);
      try {
        pipeline.submit(
            () -> {
              if (callUntilDone(peer, "bulk-put", body).path("lost").asBoolean(false)) {
                lost = true;
              }
            });
      } catch (RuntimeException e) {
        pipeline.cancel();
        throw e;
      }
      entriesSent += entries.size();
      entries = JSON.createArrayNode();
      bytes = 0;
    }
  }

  /** A stamp entry with no item beside it: sent if it is a tombstone. */
  private static void addTombstone(Batch batch, byte[] stampKey, byte[] value) {
    if (ItemStamp.isTombstone(value)) {
      batch.add(ItemStamp.itemKey(stampKey, ItemKeys.ITEMS), null, ItemStamp.decode(value), 0);
    }
  }

  /** Hands the batch's records to the pipeline and starts a new batch. */
  private void submitFill(SendPipeline pipeline, Table t, PeerClient peer, Batch batch) {
    if (batch.isEmpty()) {
      return;
    }
    ApplyFrame.Writer records = batch.records;
    batch.clear();
    pipeline.submit(() -> sendRecords(t, peer, records, true));
  }

  /** ReplicaStatusPercentProgress while filling: in memory only, a restart starts it over. */
  private void showProgress(Table t, String target, int percent) {
    progress.put(progressKey(t, target), percent);
    synchronized (groups) {
      Replication r = t.replication();
      if (r == null) {
        return;
      }
      for (Replication.Replica m : r.replicas()) {
        if (m.region().equals(target)
            && ("CREATING".equals(m.status()) || "UPDATING".equals(m.status()))) {
          t.replication(r.withReplica(target, m.status(), percent, m.statusDescription()));
        }
      }
    }
  }

  private void activate(Table t, String target) {
    Replication r = t.replication();
    if (r == null) {
      return;
    }
    callUntilDone(peers.get(target), "activate", tableMessage(t.name(), r.groupId()));
    setMemberStatus(t, target, "ACTIVE");
    for (Replication.Replica m : r.replicas()) {
      if (!m.region().equals(target)) {
        ObjectNode status =
            tableMessage(t.name(), r.groupId()).put("region", target).put("status", "ACTIVE");
        callQuietly(peers.get(m.region()), "member-status", status);
      }
    }
  }

  private void setMemberStatus(Table t, String target, String status) {
    synchronized (groups) {
      Replication r = t.replication();
      if (r == null) {
        return;
      }
      t.replication(r.withReplica(target, status, null));
      GroupState g = readGroup(t.id());
      List<String> filling = new ArrayList<>(g == null ? List.of() : g.filling());
      if (!"CREATING".equals(status)) {
        filling.remove(target);
      }
      WriteSet w = new WriteSet();
      writeGroup(w, t.id(), stateOf(t, g == null ? "ACTIVE" : g.localStatus(), filling));
      db.storage().apply(w);
    }
  }

  private JsonNode callUntilDone(PeerClient peer, String op, JsonNode body) {
    return callUntilDone(peer, () -> peer.call(op, body, APPLY_TIMEOUT));
  }

  private JsonNode callUntilDone(PeerClient peer, java.util.function.Supplier<JsonNode> call) {
    long backoff = 200;
    while (true) {
      if (closed) {
        throw new ClosedException();
      }
      if (drills.paused(peer.region)) {
        sleep(200);
        continue;
      }
      try {
        JsonNode answer = call.get();
        reachable(peer.region);
        return answer;
      } catch (PeerClient.Unavailable e) {
        unreachable(peer.region, e.getMessage());
        sleep(backoff);
        backoff = Math.min(5_000, backoff * 2);
      }
    }
  }

  private void sendRecords(Table t, PeerClient peer, ApplyFrame.Writer records, boolean fill) {
    Replication r = t.replication();
    if (r == null) {
      throw new ClosedException();
    }
    byte[] frame = records.frame(t.name(), r.groupId(), fill, null);
    callUntilDone(peer, () -> peer.call(ApplyFrame.OP, frame, APPLY_TIMEOUT));
  }

  /** Records on their way to a peer: storage key, image (absent for a delete), stamp, time. */
  private static final class Batch {
    ApplyFrame.Writer records = new ApplyFrame.Writer();

    void add(byte[] storageKey, byte[] image, ItemStamp stamp, long commitTime) {
      records.add(storageKey, image, stamp.encode(false), commitTime);
    }

    boolean full() {
      return records.count() >= BATCH_RECORDS || records.bytes() >= BATCH_BYTES;
    }

    boolean isEmpty() {
      return records.count() == 0;
    }

    void clear() {
      records = new ApplyFrame.Writer();
    }
  }

  // ---- shipping: one thread per peer ----

  private void shipLoop(PeerClient peer) {
    long backoff = 0;
    long lastRound = System.nanoTime() - SHIP_LINGER_NANOS;
    boolean behind = false;
    while (!closed) {
      if (!behind) {
        long linger = lastRound + SHIP_LINGER_NANOS - System.nanoTime();
        if (linger > 0) {
          LockSupport.parkNanos(this, linger);
        }
      }
      lastRound = System.nanoTime();
      boolean busy = false;
      // Read before shipping: a commit after this point wakes the idle wait below at once.
      long seen = db.writePath().appliedSeq();
      try {
        if (drills.paused(peer.region)) {
          sleep(200);
          continue;
        }
        for (String name : db.catalog().names()) {
          Optional<Table> t = db.catalog().find(name);
          if (t.isPresent() && memberOf(t.get(), peer.region)) {
            busy |= shipOnce(t.get(), peer);
          }
        }
        backoff = 0;
        reachable(peer.region);
      } catch (PeerClient.Unavailable | PeerClient.Refused e) {
        unreachable(peer.region, e.getMessage());
        backoff = Math.min(5_000, Math.max(200, backoff * 2));
      } catch (ClosedException e) {
        return;
      } catch (RuntimeException e) {
        log.error("Shipping to {} failed", peer.region, e);
        backoff = Math.min(5_000, Math.max(200, backoff * 2));
      }
      if (backoff > 0) {
        try {
          sleep(backoff);
        } catch (ClosedException e) {
          return;
        }
      } else if (!busy) {
        awaitCommit(seen);
      }
      behind = busy;
    }
  }

  /** Shippers idle in {@link #awaitCommit}; the write path's after-commit hook unparks them. */
  private final Set<Thread> idleShippers = ConcurrentHashMap.newKeySet();

  /** The write path's after-commit hook: a commit ends every idle shipper's wait. */
  private void wakeShippers() {
    if (!idleShippers.isEmpty()) {
      for (Thread t : idleShippers) {
        LockSupport.unpark(t);
      }
    }
  }

  /**
   * Waits until something past {@code seen} is committed, or {@link #IDLE_WAIT_NANOS} passes (for
   * heartbeats, drills and group changes). Shipping starts as soon as a write commits instead of at
   * the next poll; while a request is out, later commits gather for the next one.
   */
  private void awaitCommit(long seen) {
    Thread me = Thread.currentThread();
    idleShippers.add(me);
    try {
      // Checked after joining the set: a commit that slipped in between is seen here, and one
      // after it unparks.
      if (db.writePath().appliedSeq() == seen && !closed) {
        LockSupport.parkNanos(this, IDLE_WAIT_NANOS);
      }
    } finally {
      idleShippers.remove(me);
    }
  }

  private static boolean memberOf(Table t, String peer) {
    Replication r = t.replication();
    if (r == null) {
      return false;
    }
    for (Replication.Replica m : r.replicas()) {
      if (m.region().equals(peer) && !"CREATION_FAILED".equals(m.status())) {
        return true;
      }
    }
    return false;
  }

  /** Ships one batch of this region's own writes; true if there may be more right away. */
  private boolean shipOnce(Table t, PeerClient peer) {
    if (cap.mark(t.id(), peer.region) != null) {
      startRefill(t, peer);
      return false;
    }
    long cursor = cursor(t.id(), peer.region);
    long applied = db.writePath().appliedSeq();
    String link = cursorName(t.id(), peer.region);
    Long held = heldUntil.get(link);
    if (held != null) {
      if (clock.getAsLong() < held) {
        return false;
      }
      heldUntil.remove(link);
    }
    boolean heartbeat = clock.getAsLong() - lastSent.getOrDefault(link, 0L) >= HEARTBEAT_MILLIS;
    if (cursor >= applied && !heartbeat) {
      return false;
    }
    if (cursor < applied && db.changeLog().trimmedBefore(t.id()) > cursor + 1) {
      // Retention holds the log back up to the cap (keepFrom), so this is a replica created
      // before this server knew it, or a cap passed while nobody looked: never a silent gap.
      markRefill(t, peer.region, cap.overCap(t.id(), cursor, applied));
      return false;
    }
    // While this region fills the peer, what it delivers is not yet all it wrote.
    boolean claim = !progress.containsKey(progressKey(t, peer.region));
    Replication g = t.replication();
    if (g == null) {
      return false;
    }
    Built built;
    // Shippers woken by the same commit, or lingering in step, would otherwise read at once and
    // share nothing: the second waits for the first's frame instead.
    synchronized (frameLocks[(int) (t.id() & (frameLocks.length - 1))]) {
      built = sharedFrame(t, g, cursor, claim);
      if (built == null) {
        built = build(t, g, cursor, claim);
      } else {
        framesReused.increment();
      }
    }
    if (built.frame() != null || heartbeat) {
      byte[] frame =
          built.frame() != null
              ? built.frame()
              : new ApplyFrame.Writer(0)
                  .frame(t.name(), g.groupId(), false, claim ? built.through() : null);
      JsonNode answer = peer.call(ApplyFrame.OP, frame, APPLY_TIMEOUT);
      lastSent.put(link, clock.getAsLong());
      if (answer.path("held").asBoolean(false)) {
        heldUntil.put(link, clock.getAsLong() + HELD_RETRY_MILLIS);
        return false;
      }
      if (claim) {
        tombstones.acknowledged(t.id(), peer.region, built.through());
      }
    }
    if (built.readNothing()) {
      // Nothing of this table up to `applied`: move on without a write.
      cursors.put(cursorName(t.id(), peer.region), built.next());
    } else {
      WriteSet w = new WriteSet();
      putCursor(w, t.id(), peer.region, built.next());
      db.storage().apply(w);
    }
    return built.more();
  }

  /**
   * One read of a table's log after {@code from}, framed for any peer whose cursor stands there.
   *
   * @param next the cursor once the frame is delivered (the last record read, or the durable seq)
   * @param more whether the read stopped at {@link #BATCH_RECORDS}, so there may be more at once
   * @param frame the request body; null when no record read is this region's own write
   * @param through the watermark: this region's writes up to this time are in or before the frame
   * @param claim whether the frame carries {@code through} (not while the peer is being filled)
   * @param readNothing whether the log held no record at all in the range
   */
  private record Built(
      String groupId,
      long from,
      long next,
      boolean more,
      byte[] frame,
      long through,
      boolean claim,
      boolean readNothing,
      long builtNanos) {}

  /**
   * The last frame with records built for each table. Every peer's shipper ships the same records
   * (this region's own writes, in log order), so a shipper whose cursor stands where such a frame
   * starts sends it as is instead of reading, decoding and framing the log again, and the signer
   * hashes it once ({@link PeerAuth}). With two peers that halves the shipping work per write on
   * the writing region. The shippers then fall into step: one reads, the others follow up to a
   * linger later, which adds at most that much lag to them.
   */
  private final Map<Long, Built> lastFrames = new ConcurrentHashMap<>();

  /** Building a table's frame is under one of these (by table id). */
  private final Object[] frameLocks = newLocks(16);

  private static Object[] newLocks(int n) {
    Object[] locks = new Object[n];
    for (int i = 0; i < n; i++) {
      locks[i] = new Object();
    }
    return locks;
  }

  private final java.util.concurrent.atomic.LongAdder framesReused =
      new java.util.concurrent.atomic.LongAdder();

  /** Frames a shipper sent as another peer's shipper had built them (for tests). */
  long framesReused() {
    return framesReused.sum();
  }

  /** A frame older than this is not reused: it is read again, with a fresher watermark. */
  private static final long SHARE_NANOS = 4 * SHIP_LINGER_NANOS;

  private Built sharedFrame(Table t, Replication g, long cursor, boolean claim) {
    Built b = lastFrames.get(t.id());
    if (b == null
        || b.from() != cursor
        || b.claim() != claim
        || !b.groupId().equals(g.groupId())
        || System.nanoTime() - b.builtNanos() > SHARE_NANOS) {
      return null;
    }
    return b;
  }

  private Built build(Table t, Replication g, long cursor, boolean claim) {
    // A position, not just the applied seq: later commits get a time of at least its floor, which
    // makes the watermark sent below true (Tombstones). Durable first (in sync mode): a record
    // shipped before its fsync could survive in a peer after a power loss here took it back.
    WritePath.Position position = db.writePath().durablePosition();
    long applied = Math.max(cursor, position.seq());
    // Raw records: the image and stamp go out as the log stores them, decoded by the receiver only.
    List<ChangeLog.Raw> records =
        db.changeLog().readRaw(t.id(), cursor + 1, applied + 1, BATCH_RECORDS);
    List<byte[]> keys = new ArrayList<>(records.size());
    List<ChangeRecordCodec.Shippable> own = new ArrayList<>(records.size());
    int bytes = 0;
    for (ChangeLog.Raw raw : records) {
      ChangeRecordCodec.Shippable r = ChangeRecordCodec.shippable(raw.value());
      if (r.origin() != ChangeRecord.Origin.REPLICATION && r.stamp() != null) {
        byte[] key = ItemKeys.storageKey(t.keySchema(), ItemCodec.decode(r.key()));
        keys.add(key);
        own.add(r);
        bytes += ApplyFrame.Writer.recordBytes(key, r.newImage(), r.stamp());
      }
    }
    // Sized once: growing a buffer of a few hundred kilobytes by doubling was most of the
    // shipper's copying.
    ApplyFrame.Writer writer = new ApplyFrame.Writer(bytes);
    for (int i = 0; i < own.size(); i++) {
      ChangeRecordCodec.Shippable r = own.get(i);
      writer.add(keys.get(i), r.newImage(), r.stamp(), r.commitTimeMillis());
    }
    boolean more = records.size() >= BATCH_RECORDS;
    long through = more ? records.get(records.size() - 1).commitTimeMillis() : position.timeFloor();
    long next = more ? records.get(records.size() - 1).seq() : applied;
    byte[] frame =
        own.isEmpty() ? null : writer.frame(t.name(), g.groupId(), false, claim ? through : null);
    Built built =
        new Built(
            g.groupId(),
            cursor,
            next,
            more,
            frame,
            through,
            claim,
            records.isEmpty(),
            System.nanoTime());
    if (frame != null) {
      lastFrames.put(t.id(), built);
    }
    return built;
  }

  // ---- the receiving side ----

  /** Serves one authenticated peer request. Refusals are DynamoExceptions with AWS's messages. */
  JsonNode serve(String op, String from, JsonNode body) {
    return switch (op) {
      case "apply" -> apply(from, body);
      case "bulk-open" ->
          // A source from before index entries were loaded sends none and fills only tables
          // without indexes.
          bulk.open(
              groupTable(body),
              body.path("session").asText(),
              body.has("indexes") ? body.get("indexes") : JSON.createArrayNode());
      case "bulk-put" -> bulk.put(groupTable(body), body);
      case "bulk-finish" -> bulk.finish(groupTable(body), body);
      case "create-table" -> createTable(from, body);
      case "member-added" -> memberAdded(body);
      case "member-status" -> memberStatus(body);
      case "member-removed" -> memberRemoved(body);
      case "activate" -> activated(body);
      case "delete-replica" -> deleteLocalReplica(body);
      case "pause" -> drill(body, true);
      case "resume" -> drill(body, false);
      default -> {
        PeerOperations more = strongOperations;
        if (more == null || !op.startsWith(STRONG_PREFIX)) {
          throw new DynamoException(
              WireError.UNKNOWN_OPERATION, "Unknown replication operation: " + op);
        }
        yield more.serve(op, from, body);
      }
    };
  }

  /** Peer operations served for another package, behind the same signature check. */
  public interface PeerOperations {
    JsonNode serve(String op, String fromRegion, JsonNode body);
  }

  /** Operations named {@code strong-*}: multi-Region strong consistency's control messages. */
  public static final String STRONG_PREFIX = "strong-";

  private volatile PeerOperations strongOperations;

  /** Serves the {@code strong-*} peer operations with {@code ops}. Set once at assembly. */
  public void serveStrong(PeerOperations ops) {
    this.strongOperations = ops;
  }

  /** Calls {@code op} on {@code peerRegion} for a client's request (its refusal is the answer). */
  public JsonNode callPeer(String peerRegion, String op, JsonNode body) {
    return callForUser(peers.get(peerRegion), op, body);
  }

  /** {@code tidemark replicas pause|resume}: the drill (Drills), for a peer of this region. */
  private JsonNode drill(JsonNode body, boolean pause) {
    String target = body.path("region").asText();
    if (!peers.containsKey(target)) {
      throw DynamoException.validation(
          "Region "
              + target
              + " is not a peer of region "
              + region
              + " (its peers: "
              + peers.keySet()
              + ")");
    }
    java.util.Set<String> paused = drills.set(target, pause);
    if (pause) {
      log.warn(
          "Replication to {} is PAUSED (drill): writes for it wait in the change log until"
              + " `tidemark replicas resume --region {}`",
          target,
          target);
    } else {
      log.info("Replication to {} is resumed", target);
    }
    ObjectNode answer = JSON.createObjectNode().put("region", region);
    paused.forEach(answer.putArray("paused")::add);
    return answer;
  }

  private Table groupTable(JsonNode body) {
    return GroupTables.require(db, body);
  }

  /**
   * {@code apply} as JSON with base64 fields: what a peer of the previous version sends (this one
   * sends {@link ApplyFrame}s), so that regions can be upgraded one at a time.
   */
  private JsonNode apply(String from, JsonNode body) {
    Base64.Decoder b64 = Base64.getDecoder();
    List<ApplyFrame.Shipped> records = new ArrayList<>();
    for (JsonNode rec : body.path("records")) {
      records.add(
          new ApplyFrame.Shipped(
              b64.decode(rec.path("k").asText()),
              rec.hasNonNull("n") ? b64.decode(rec.path("n").asText()) : null,
              b64.decode(rec.path("s").asText()),
              rec.path("t").asLong()));
    }
    return apply(
        from,
        new ApplyFrame.Decoded(
            body.path("table").asText(),
            body.path("groupId").asText(),
            body.path("fill").asBoolean(false),
            body.has("through") ? body.path("through").asLong() : null,
            records));
  }

  /** Serves an {@link ApplyFrame}: the replicated writes of one batch from region {@code from}. */
  JsonNode applyFrame(String from, byte[] frame) {
    return apply(from, ApplyFrame.decode(frame));
  }

  private JsonNode apply(String from, ApplyFrame.Decoded body) {
    Table t = GroupTables.require(db, body.table(), body.groupId());
    boolean fill = body.fill();
    if (!fill && "CREATING".equals(t.status())) {
      // Held until this replica's fill is done (BulkFillReceiver: an ingested file would override
      // a version applied before it); the sender keeps its cursor and offers them again.
      return JSON.createObjectNode().put("held", true);
    }
    KeySchema ks = t.keySchema();
    LagStats stats = lag.computeIfAbsent(from, r -> new LagStats(clock));
    List<WritePath.ItemWrite> group = new ArrayList<>();
    Set<ByteBuffer> keys = new HashSet<>();
    List<Long> times = new ArrayList<>();
    int[] counts = new int[2];
    db.writePath().deferDurability();
    long need;
    try {
      for (ApplyFrame.Shipped rec : body.records()) {
        byte[] storageKey = rec.storageKey();
        Map<String, AttributeValue> image =
            rec.image() != null ? ItemCodec.decode(rec.image()) : null;
        ItemStamp stamp = ItemStamp.decode(rec.stamp());
        long horizon = tombstones.horizon(t.id());
        if (stamp.timeMillis() < horizon) {
          // Already applied here or superseded (Tombstones): a late delivery, never a new write.
          tombstones.droppedLate();
          counts[1]++;
          continue;
        }
        if (!keys.add(ByteBuffer.wrap(storageKey)) || group.size() >= 100) {
          commitApplied(group, times, stats, fill, counts);
          keys.clear();
          keys.add(ByteBuffer.wrap(storageKey));
        }
        group.add(
            new WritePath.ItemWrite(
                t,
                storageKey,
                keyOf(ks, storageKey),
                new Arrived(image, rec.image(), stamp, t.id()),
                stamp));
        times.add(rec.commitTime());
      }
      commitApplied(group, times, stats, fill, counts);
    } finally {
      need = db.writePath().endDeferral();
    }
    if (need > 0) {
      db.writePath().awaitDurableThrough(need);
    }
    if (!fill && body.through() != null) {
      tombstones.received(t.id(), from, body.through());
    }
    return JSON.createObjectNode().put("applied", counts[0]).put("superseded", counts[1]);
  }

  /**
   * A replicated version as it arrived: the image (null for a delete) and the origin's encoding of
   * it, which the write path stores and logs as is.
   */
  private final class Arrived implements WritePath.PreEncoded {
    private final Map<String, AttributeValue> image;
    private final byte[] encoded;
    private final ItemStamp stamp;
    private final long tableId;

    Arrived(Map<String, AttributeValue> image, byte[] encoded, ItemStamp stamp, long tableId) {
      this.image = image;
      this.encoded = encoded;
      this.stamp = stamp;
      this.tableId = tableId;
    }

    @Override
    public Map<String, AttributeValue> apply(Map<String, AttributeValue> current) {
      // Checked again under the write lock: a tombstone collected since apply() looked is gone,
      // and its item must not come back.
      return current == null && stamp.timeMillis() < tombstones.horizon(tableId) ? null : image;
    }

    @Override
    public Map<String, AttributeValue> item() {
      return image;
    }

    @Override
    public byte[] encoded() {
      return encoded;
    }
  }

  private void commitApplied(
      List<WritePath.ItemWrite> group,
      List<Long> times,
      LagStats stats,
      boolean fill,
      int[] counts) {
    if (group.isEmpty()) {
      return;
    }
    List<WritePath.Outcome> outcomes =
        db.writePath().commit(group, ChangeRecord.Origin.REPLICATION);
    long now = clock.getAsLong();
    for (int i = 0; i < outcomes.size(); i++) {
      boolean changed = outcomes.get(i).changed();
      counts[changed ? 0 : 1]++;
      if (!fill) {
        stats.record(now - times.get(i), changed);
      }
    }
    group.clear();
    times.clear();
  }

  private static Map<String, AttributeValue> keyOf(KeySchema ks, byte[] storageKey) {
    AttributeValue[] parts =
        KeyEncoding.decodeItemKey(
            storageKey, 1, ks.hashType(), ks.hasRange() ? ks.rangeType() : null);
    Map<String, AttributeValue> key = new LinkedHashMap<>();
    key.put(ks.hashName(), parts[0]);
    if (ks.hasRange()) {
      key.put(ks.rangeName(), parts[1]);
    }
    return key;
  }

  private JsonNode createTable(String from, JsonNode body) {
    JsonNode request = body.path("createTable");
    String name = request.path("TableName").asText();
    Operations ops = operations;
    synchronized (db.catalog()) {
      if (db.catalog().find(name).isPresent()) {
        throw DynamoException.validation(
            "Failed to create a the new replica of table with name: \u2018"
                + name
                + "\u2019 because one or more replicas already existed as tables.");
      }
      ops.find("CreateTable").orElseThrow().execute(internalContext(), request);
      Table t = db.catalog().find(name).orElseThrow();
      List<Replication.Replica> replicas = new ArrayList<>();
      for (JsonNode m : body.path("replicas")) {
        replicas.add(new Replication.Replica(m.path("region").asText(), "ACTIVE", null));
      }
      synchronized (groups) {
        t.replication(new Replication(region, body.path("groupId").asText(), replicas));
        t.markStatus("CREATING");
        WriteSet w = new WriteSet();
        long position = db.writePath().appliedSeq();
        for (Replication.Replica m : replicas) {
          putCursor(w, t.id(), m.region(), position);
        }
        writeGroup(w, t.id(), stateOf(t, "CREATING", List.of()));
        db.storage().apply(w);
        db.storage().sync();
      }
      log.info("Replica of {} created here for {}; it is filled from there", name, from);
    }
    return JSON.createObjectNode();
  }

  private JsonNode memberAdded(JsonNode body) {
    Table t = groupTable(body);
    String added = body.path("region").asText();
    synchronized (groups) {
      Replication r = t.replication();
      List<Replication.Replica> replicas = new ArrayList<>(r.replicas());
      replicas.removeIf(m -> m.region().equals(added));
      replicas.add(new Replication.Replica(added, "CREATING", null));
      WriteSet w = new WriteSet();
      putCursor(w, t.id(), added, cursor(t.id(), body.path("copyCursorFrom").asText()));
      t.replication(new Replication(region, r.groupId(), replicas));
      writeGroup(w, t.id(), stateOf(t, currentLocalStatus(t), List.of()));
      db.storage().apply(w);
      db.storage().sync();
    }
    return JSON.createObjectNode();
  }

  private JsonNode memberStatus(JsonNode body) {
    Table t = groupTable(body);
    setMemberStatus(t, body.path("region").asText(), body.path("status").asText());
    return JSON.createObjectNode();
  }

  private JsonNode memberRemoved(JsonNode body) {
    Table t = groupTable(body);
    removeMember(t, body.path("region").asText());
    return JSON.createObjectNode();
  }

  private void removeMember(Table t, String removed) {
    synchronized (groups) {
      Replication r = t.replication();
      if (r == null) {
        return;
      }
      List<Replication.Replica> replicas = new ArrayList<>(r.replicas());
      replicas.removeIf(m -> m.region().equals(removed));
      db.replicatedSettings().replicaLeft(t, removed);
      WriteSet w = new WriteSet().deleteMeta(cursorKey(t.id(), removed));
      cursors.remove(cursorName(t.id(), removed));
      cap.clear(w, t.id(), removed);
      if (replicas.isEmpty()) {
        // The last other region left: a regional table again. Its stream stays on, as on AWS.
        t.replication(null);
        w.deleteMeta(groupKey(t.id()));
      } else {
        t.replication(new Replication(region, r.groupId(), replicas));
        writeGroup(w, t.id(), stateOf(t, currentLocalStatus(t), List.of()));
      }
      db.storage().apply(w);
      db.storage().sync();
    }
  }

  private JsonNode activated(JsonNode body) {
    Table t = groupTable(body);
    synchronized (groups) {
      t.markStatus("ACTIVE");
      WriteSet w = new WriteSet();
      writeGroup(w, t.id(), stateOf(t, "ACTIVE", List.of()));
      db.storage().apply(w);
      db.storage().sync();
    }
    return JSON.createObjectNode();
  }

  private JsonNode deleteLocalReplica(JsonNode body) {
    Table t = groupTable(body);
    if (t.definition().deletionProtection()) {
      throw DynamoException.validation(
          "Cannot delete table "
              + t.name()
              + " in region "
              + region
              + " because it has deletion protection enabled. Disable deletion protection first.");
    }
    deletingForPeer.add(t.id());
    t.markStatus("ACTIVE");
    try {
      operations
          .find("DeleteTable")
          .orElseThrow()
          .execute(internalContext(), JSON.createObjectNode().put("TableName", t.name()));
    } catch (RuntimeException e) {
      deletingForPeer.remove(t.id());
      throw e;
    }
    t.replication(null);
    WriteSet w = new WriteSet().deleteMeta(groupKey(t.id()));
    db.storage().apply(w);
    return JSON.createObjectNode();
  }

  private RequestContext internalContext() {
    return new RequestContext(
        "replication-" + UUID.randomUUID(), CallerIdentity.anonymous(region), clock.getAsLong());
  }

  // ---- state in the meta space ----

  private String currentLocalStatus(Table t) {
    return "CREATING".equals(t.status()) ? "CREATING" : "ACTIVE";
  }

  private GroupState stateOf(Table t, String localStatus, List<String> filling) {
    Replication r = t.replication();
    List<Replication.Replica> replicas = new ArrayList<>();
    for (Replication.Replica m : r.replicas()) {
      replicas.add(new Replication.Replica(m.region(), m.status(), null, m.statusDescription()));
    }
    return new GroupState(r.groupId(), localStatus, replicas, filling);
  }

  private List<String> withFilling(Table t, String target, boolean add) {
    GroupState g = readGroup(t.id());
    List<String> filling = new ArrayList<>(g == null ? List.of() : g.filling());
    filling.remove(target);
    if (add) {
      filling.add(target);
    }
    return filling;
  }

  private GroupState readGroup(long tableId) {
    byte[] raw = db.storage().getMeta(groupKey(tableId));
    if (raw == null) {
      return null;
    }
    try {
      return JSON.readValue(raw, GroupState.class);
    } catch (IOException e) {
      throw new IllegalStateException("replica group of table id " + tableId + " is unreadable", e);
    }
  }

  private static void writeGroup(WriteSet w, long tableId, GroupState g) {
    try {
      w.putMeta(groupKey(tableId), JSON.writeValueAsBytes(g));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] groupKey(long tableId) {
    return ByteBuffer.allocate(GROUP_PREFIX.length + 8).put(GROUP_PREFIX).putLong(tableId).array();
  }

  private static byte[] cursorKey(long tableId, String peer) {
    return LogCap.key(CURSOR_PREFIX, tableId, peer);
  }

  private static String cursorName(long tableId, String peer) {
    return tableId + "/" + peer;
  }

  private void putCursor(WriteSet w, long tableId, String peer, long seq) {
    w.putMeta(cursorKey(tableId, peer), ByteBuffer.allocate(8).putLong(seq).array());
    cursors.put(cursorName(tableId, peer), seq);
  }

  /** The last sequence number shipped to {@code peer} (0 when none is recorded). */
  private long cursor(long tableId, String peer) {
    return cursors.computeIfAbsent(
        cursorName(tableId, peer),
        n -> {
          byte[] raw = db.storage().getMeta(cursorKey(tableId, peer));
          return raw == null ? 0L : ByteBuffer.wrap(raw).getLong();
        });
  }

  /**
   * Retention keeps every record some member has not received yet, up to the cap: a member past it
   * is marked for a re-fill here, before anything it needed can be trimmed, and holds nothing.
   */
  @Override
  public long keepFrom(long tableId) {
    long keep = RetentionFloor.NONE;
    for (String name : db.catalog().names()) {
      Optional<Table> t = db.catalog().find(name);
      if (t.isPresent() && t.get().id() == tableId && t.get().replication() != null) {
        for (Replication.Replica m : t.get().replication().replicas()) {
          long cursor = cursor(tableId, m.region());
          if (cap.mark(tableId, m.region()) != null) {
            continue;
          }
          String over = cap.overCap(tableId, cursor, db.writePath().appliedSeq());
          if (over != null) {
            markRefill(t.get(), m.region(), over);
            continue;
          }
          keep = Math.min(keep, cursor + 1);
        }
      }
    }
    return keep;
  }

  // ---- the log cap: a member past it is re-filled from a snapshot ----

  /**
   * Marks {@code target}'s replica for a re-fill (durably, before retention may trim what it
   * needed), shows it UPDATING with the reason, and says so in the log.
   */
  private void markRefill(Table t, String target, String reason) {
    synchronized (groups) {
      Replication r = t.replication();
      if (r == null || cap.mark(t.id(), target) != null) {
        return;
      }
      WriteSet w = new WriteSet();
      cap.mark(w, t.id(), target, reason);
      t.replication(
          r.withReplica(
              target,
              "UPDATING",
              null,
              "Waiting for a re-fill from a snapshot in " + region + ": " + reason));
      writeGroup(w, t.id(), stateOf(t, currentLocalStatus(t), withFilling(t, target, false)));
      db.storage().apply(w);
      db.storage().sync();
    }
    log.warn(
        "Replica of {} in {} is past the replication log cap: {}. The change log is no longer held"
            + " for it; it is re-filled from a snapshot once it answers",
        t.name(),
        target,
        reason);
  }

  /**
   * Starts the re-fill of a marked replica once the peer answers (a snapshot held open through an
   * outage would pin the engine's old versions): its cursor moves to now, the fill sends the
   * snapshot, and shipping goes on from the new cursor meanwhile, as for a new replica.
   */
  private void startRefill(Table t, PeerClient peer) {
    String target = peer.region;
    if (progress.containsKey(progressKey(t, target)) || t.replication() == null) {
      return;
    }
    peer.call(
        ApplyFrame.OP,
        new ApplyFrame.Writer(0).frame(t.name(), t.replication().groupId(), false, null),
        APPLY_TIMEOUT);
    StorageSnapshot[] snapshot = new StorageSnapshot[1];
    String reason;
    synchronized (groups) {
      reason = cap.mark(t.id(), target);
      Replication r = t.replication();
      if (reason == null || r == null) {
        return;
      }
      db.writePath()
          .exclusive(
              () -> {
                WriteSet w = new WriteSet();
                putCursor(w, t.id(), target, db.writePath().appliedSeq());
                cap.clear(w, t.id(), target);
                t.replication(
                    r.withReplica(
                        target,
                        "UPDATING",
                        0,
                        "Re-filling from a snapshot in " + region + ": " + reason));
                writeGroup(
                    w, t.id(), stateOf(t, currentLocalStatus(t), withFilling(t, target, true)));
                db.storage().apply(w);
                snapshot[0] = db.storage().snapshot();
              });
      db.storage().sync();
    }
    refills.incrementAndGet();
    log.warn("Re-filling the replica of {} in {} from a snapshot: {}", t.name(), target, reason);
    progress.put(progressKey(t, target), 0);
    fills.execute(() -> fill(t, target, snapshot[0]));
  }

  private static boolean isRefill(Table t, String target) {
    Replication r = t.replication();
    return r != null
        && r.replicas().stream()
            .anyMatch(m -> m.region().equals(target) && "UPDATING".equals(m.status()));
  }

  private static ObjectNode tableMessage(String table, String groupId) {
    return JSON.createObjectNode().put("table", table).put("groupId", groupId);
  }

  private static String progressKey(Table t, String target) {
    return t.id() + "/" + target;
  }

  /** While a replica is filled from here: the share of items sent, else null. */
  public Integer percentProgress(Table t, String target) {
    return progress.get(progressKey(t, target));
  }

  private void reachable(String peer) {
    PeerHealth h = health.get(peer);
    if (h != null) {
      if (!h.reachable) {
        log.info("Region {} is reachable again", peer);
      }
      h.reachable = true;
      h.lastContactMillis = clock.getAsLong();
    }
  }

  private void unreachable(String peer, String why) {
    PeerHealth h = health.get(peer);
    if (h != null) {
      if (h.reachable) {
        log.warn("Region {} is unreachable; its changes wait in the change log: {}", peer, why);
      }
      h.reachable = false;
      h.lastError = why;
    }
  }

  // ---- status ----

  /** Peers, groups, cursors and lag, for {@code tidemark replicas status} and operators. */
  @Override
  public ObjectNode status() {
    if (peers.isEmpty()) {
      return null;
    }
    ObjectNode o = JSON.createObjectNode();
    o.put("region", region);
    ArrayNode ps = o.putArray("peers");
    for (PeerClient p : peers.values()) {
      PeerHealth h = health.get(p.region);
      ObjectNode po = ps.addObject().put("region", p.region).put("reachable", h.reachable);
      if (h.lastError != null && !h.reachable) {
        po.put("lastError", h.lastError);
      }
      if (h.lastContactMillis > 0) {
        po.put("lastContactMillis", h.lastContactMillis);
      }
      po.put("paused", drills.paused(p.region));
      ClockSkew.Estimate skew = p.skew.estimate();
      if (skew != null) {
        po.put("clockSkewMillis", skew.offsetMillis())
            .put("clockSkewUncertaintyMillis", skew.uncertaintyMillis())
            .put("clockSkewSamples", skew.samples());
      }
    }
    o.put("maxLag", LogCap.human(cap.maxLag())).put("refillsStarted", refills.get());
    o.put("fillsBulkLoaded", bulkFills.get()).put("fillsThroughWritePath", writePathFills.get());
    o.put("tombstonesCollected", tombstones.collected());
    o.put("lateRecordsDropped", tombstones.lateDropped());
    ArrayNode ts = o.putArray("tables");
    long applied = db.writePath().appliedSeq();
    for (String name : db.catalog().names()) {
      Optional<Table> t = db.catalog().find(name);
      Replication r = t.map(Table::replication).orElse(null);
      if (r == null) {
        continue;
      }
      ObjectNode to = ts.addObject().put("table", name).put("status", t.get().status());
      to.put("tombstoneHorizonMillis", tombstones.horizon(t.get().id()));
      ArrayNode rs = to.putArray("replicas");
      for (Replication.Replica m : r.replicas()) {
        long cursor = cursor(t.get().id(), m.region());
        ObjectNode mo = rs.addObject().put("region", m.region()).put("status", m.status());
        mo.put("shippedThroughSeq", cursor).put("pendingSeqs", Math.max(0, applied - cursor));
        Integer pct = percentProgress(t.get(), m.region());
        if (pct != null) {
          mo.put("fillPercent", pct);
        }
        String refill = cap.mark(t.get().id(), m.region());
        if (refill != null) {
          mo.put("refillNeeded", refill);
        } else if (m.statusDescription() != null) {
          mo.put("statusDescription", m.statusDescription());
        }
      }
    }
    ArrayNode ls = o.putArray("lag");
    lag.forEach(
        (from, stats) -> {
          LagStats.Summary s = stats.summary();
          ObjectNode l =
              ls.addObject()
                  .put("from", from)
                  .put("to", region)
                  .put("p50Millis", s.p50())
                  .put("p99Millis", s.p99())
                  .put("maxMillis", s.max())
                  .put("samples", s.samples())
                  .put("applied", s.applied())
                  .put("superseded", s.superseded());
          // The last hour by 10 s bucket, for a console tab opened now (LagHistory).
          stats.writeLastHour(l.putArray("lastHour"));
        });
    return o;
  }

  private void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClosedException();
    }
  }

  private static final class ClosedException extends RuntimeException {
    ClosedException() {
      super("closed", null, false, false);
    }
  }

  @Override
  public void close() {
    closed = true;
    shippers.forEach(Thread::interrupt);
    fills.shutdownNow();
    // A shipper blocked reading a peer's answer on a kept-alive socket ignores the interrupt.
    peers.values().forEach(PeerClient::close);
    for (Thread t : shippers) {
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
