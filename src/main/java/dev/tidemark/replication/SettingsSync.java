package dev.tidemark.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Operations;
import dev.tidemark.api.RequestContext;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.storage.WriteSet;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.IndexDefinition;
import dev.tidemark.tables.ReplicatedSettings;
import dev.tidemark.tables.Replication;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.TableDefinition;
import dev.tidemark.tables.TimeToLive;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the synchronized settings of global tables ({@link ReplicatedSettings}: indexes, TTL,
 * capacity, table class) the same in every replica after creation, as DynamoDB 2019.11.21 does.
 *
 * <p>Settings travel as state, not as requests: each aspect of a table carries a version {@code
 * (time, region)}, bumped when a client changes it here and stored in the meta space ({@code
 * repl/settings/<table id>}). A sender thread offers every member the table's current state of each
 * versioned aspect until that member answers that it has converged; the receiver makes its table
 * match an aspect whose version is higher than its own, through its ordinary actions (UpdateTable,
 * UpdateTimeToLive) run as an internal caller, and then stores the version. So a region that was
 * down converges when it returns, a repeated offer changes nothing, and concurrent changes of one
 * aspect in two regions end with the higher version everywhere (last writer wins per aspect, like
 * items). An index is created or deleted one per offer, as a table backfills one index at a time;
 * the offer repeats until all match.
 *
 * <p>Not synchronized, as on AWS: deletion protection, PITR, tags and backups. Stream settings
 * cannot change while replicas exist (UpdateTable refuses), so there is nothing to carry.
 */
public final class SettingsSync implements ReplicatedSettings, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SettingsSync.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The {@link PeerServicesEndpoint} service name: {@code /tidemark/peer/settings/<op>}. */
  static final String SERVICE = "settings";

  private static final byte[] PREFIX = "repl/settings/".getBytes(StandardCharsets.UTF_8);
  private static final byte[] CLASS_PREFIX = "repl/class/".getBytes(StandardCharsets.UTF_8);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
  private static final long PASS_MILLIS = 200;
  private static final long RETRY_MILLIS = 1_000;

  /** A version of one aspect: later time wins, the region name breaks ties. */
  record Version(long millis, String region) implements Comparable<Version> {
    static final Version NONE = new Version(0, "");

    @Override
    public int compareTo(Version o) {
      int c = Long.compare(millis, o.millis);
      return c != 0 ? c : region.compareTo(o.region);
    }

    static Version of(JsonNode n) {
      return n == null || !n.isArray() ? NONE : new Version(n.get(0).asLong(), n.get(1).asText());
    }

    ArrayNode json() {
      return JSON.createArrayNode().add(millis).add(region);
    }
  }

  /**
   * The group's table class and its per-replica overrides: the state of {@link #TABLE_CLASS}. Kept
   * apart from the table's own class, which is the override where this region has one.
   */
  record ClassState(String base, Map<String, String> overrides) {
    ClassState {
      Objects.requireNonNull(base);
      overrides = Map.copyOf(overrides);
    }

    /** The class a replica in {@code region} should have. */
    String effective(String region) {
      return overrides.getOrDefault(region, base);
    }

    ClassState withOverride(String region, String tableClass) {
      Map<String, String> o = new TreeMap<>(overrides);
      o.put(region, tableClass);
      return new ClassState(base, o);
    }

    ObjectNode json() {
      ObjectNode s = JSON.createObjectNode().put("tableClass", base);
      ObjectNode o = s.putObject("overrides");
      new TreeMap<>(overrides).forEach(o::put);
      return s;
    }

    /** Reads {@link #json()}; a state from a version without overrides has none. */
    static ClassState of(JsonNode state) {
      Map<String, String> o = new LinkedHashMap<>();
      state
          .path("overrides")
          .fields()
          .forEachRemaining(e -> o.put(e.getKey(), e.getValue().asText()));
      return new ClassState(state.path("tableClass").asText(), o);
    }
  }

  private final Database db;
  private final PeerCaller peers;
  private final String region;
  private final LongSupplier clock;
  private final Object versions = new Object();

  /** Set while this thread applies another region's settings: such changes are not reported. */
  private final ThreadLocal<Boolean> applying = ThreadLocal.withInitial(() -> false);

  /** Per (table id, member): the offer that member last converged to, in memory only. */
  private final Map<String, String> delivered = new ConcurrentHashMap<>();

  /** Per (table id, member) or per member: not before this time again. */
  private final Map<String, Long> notBefore = new ConcurrentHashMap<>();

  private volatile Operations operations;
  private volatile boolean closed;
  private Thread sender;

  public SettingsSync(Database db, ReplicationConfig config, LongSupplier clock) {
    this.db = db;
    this.region = db.region();
    this.peers = new PeerCaller(config, region, clock);
    this.clock = clock;
  }

  /** Starts offering settings; {@code operations} applies other regions' settings here. */
  public void start(Operations operations) {
    this.operations = operations;
    Thread t = new Thread(this::sendLoop, "tidemark-settings-sync");
    t.setDaemon(true);
    sender = t;
    t.start();
  }

  @Override
  public void changed(Table table, Set<String> aspects) {
    if (applying.get()) {
      return;
    }
    synchronized (versions) {
      Map<String, Version> v = read(table.id());
      for (String aspect : aspects) {
        bump(v, aspect);
      }
      // A change of the group's class clears every replica's override, as on DynamoDB.
      ClassState cls =
          aspects.contains(TABLE_CLASS)
              ? new ClassState(table.definition().tableClass(), Map.of())
              : null;
      write(table.id(), v, cls);
    }
    // Every member hears of it at the next pass, whatever it was told before.
    delivered.keySet().removeIf(k -> k.startsWith(table.id() + "/"));
  }

  @Override
  public void overrideTableClass(Table table, String member, String tableClass) {
    synchronized (versions) {
      Map<String, Version> v = read(table.id());
      bump(v, TABLE_CLASS);
      write(table.id(), v, classState(table).withOverride(member, tableClass));
    }
    delivered.keySet().removeIf(k -> k.startsWith(table.id() + "/"));
  }

  @Override
  public Map<String, String> tableClassOverrides(Table table) {
    return classState(table).overrides();
  }

  @Override
  public void replicaLeft(Table table, String member) {
    synchronized (versions) {
      ClassState cls = classState(table);
      if (cls.overrides().containsKey(member)) {
        Map<String, String> rest = new TreeMap<>(cls.overrides());
        rest.remove(member);
        // Not a new version: every member drops it as it hears of the departure, and a region
        // that later joins again starts with the group's class.
        write(table.id(), read(table.id()), new ClassState(cls.base(), rest));
      }
    }
  }

  private void bump(Map<String, Version> v, String aspect) {
    Version old = v.getOrDefault(aspect, Version.NONE);
    v.put(aspect, new Version(Math.max(clock.getAsLong(), old.millis() + 1), region));
  }

  // ---- sending ----

  private void sendLoop() {
    while (!closed) {
      try {
        for (String name : db.catalog().names()) {
          Optional<Table> t = db.catalog().find(name);
          if (t.isPresent() && t.get().replication() != null) {
            offer(t.get());
          }
        }
      } catch (RuntimeException e) {
        log.warn("Settings sync pass failed; it retries: {}", e.toString());
      }
      try {
        Thread.sleep(PASS_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void offer(Table t) {
    Map<String, Version> v;
    synchronized (versions) {
      v = read(t.id());
    }
    if (v.isEmpty()) {
      return;
    }
    Replication group = t.replication();
    ObjectNode body =
        JSON.createObjectNode().put("table", t.name()).put("groupId", group.groupId());
    ObjectNode aspects = body.putObject("aspects");
    v.forEach(
        (aspect, version) -> {
          ObjectNode a = aspects.putObject(aspect);
          a.set("version", version.json());
          a.set("state", state(t, aspect));
        });
    String offer = body.toString();
    long now = clock.getAsLong();
    for (Replication.Replica m : group.replicas()) {
      String key = t.id() + "/" + m.region();
      if ("CREATION_FAILED".equals(m.status())
          || !peers.knows(m.region())
          || offer.equals(delivered.get(key))
          || notBefore.getOrDefault(key, 0L) > now
          || notBefore.getOrDefault(m.region(), 0L) > now) {
        continue;
      }
      try {
        JsonNode answer = peers.callJson(m.region(), SERVICE, "apply", body, CALL_TIMEOUT);
        if (answer.path("converged").asBoolean()) {
          delivered.put(key, offer);
          log.info("Settings of {} converged in {}", t.name(), m.region());
        } else {
          notBefore.put(key, now + RETRY_MILLIS);
        }
      } catch (PeerCaller.Unreachable e) {
        log.debug("Settings of {} wait for {}: {}", t.name(), m.region(), e.getMessage());
        notBefore.put(m.region(), now + RETRY_MILLIS);
      } catch (DynamoException e) {
        log.warn("Region {} refused the settings of {}: {}", m.region(), t.name(), e.getMessage());
        notBefore.put(key, now + RETRY_MILLIS);
      }
    }
  }

  /** The current state of one aspect of a table here, as it is offered. */
  private ObjectNode state(Table t, String aspect) {
    TableDefinition d = t.definition();
    ObjectNode s = JSON.createObjectNode();
    switch (aspect) {
      case INDEXES -> {
        ObjectNode create = Replicator.createTableRequest(d);
        s.set("AttributeDefinitions", create.path("AttributeDefinitions"));
        s.set(
            "GlobalSecondaryIndexes",
            create.has("GlobalSecondaryIndexes")
                ? create.get("GlobalSecondaryIndexes")
                : JSON.createArrayNode());
      }
      case TTL -> {
        TimeToLive ttl = db.catalog().timeToLive(t);
        s.put("enabled", ttl.enabled());
        if (ttl.enabled()) {
          s.put("attributeName", ttl.attributeName());
        }
      }
      case CAPACITY -> {
        s.put("billingMode", d.billingMode());
        s.put("read", d.throughput().readCapacityUnits());
        s.put("write", d.throughput().writeCapacityUnits());
      }
      case TABLE_CLASS -> s.setAll(classState(t).json());
      default -> throw new IllegalArgumentException("unknown settings aspect " + aspect);
    }
    return s;
  }

  // ---- receiving ----

  /** Serves {@code apply}: converges this region's replica to the offered settings. */
  byte[] serve(String op, String from, JsonNode body) throws IOException {
    if (!"apply".equals(op)) {
      throw new DynamoException(
          dev.tidemark.errors.WireError.UNKNOWN_OPERATION, "Unknown settings operation: " + op);
    }
    Table t = GroupTables.require(db, body);
    String name = t.name();
    if (!t.isUsable() || operations == null) {
      // Still being filled (or starting): the offer comes again.
      return JSON.writeValueAsBytes(JSON.createObjectNode().put("converged", false));
    }
    boolean all = true;
    // Every aspect is tried even when one is not done: one may wait for another (a capacity
    // switch for an index deletion), and stopping at the first would wait forever.
    for (Iterator<Map.Entry<String, JsonNode>> it = body.path("aspects").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String aspect = e.getKey();
      Version offered = Version.of(e.getValue().get("version"));
      Version mine;
      synchronized (versions) {
        mine = read(t.id()).getOrDefault(aspect, Version.NONE);
      }
      if (offered.compareTo(mine) <= 0) {
        continue;
      }
      boolean converged;
      applying.set(true);
      try {
        converged = converge(t, aspect, e.getValue().path("state"));
      } catch (DynamoException x) {
        // Busy (an index still backfilling) or refused: the offer comes again.
        log.info(
            "Settings {} of {} from {} not applied yet: {}", aspect, name, from, x.getMessage());
        converged = false;
      } finally {
        applying.set(false);
      }
      if (converged) {
        synchronized (versions) {
          Map<String, Version> v = read(t.id());
          if (offered.compareTo(v.getOrDefault(aspect, Version.NONE)) > 0) {
            v.put(aspect, offered);
            // The group's class is kept with its version: this region may differ from it.
            ClassState cls =
                TABLE_CLASS.equals(aspect) ? ClassState.of(e.getValue().path("state")) : null;
            write(t.id(), v, cls);
          }
        }
        log.info("Settings {} of {} follow {}", aspect, name, from);
      } else {
        all = false;
      }
    }
    return JSON.writeValueAsBytes(JSON.createObjectNode().put("converged", all));
  }

  /** Makes one aspect of {@code t} match {@code state}; false if more steps are needed. */
  private boolean converge(Table t, String aspect, JsonNode state) {
    TableDefinition d = t.definition();
    switch (aspect) {
      case INDEXES -> {
        return convergeIndexes(t, d, state);
      }
      case TTL -> {
        TimeToLive mine = db.catalog().timeToLive(t);
        boolean enabled = state.path("enabled").asBoolean();
        String attribute = enabled ? state.path("attributeName").asText() : null;
        if (mine.enabled() == enabled && (!enabled || mine.attributeName().equals(attribute))) {
          return true;
        }
        if (mine.enabled()) {
          run("UpdateTimeToLive", ttlRequest(t, false, mine.attributeName()));
        }
        if (enabled) {
          run("UpdateTimeToLive", ttlRequest(t, true, attribute));
        }
        return true;
      }
      case CAPACITY -> {
        String billing = state.path("billingMode").asText();
        long read = state.path("read").asLong();
        long write = state.path("write").asLong();
        if (billing.equals(d.billingMode())
            && read == d.throughput().readCapacityUnits()
            && write == d.throughput().writeCapacityUnits()) {
          return true;
        }
        ObjectNode req = JSON.createObjectNode().put("TableName", t.name());
        if (!billing.equals(d.billingMode())) {
          req.put("BillingMode", billing);
        }
        if (TableDefinition.PROVISIONED.equals(billing)) {
          req.putObject("ProvisionedThroughput")
              .put("ReadCapacityUnits", read)
              .put("WriteCapacityUnits", write);
        }
        run("UpdateTable", req);
        return true;
      }
      case TABLE_CLASS -> {
        String tableClass = ClassState.of(state).effective(region);
        if (!tableClass.equals(d.tableClass())) {
          run(
              "UpdateTable",
              JSON.createObjectNode().put("TableName", t.name()).put("TableClass", tableClass));
        }
        return true;
      }
      default -> {
        log.warn("Unknown settings aspect {} offered for {}; ignored", aspect, t.name());
        return true;
      }
    }
  }

  /** Creates the first missing index, else deletes the first extra one; true when all match. */
  private boolean convergeIndexes(Table t, TableDefinition d, JsonNode state) {
    Set<String> mine = new HashSet<>();
    for (IndexDefinition i : d.globalIndexes()) {
      mine.add(i.name());
    }
    Set<String> wanted = new HashSet<>();
    for (JsonNode index : state.path("GlobalSecondaryIndexes")) {
      String name = index.path("IndexName").asText();
      wanted.add(name);
      if (!mine.contains(name)) {
        ObjectNode req = JSON.createObjectNode().put("TableName", t.name());
        Set<String> keys = new HashSet<>();
        index.path("KeySchema").forEach(k -> keys.add(k.path("AttributeName").asText()));
        ArrayNode defs = req.putArray("AttributeDefinitions");
        for (JsonNode a : state.path("AttributeDefinitions")) {
          if (keys.contains(a.path("AttributeName").asText())) {
            defs.add(a);
          }
        }
        ObjectNode create = index.deepCopy();
        if (!TableDefinition.PROVISIONED.equals(d.billingMode())) {
          create.remove("ProvisionedThroughput");
        }
        req.putArray("GlobalSecondaryIndexUpdates").addObject().set("Create", create);
        run("UpdateTable", req);
        return false;
      }
    }
    for (String name : mine) {
      if (!wanted.contains(name)) {
        ObjectNode req = JSON.createObjectNode().put("TableName", t.name());
        req.putArray("GlobalSecondaryIndexUpdates")
            .addObject()
            .putObject("Delete")
            .put("IndexName", name);
        run("UpdateTable", req);
        return false;
      }
    }
    return true;
  }

  private static ObjectNode ttlRequest(Table t, boolean enabled, String attribute) {
    ObjectNode req = JSON.createObjectNode().put("TableName", t.name());
    req.putObject("TimeToLiveSpecification")
        .put("Enabled", enabled)
        .put("AttributeName", attribute);
    return req;
  }

  private void run(String action, ObjectNode req) {
    operations
        .find(action)
        .orElseThrow()
        .execute(
            new RequestContext(
                "settings-" + UUID.randomUUID(),
                CallerIdentity.anonymous(region),
                clock.getAsLong()),
            req);
  }

  // ---- versions in the meta space ----

  private Map<String, Version> read(long tableId) {
    byte[] raw = db.storage().getMeta(key(tableId));
    Map<String, Version> out = new TreeMap<>();
    if (raw == null) {
      return out;
    }
    try {
      JSON.readTree(raw)
          .fields()
          .forEachRemaining(e -> out.put(e.getKey(), Version.of(e.getValue())));
    } catch (IOException e) {
      throw new UncheckedIOException("settings versions of table id " + tableId, e);
    }
    return out;
  }

  /** Writes the versions and, when {@code cls} is not null, the group's class with them. */
  private void write(long tableId, Map<String, Version> v, ClassState cls) {
    ObjectNode o = JSON.createObjectNode();
    v.forEach((aspect, version) -> o.set(aspect, version.json()));
    try {
      WriteSet w = new WriteSet().putMeta(key(tableId), JSON.writeValueAsBytes(o));
      if (cls != null) {
        w.putMeta(classKey(tableId), JSON.writeValueAsBytes(cls.json()));
      }
      db.storage().apply(w);
      // A control-plane change, rare: made durable at once, so a restart still offers it.
      db.storage().sync();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The group's class as stored here; the table's own class until a change or override. */
  private ClassState classState(Table t) {
    byte[] raw = db.storage().getMeta(classKey(t.id()));
    if (raw == null) {
      return new ClassState(t.definition().tableClass(), Map.of());
    }
    try {
      return ClassState.of(JSON.readTree(raw));
    } catch (IOException e) {
      throw new UncheckedIOException("table class state of table id " + t.id(), e);
    }
  }

  /** The meta key of a table's group class and overrides. */
  static byte[] classKey(long tableId) {
    return ByteBuffer.allocate(CLASS_PREFIX.length + 8).put(CLASS_PREFIX).putLong(tableId).array();
  }

  /** The meta key of a table's settings versions. */
  static byte[] key(long tableId) {
    return ByteBuffer.allocate(PREFIX.length + 8).put(PREFIX).putLong(tableId).array();
  }

  @Override
  public void close() {
    closed = true;
    Thread t = sender;
    if (t != null) {
      t.interrupt();
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
