package dev.tidemark.pitr;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.ItemKeys;
import dev.tidemark.api.RequestContext;
import dev.tidemark.api.actions.DeleteTable;
import dev.tidemark.api.actions.RestoreTableFromBackup;
import dev.tidemark.api.actions.RestoreTableToPointInTime;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.backup.BackupLayout;
import dev.tidemark.backup.BackupRecord;
import dev.tidemark.backup.BackupRepository;
import dev.tidemark.backup.BackupService;
import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.store.MemoryObjectStore;
import dev.tidemark.changelog.ChangeRecord;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.indexes.IndexEntries;
import dev.tidemark.indexes.IndexStats;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.model.ItemSize;
import dev.tidemark.storage.Cursor;
import dev.tidemark.storage.ItemCodec;
import dev.tidemark.storage.RocksStorage;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.IndexDefinition;
import dev.tidemark.tables.KeySchema;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.TableDefinition;
import dev.tidemark.tables.WritePath;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model-based test of point-in-time recovery with a simulated clock. A seeded random workload
 * (puts, updates, deletes, multi-item commits, TTL deletions, refused commits, same-millisecond
 * bursts, clock jumps across days and small steps back) runs against a real {@link Database} while
 * a reference model records the table after every commit. The archiver and the pruner are driven by
 * hand. Restores to many instants (window edges, segment and base boundaries, inside bursts) are
 * then compared with the model item by item and index entry by index entry (invariants I5, I6, I3).
 *
 * <p>{@code -Dpitr.seed=N} replays a run; {@code -Dpitr.long=true} runs a much longer workload with
 * more restores.
 */
class PitrModelTest {
  private static final long HOUR = 3_600_000L;
  private static final long DAY = PitrState.DAY_MILLIS;

  /** Two minutes before a UTC midnight, so even a short run crosses a day boundary. */
  private static final long START = Instant.parse("2026-11-20T23:58:00Z").toEpochMilli();

  private static final boolean LONG = Boolean.getBoolean("pitr.long");

  /** Small bounds: segments seal after 15 ms or 6 KB, a base every 50 records or 6 hours. */
  private static final PitrService.Config CONFIG =
      new PitrService.Config(200, 15, 6_000, 6 * HOUR, 50, 60_000);

  private static final ObjectMapper WIRE = new ObjectMapper();
  private static final RequestContext CTX =
      new RequestContext("model-test", CallerIdentity.anonymous("us-east-1"), 0);

  // ---- the system under test ------------------------------------------------------------------

  /** One server's worth of parts over a shared store, with a clock the test moves. */
  static final class Server implements AutoCloseable {
    final AtomicLong clock;
    final Database db;
    final BackupService backups;
    final PitrService pitr;
    final RestoreTableToPointInTime restoreAction;
    final RestoreTableFromBackup restoreFromBackup;
    final DeleteTable deleteAction;

    /** The highest instant the write path's sequencer has seen: commit times never go below it. */
    long highWater;

    Server(Path dir, MemoryObjectStore store, SymmetricKey key, long now) throws IOException {
      clock = new AtomicLong(now);
      db =
          new Database(
              RocksStorage.open(dir.resolve("data")),
              clock::get,
              false,
              "us-east-1",
              "000000000000");
      backups = new BackupService(db, new BackupRepository(store, key), dir.resolve("scratch"));
      backups.start();
      pitr = new PitrService(db, backups, CONFIG);
      pitr.load();
      restoreAction = new RestoreTableToPointInTime(db, pitr);
      restoreFromBackup = new RestoreTableFromBackup(db, backups);
      deleteAction = new DeleteTable(db, backups, pitr);
    }

    long now() {
      return clock.get();
    }

    /** Anything that reads the sequencer's time (a commit, a position capture) calls this. */
    void observed() {
      highWater = Math.max(highWater, clock.get());
    }

    /** True while a table has PITR on: only then does the archiver raise the time floor. */
    boolean archiving;

    void archive() {
      pitr.archiveOnce();
      // With nothing to archive the archiver captures no position, so later commits may be
      // stamped below this instant if the clock steps back.
      if (archiving) {
        observed();
      }
    }

    /** Seals everything committed so far, so the window's latest instant passes the last commit. */
    void sealAll() throws InterruptedException {
      clock.addAndGet(CONFIG.sealAfterMillis() + 1);
      archive();
      clock.addAndGet(CONFIG.sealAfterMillis() + 1);
      archive();
      awaitIdle();
    }

    void awaitIdle() throws InterruptedException {
      assertThat(backups.awaitIdle(60_000)).as("backup jobs finish").isTrue();
    }

    @Override
    public void close() {
      pitr.close();
      backups.close();
      db.close();
    }
  }

  // ---- the table ------------------------------------------------------------------------------

  private static final KeySchema KEYS =
      new KeySchema("pk", AttributeValue.Type.S, "sk", AttributeValue.Type.N);

  /**
   * pk/sk table; LSI byScore (pk, score) KEYS_ONLY; GSI byCat (cat, ts) INCLUDE v; GSI byOwner
   * (owner) ALL. Items lacking an index's keys are left out of it (sparse).
   */
  static TableDefinition definition(Database db, String name) {
    Map<String, AttributeValue.Type> attrs = new LinkedHashMap<>();
    attrs.put("pk", AttributeValue.Type.S);
    attrs.put("sk", AttributeValue.Type.N);
    attrs.put("score", AttributeValue.Type.N);
    attrs.put("cat", AttributeValue.Type.S);
    attrs.put("ts", AttributeValue.Type.N);
    attrs.put("owner", AttributeValue.Type.S);
    IndexDefinition lsi =
        new IndexDefinition(
            "byScore",
            false,
            new KeySchema("pk", AttributeValue.Type.S, "score", AttributeValue.Type.N),
            "KEYS_ONLY",
            null,
            null);
    IndexDefinition byCat =
        new IndexDefinition(
            "byCat",
            true,
            new KeySchema("cat", AttributeValue.Type.S, "ts", AttributeValue.Type.N),
            "INCLUDE",
            List.of("v"),
            null);
    IndexDefinition byOwner =
        new IndexDefinition(
            "byOwner",
            true,
            new KeySchema("owner", AttributeValue.Type.S, null, null),
            "ALL",
            null,
            null);
    return new TableDefinition(
        name,
        db.catalog().allocateId(),
        UUID.randomUUID().toString(),
        db.now(),
        KEYS,
        attrs,
        TableDefinition.PAY_PER_REQUEST,
        null,
        List.of(lsi),
        List.of(byCat, byOwner),
        null,
        null,
        null,
        null,
        null,
        false,
        0);
  }

  static TableDefinition plainDefinition(Database db, String name) {
    return new TableDefinition(
        name,
        db.catalog().allocateId(),
        UUID.randomUUID().toString(),
        db.now(),
        KEYS,
        Map.of("pk", AttributeValue.Type.S, "sk", AttributeValue.Type.N),
        TableDefinition.PAY_PER_REQUEST,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        false,
        0);
  }

  // ---- the reference model --------------------------------------------------------------------

  /** One change to the modelled table: the item's final image after it (null when deleted). */
  record Change(long seq, long time, byte[] storageKey, Map<String, AttributeValue> item) {}

  /** The modelled table's history, in commit order. */
  static final class Model {
    final List<Change> history = new ArrayList<>();
    final NavigableMap<byte[], Map<String, AttributeValue>> current =
        new TreeMap<>(Arrays::compareUnsigned);
    final TreeMap<Long, Long> timeOfSeq = new TreeMap<>();

    void apply(Change c) {
      if (!history.isEmpty()) {
        Change last = history.get(history.size() - 1);
        assertThat(c.seq()).as("seq order").isGreaterThan(last.seq());
        assertThat(c.time())
            .as("I1: commit times never decrease")
            .isGreaterThanOrEqualTo(last.time());
      }
      history.add(c);
      timeOfSeq.put(c.seq(), c.time());
      if (c.item() == null) {
        current.remove(c.storageKey());
      } else {
        current.put(c.storageKey(), c.item());
      }
    }

    /** The table as of instant {@code t}: every commit at or before it, none after. */
    NavigableMap<byte[], Map<String, AttributeValue>> at(long t) {
      NavigableMap<byte[], Map<String, AttributeValue>> state =
          new TreeMap<>(Arrays::compareUnsigned);
      for (Change c : history) {
        if (c.time() > t) {
          break;
        }
        if (c.item() == null) {
          state.remove(c.storageKey());
        } else {
          state.put(c.storageKey(), c.item());
        }
      }
      return state;
    }

    long lastTime() {
      return history.isEmpty() ? Long.MIN_VALUE : history.get(history.size() - 1).time();
    }
  }

  // ---- the workload ---------------------------------------------------------------------------

  /** One item write of a commit, with the pure mutation the write path and the model both run. */
  record Op(Table table, Map<String, AttributeValue> key, WritePath.Mutation mutation) {}

  /** Drives random commits against one server and keeps the model of the main table in step. */
  static final class Workload {
    final Random random;
    final long seed;
    final Server server;
    final Table main;
    final Table other;
    final Model model = new Model();

    /** Instants worth restoring to, gathered while the workload runs. */
    final NavigableSet<Long> burstTimes = new TreeSet<>();

    final NavigableSet<Long> multiItemTimes = new TreeSet<>();
    final NavigableSet<Long> dayBoundaries = new TreeSet<>();
    int commits;
    int refused;
    int records;
    boolean pitrOn;

    Workload(long seed, Random random, Server server, Table main, Table other) {
      this.seed = seed;
      this.random = random;
      this.server = server;
      this.main = main;
      this.other = other;
    }

    Map<String, AttributeValue> randomKey() {
      Map<String, AttributeValue> key = new LinkedHashMap<>();
      key.put("pk", new AttributeValue.S("p" + random.nextInt(6)));
      key.put("sk", new AttributeValue.N(BigDecimal.valueOf(random.nextInt(30))));
      return key;
    }

    /** Mostly an existing item's key; often a new one while the table is small. */
    Map<String, AttributeValue> existingKeyOrRandom() {
      if (model.current.isEmpty() || random.nextInt(100) < (model.current.size() < 100 ? 50 : 15)) {
        return randomKey();
      }
      List<Map<String, AttributeValue>> items = new ArrayList<>(model.current.values());
      return ItemKeys.keyOf(KEYS, items.get(random.nextInt(items.size())));
    }

    String text(int max) {
      byte[] b = new byte[1 + random.nextInt(max)];
      random.nextBytes(b);
      return HexFormat.of().formatHex(b);
    }

    static AttributeValue.N num(long v) {
      return new AttributeValue.N(BigDecimal.valueOf(v));
    }

    Map<String, AttributeValue> randomItem(Map<String, AttributeValue> key) {
      Map<String, AttributeValue> m = new LinkedHashMap<>(key);
      m.put("v", new AttributeValue.S(text(20)));
      if (random.nextInt(10) < 7) {
        m.put("score", num(random.nextInt(1000) - 200));
      }
      if (random.nextInt(10) < 6) {
        m.put("cat", new AttributeValue.S("c" + random.nextInt(4)));
        if (random.nextInt(10) < 9) {
          m.put("ts", num(random.nextInt(100_000)));
        }
      }
      if (random.nextBoolean()) {
        m.put("owner", new AttributeValue.S("o" + random.nextInt(8)));
      }
      if (random.nextInt(25) == 0) {
        m.put("blob", new AttributeValue.S("x".repeat(500 + random.nextInt(2500))));
      }
      if (random.nextInt(8) == 0) {
        m.put(
            "tags",
            new AttributeValue.SS(Set.of("t" + random.nextInt(3), "u" + random.nextInt(3))));
      }
      if (random.nextInt(8) == 0) {
        m.put(
            "doc",
            new AttributeValue.M(
                Map.of(
                    "n",
                    num(random.nextInt()),
                    "l",
                    new AttributeValue.L(
                        List.of(
                            new AttributeValue.Bool(random.nextBoolean()),
                            new AttributeValue.Null())))));
      }
      return Collections.unmodifiableMap(m);
    }

    /** An update: changes a few attributes of the current item (or creates it). Pure. */
    WritePath.Mutation randomUpdate(Map<String, AttributeValue> key) {
      int scoreDelta = random.nextInt(50) - 25;
      int catChoice = random.nextInt(6);
      String newV = text(12);
      int ownerChoice = random.nextInt(5);
      return current -> {
        Map<String, AttributeValue> m =
            current == null ? new LinkedHashMap<>(key) : new LinkedHashMap<>(current);
        m.put("v", new AttributeValue.S(newV));
        AttributeValue.N score = (AttributeValue.N) m.get("score");
        m.put("score", num((score == null ? 0 : score.value().longValue()) + scoreDelta));
        if (catChoice == 0) {
          m.remove("cat");
        } else if (catChoice < 4) {
          m.put("cat", new AttributeValue.S("c" + catChoice));
          m.put("ts", num(catChoice * 1000L + scoreDelta));
        }
        if (ownerChoice == 0) {
          m.remove("owner");
        } else if (ownerChoice == 1) {
          m.put("owner", new AttributeValue.S("o" + scoreDelta));
        }
        return Collections.unmodifiableMap(m);
      };
    }

    Op put(Map<String, AttributeValue> key) {
      Map<String, AttributeValue> item = randomItem(key);
      return new Op(main, key, current -> item);
    }

    Op update(Map<String, AttributeValue> key) {
      return new Op(main, key, randomUpdate(key));
    }

    Op delete(Map<String, AttributeValue> key) {
      return new Op(main, key, current -> null);
    }

    Op otherWrite() {
      Map<String, AttributeValue> key = randomKey();
      Map<String, AttributeValue> item = new LinkedHashMap<>(key);
      item.put("x", new AttributeValue.S(text(8)));
      return new Op(other, key, current -> item);
    }

    /** A main-table op of a random kind on a random key not in {@code used}. */
    Op randomMainOp(Set<String> used) {
      for (int attempt = 0; ; attempt++) {
        Map<String, AttributeValue> key = existingKeyOrRandom();
        if (!used.add(key.toString()) && attempt < 50) {
          continue;
        }
        int kind = random.nextInt(10);
        return kind < 4 ? put(key) : kind < 8 ? update(key) : delete(key);
      }
    }

    /**
     * Commits {@code ops} as one commit (one commit time) and checks it against the model: the
     * write path's outcomes, and the change records it logged (seq, time, images, origin).
     */
    void commit(List<Op> ops, ChangeRecord.Origin origin) {
      List<WritePath.ItemWrite> writes = new ArrayList<>();
      for (Op op : ops) {
        writes.add(
            new WritePath.ItemWrite(
                op.table(), ItemKeys.storageKey(KEYS, op.key()), op.key(), op.mutation()));
      }
      long before = server.db.writePath().appliedSeq();
      List<WritePath.Outcome> outcomes = server.db.writePath().commit(writes, origin);
      long expectedTime = Math.max(server.clock.get(), server.highWater);
      server.observed();
      commits++;
      int changed = (int) outcomes.stream().filter(WritePath.Outcome::changed).count();
      long after = server.db.writePath().appliedSeq();
      assertThat(after - before).as("seed %d: one seq per changed item", seed).isEqualTo(changed);
      long seq = before;
      List<Change> mine = new ArrayList<>();
      for (int i = 0; i < ops.size(); i++) {
        Op op = ops.get(i);
        WritePath.Outcome o = outcomes.get(i);
        if (op.table() == main) {
          byte[] sk = ItemKeys.storageKey(KEYS, op.key());
          Map<String, AttributeValue> was = model.current.get(sk);
          assertThat(o.oldItem()).as("seed %d: old image", seed).isEqualTo(was);
          assertThat(o.newItem())
              .as("seed %d: new image", seed)
              .isEqualTo(op.mutation().apply(was));
        }
        if (!o.changed()) {
          continue;
        }
        seq++;
        if (op.table() == main) {
          mine.add(new Change(seq, expectedTime, ItemKeys.storageKey(KEYS, op.key()), o.newItem()));
        }
      }
      if (mine.isEmpty()) {
        return;
      }
      List<ChangeRecord> logged =
          server.db.changeLog().read(main.id(), before + 1, after + 1, 1000);
      assertThat(logged).as("seed %d: records logged for the commit", seed).hasSize(mine.size());
      for (int i = 0; i < mine.size(); i++) {
        Change c = mine.get(i);
        ChangeRecord r = logged.get(i);
        assertThat(r.seq()).isEqualTo(c.seq());
        assertThat(r.commitTimeMillis())
            .as("seed %d: commit time of seq %d", seed, c.seq())
            .isEqualTo(c.time());
        assertThat(r.newImage()).isEqualTo(c.item());
        assertThat(r.origin()).isEqualTo(origin);
        model.apply(c);
      }
      records += mine.size();
      if (mine.size() > 1) {
        multiItemTimes.add(expectedTime);
      }
    }

    /** A commit that must be refused whole: the model and the log stay as they were. */
    void refusedCommit() {
      List<Op> ops = new ArrayList<>();
      Set<String> used = new LinkedHashSet<>();
      for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
        ops.add(randomMainOp(used));
      }
      Map<String, AttributeValue> key = randomKey();
      if (random.nextBoolean()) {
        // A condition that fails: the whole commit is refused.
        ops.add(
            new Op(
                main,
                key,
                current -> {
                  throw DynamoException.conditionalCheckFailed(null);
                }));
      } else {
        // A GSI key of the wrong type: the index refuses it, and with it the whole commit.
        Map<String, AttributeValue> bad = new LinkedHashMap<>(key);
        bad.put("cat", num(7));
        ops.add(new Op(main, key, current -> bad));
      }
      Collections.shuffle(ops, random);
      if (ops.stream().filter(o -> o.key().equals(key)).count() > 1) {
        return; // one key twice in a commit is not a shape the write path is given
      }
      long before = server.db.writePath().appliedSeq();
      DynamoException e = null;
      try {
        server.db.writePath().commit(toWrites(ops), ChangeRecord.Origin.USER);
      } catch (DynamoException refusedWrite) {
        e = refusedWrite;
      }
      assertThat(e).as("seed %d: the commit is refused", seed).isNotNull();
      assertThat(server.db.writePath().appliedSeq())
          .as("seed %d: a refused commit logs nothing", seed)
          .isEqualTo(before);
      refused++;
    }

    List<WritePath.ItemWrite> toWrites(List<Op> ops) {
      List<WritePath.ItemWrite> writes = new ArrayList<>();
      for (Op op : ops) {
        writes.add(
            new WritePath.ItemWrite(
                op.table(), ItemKeys.storageKey(KEYS, op.key()), op.key(), op.mutation()));
      }
      return writes;
    }

    /** One random step: a commit of some kind, maybe an archive pass, then the clock moves. */
    void step() throws InterruptedException {
      int dice = random.nextInt(100);
      if (dice < 25) {
        commit(List.of(put(existingKeyOrRandom())), ChangeRecord.Origin.USER);
      } else if (dice < 45) {
        commit(List.of(update(existingKeyOrRandom())), ChangeRecord.Origin.USER);
      } else if (dice < 53) {
        commit(List.of(delete(existingKeyOrRandom())), ChangeRecord.Origin.USER);
      } else if (dice < 55) {
        commit(List.of(put(randomKey())), ChangeRecord.Origin.USER);
      } else if (dice < 67) {
        // A transaction: several items, one commit time; sometimes another table takes part.
        List<Op> ops = new ArrayList<>();
        Set<String> used = new LinkedHashSet<>();
        for (int i = 0, n = 2 + random.nextInt(4); i < n; i++) {
          ops.add(randomMainOp(used));
        }
        if (random.nextInt(3) == 0) {
          ops.add(random.nextInt(ops.size() + 1), otherWrite());
        }
        commit(ops, ChangeRecord.Origin.USER);
      } else if (dice < 72) {
        // TTL expiry deletes existing items, as the service (not a user) does.
        if (model.current.size() > 20) {
          commit(
              List.of(delete(ItemKeys.keyOf(KEYS, model.current.firstEntry().getValue()))),
              ChangeRecord.Origin.TTL_EXPIRY);
        }
      } else if (dice < 75) {
        refusedCommit();
      } else if (dice < 80) {
        commit(List.of(otherWrite()), ChangeRecord.Origin.USER);
      } else if (dice < 82) {
        // Rewriting an item as it is changes nothing and logs nothing.
        if (!model.current.isEmpty()) {
          Map<String, AttributeValue> same = model.current.lastEntry().getValue();
          commit(
              List.of(new Op(main, ItemKeys.keyOf(KEYS, same), current -> same)),
              ChangeRecord.Origin.USER);
        }
      } else if (dice < 87) {
        // A burst: several commits within one millisecond.
        for (int i = 0, n = 3 + random.nextInt(6); i < n; i++) {
          commit(List.of(randomMainOp(new LinkedHashSet<>())), ChangeRecord.Origin.USER);
        }
        burstTimes.add(model.lastTime());
      } else if (dice < 97) {
        server.archive();
      } else if (dice < 98 && pitrOn) {
        // A base snapshot forced between the archiver's own.
        server.awaitIdle();
        server.backups.create(main, "pitr-base", BackupService.PITR_BASE, null);
        server.observed();
      } else {
        server.archive();
        server.archive();
      }
      advanceClock();
    }

    void advanceClock() {
      int dice = random.nextInt(1000);
      long now = server.clock.get();
      if (dice < 400) {
        return;
      } else if (dice < 870) {
        server.clock.addAndGet(1 + random.nextInt(20));
      } else if (dice < 985) {
        server.clock.addAndGet(20 + random.nextInt(2000));
      } else if (dice < 989) {
        server.clock.addAndGet(HOUR + random.nextInt((int) (7 * HOUR)));
      } else if (dice < 992) {
        // To a UTC midnight, a millisecond before or after it.
        long midnight = (now / DAY + 1) * DAY;
        server.clock.set(midnight + random.nextInt(3) - 1);
        dayBoundaries.add(midnight);
      } else {
        // The wall clock steps back (an NTP correction): commit times must still not decrease.
        server.clock.addAndGet(-(1 + random.nextInt(30)));
      }
    }
  }

  // ---- restores and comparisons ---------------------------------------------------------------

  /** Counters for the summary line. */
  static final class Tally {
    int restoresCompared;
    int refusalsChecked;
    int indexEntriesCompared;
    int itemsCompared;
  }

  /** The request as the wire would carry it: RestoreDateTime as epoch seconds with a fraction. */
  static JsonNode restoreRequest(String sourceName, String sourceArn, Long at, String target)
      throws IOException {
    StringBuilder json = new StringBuilder("{");
    if (sourceArn != null) {
      json.append("\"SourceTableArn\":\"").append(sourceArn).append("\",");
    } else {
      json.append("\"SourceTableName\":\"").append(sourceName).append("\",");
    }
    json.append("\"TargetTableName\":\"").append(target).append("\",");
    if (at == null) {
      json.append("\"UseLatestRestorableTime\":true}");
    } else {
      json.append("\"RestoreDateTime\":")
          .append(BigDecimal.valueOf(at, 3).toPlainString())
          .append('}');
    }
    return WIRE.readTree(json.toString());
  }

  static int targetCounter;

  /**
   * Restores {@code source} (name or ARN) to {@code at} (null: the latest restorable time) through
   * the RestoreTableToPointInTime action, waits, compares with {@code expected}, drops the table.
   */
  static void restoreAndCompare(
      Server s,
      String sourceName,
      String sourceArn,
      Long at,
      NavigableMap<byte[], Map<String, AttributeValue>> expected,
      TableDefinition shape,
      Tally tally,
      String what)
      throws Exception {
    String target = "restored-" + (++targetCounter);
    ObjectNode out;
    try {
      out = s.restoreAction.execute(CTX, restoreRequest(sourceName, sourceArn, at, target));
    } catch (DynamoException e) {
      throw new AssertionError(what + ": the restore was refused: " + e.getMessage(), e);
    }
    JsonNode summary = out.path("TableDescription").path("RestoreSummary");
    if (at != null) {
      assertThat(new BigDecimal(summary.path("RestoreDateTime").asText()))
          .as("%s: RestoreDateTime reported", what)
          .isEqualByComparingTo(BigDecimal.valueOf(at, 3));
    }
    s.awaitIdle();
    Table restored =
        s.db
            .catalog()
            .find(target)
            .orElseThrow(() -> new AssertionError(what + ": the restore created no table"));
    assertThat(restored.status()).as("%s: table status", what).isEqualTo("ACTIVE");
    compareTable(s.db, restored, expected, shape, tally, what);
    s.db.writePath().exclusive(() -> s.db.catalog().delete(restored));
    tally.restoresCompared++;
  }

  /** The restore must be refused as out of the window, and must create no table. */
  static void expectRefused(
      Server s, String sourceName, String sourceArn, long at, Tally tally, String what)
      throws Exception {
    String target = "refused-" + (++targetCounter);
    DynamoException e = null;
    try {
      s.restoreAction.execute(CTX, restoreRequest(sourceName, sourceArn, at, target));
    } catch (DynamoException refused) {
      e = refused;
    }
    assertThat(e).as("%s: restore to %d is refused", what, at).isNotNull();
    assertThat(e.error()).as(what).isEqualTo(WireError.INVALID_RESTORE_TIME);
    assertThat(s.db.catalog().find(target)).as(what).isEmpty();
    tally.refusalsChecked++;
  }

  /**
   * Compares a table with the expected items: every item, the table's counters, and for each index
   * every entry (key and projected value) and its counters; nothing else in its key space.
   */
  static void compareTable(
      Database db,
      Table table,
      NavigableMap<byte[], Map<String, AttributeValue>> expected,
      TableDefinition shape,
      Tally tally,
      String what) {
    NavigableMap<byte[], Map<String, AttributeValue>> actual =
        scan(db, table.id(), ItemKeys.itemsLower(), ItemKeys.itemsUpper());
    assertSameEntries(actual, expected, what + ", items");
    long size = expected.values().stream().mapToLong(ItemSize::of).sum();
    assertThat(table.itemCount()).as("%s: ItemCount", what).isEqualTo(expected.size());
    assertThat(table.sizeBytes()).as("%s: TableSizeBytes", what).isEqualTo(size);
    tally.itemsCompared += expected.size();
    long entries = expected.size();
    for (IndexDefinition index : table.definition().allIndexes()) {
      IndexDefinition declared = shape.index(index.name()).orElseThrow();
      assertThat(index.number())
          .as("%s: index %s keeps its number", what, index.name())
          .isEqualTo(declared.number());
      NavigableMap<byte[], Map<String, AttributeValue>> want =
          new TreeMap<>(Arrays::compareUnsigned);
      long wantBytes = 0;
      for (Map<String, AttributeValue> item : expected.values()) {
        if (IndexEntries.indexed(index, item)) {
          Map<String, AttributeValue> projected = IndexEntries.project(KEYS, index, item);
          want.put(IndexEntries.key(KEYS, index, item), projected);
          wantBytes += ItemSize.of(projected);
        }
      }
      NavigableMap<byte[], Map<String, AttributeValue>> got =
          scan(db, table.id(), IndexEntries.lower(index), IndexEntries.upper(index));
      assertSameEntries(got, want, what + ", index " + index.name());
      IndexStats stats = db.indexes().stats(table.id(), index);
      assertThat(stats.itemCount())
          .as("%s: %s ItemCount", what, index.name())
          .isEqualTo(want.size());
      assertThat(stats.sizeBytes())
          .as("%s: %s IndexSizeBytes", what, index.name())
          .isEqualTo(wantBytes);
      tally.indexEntriesCompared += want.size();
      entries += want.size();
    }
    assertThat(scan(db, table.id(), null, null))
        .as("%s: nothing but items and index entries in the table's space", what)
        .hasSize((int) entries);
  }

  static NavigableMap<byte[], Map<String, AttributeValue>> scan(
      Database db, long tableId, byte[] lower, byte[] upper) {
    NavigableMap<byte[], Map<String, AttributeValue>> out = new TreeMap<>(Arrays::compareUnsigned);
    try (Cursor c = db.storage().scan(tableId, lower, upper, false)) {
      while (c.next()) {
        out.put(c.key(), ItemCodec.decode(c.value()));
      }
    }
    return out;
  }

  /** Fails naming the first few differences, not with two huge maps. */
  static void assertSameEntries(
      NavigableMap<byte[], Map<String, AttributeValue>> actual,
      NavigableMap<byte[], Map<String, AttributeValue>> expected,
      String what) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<byte[], Map<String, AttributeValue>> e : expected.entrySet()) {
      Map<String, AttributeValue> got = actual.get(e.getKey());
      if (got == null) {
        problems.add("missing " + e.getValue());
      } else if (!got.equals(e.getValue())) {
        problems.add("differs: expected " + e.getValue() + " but was " + got);
      }
    }
    for (Map.Entry<byte[], Map<String, AttributeValue>> e : actual.entrySet()) {
      if (!expected.containsKey(e.getKey())) {
        problems.add("unexpected " + e.getValue());
      }
    }
    problems.replaceAll(p -> p.length() > 400 ? p.substring(0, 400) + "..." : p);
    assertThat(problems.subList(0, Math.min(5, problems.size())))
        .as(
            "%s: %d differences (%d expected, %d found), first ones",
            what, problems.size(), expected.size(), actual.size())
        .isEmpty();
  }

  // ---- store inspection -----------------------------------------------------------------------

  static List<String> segments(Server s, String uuid) throws IOException {
    return s.backups.repository().store().list(Segment.prefix(uuid));
  }

  static List<BackupRecord> availableBases(Server s, String uuid) {
    List<BackupRecord> out = new ArrayList<>(s.backups.bases(uuid));
    out.removeIf(b -> !"AVAILABLE".equals(b.status()));
    return out;
  }

  /** Picks up to {@code n} elements evenly spread over a sorted set, always its first and last. */
  static List<Long> spread(NavigableSet<Long> all, int n) {
    List<Long> list = new ArrayList<>(all);
    if (list.size() <= n) {
      return list;
    }
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(list.get((int) ((long) i * (list.size() - 1) / Math.max(1, n - 1))));
    }
    return out;
  }

  /**
   * The instants worth checking in [earliest, latest]: its edges, base times and their neighbours,
   * segment boundaries (first and last record, covered instant), bursts and multi-item commits and
   * the millisecond before them, day boundaries, and random instants.
   */
  static NavigableSet<Long> interestingInstants(
      Server s, Workload w, String uuid, long earliest, long latest, int budget)
      throws IOException {
    Random r = w.random;
    NavigableSet<Long> picked = new TreeSet<>();
    picked.add(earliest);
    picked.add(Math.min(latest, earliest + 1));
    picked.add(latest);
    picked.add(Math.max(earliest, latest - 1));
    NavigableSet<Long> bases = new TreeSet<>();
    for (BackupRecord b : s.backups.bases(uuid)) {
      long t = b.position().commitTimeMillis();
      bases.add(t);
      bases.add(t - 1);
      bases.add(t + 1);
    }
    NavigableSet<Long> segs = new TreeSet<>();
    for (String name : segments(s, uuid)) {
      long[] p = Segment.parseName(name);
      Long first = w.model.timeOfSeq.get(p[0]);
      Long last = w.model.timeOfSeq.get(p[1]);
      if (first != null) {
        segs.add(first);
        segs.add(first - 1);
      }
      if (last != null) {
        segs.add(last);
      }
      segs.add(p[2]);
      segs.add(p[2] + 1);
    }
    NavigableSet<Long> bursts = new TreeSet<>();
    for (long t : w.burstTimes) {
      bursts.add(t);
      bursts.add(t - 1);
    }
    NavigableSet<Long> txs = new TreeSet<>();
    for (long t : w.multiItemTimes) {
      txs.add(t);
      txs.add(t - 1);
    }
    NavigableSet<Long> days = new TreeSet<>();
    for (long t : w.dayBoundaries) {
      days.add(t - 1);
      days.add(t);
      days.add(t + 1);
    }
    int share = Math.max(2, (budget - 4) / 6);
    for (NavigableSet<Long> set : List.of(bases, segs, bursts, txs, days)) {
      picked.addAll(spread(set.subSet(earliest, true, latest, true), share));
    }
    while (picked.size() < budget) {
      picked.add(earliest + (long) (r.nextDouble() * (latest - earliest + 1)));
    }
    return picked.subSet(earliest, true, latest, true);
  }

  // ---- the tests ------------------------------------------------------------------------------

  /** A run of the model under one seed. */
  @FunctionalInterface
  interface SeededRun {
    void run(long seed) throws Exception;
  }

  /** Runs under {@code -Dpitr.seed} or a fresh seed, and names the seed when anything fails. */
  private static void withSeed(String label, SeededRun run) {
    long seed = Long.getLong("pitr.seed", System.nanoTime());
    try {
      run.run(seed);
    } catch (Throwable t) {
      throw new AssertionError(
          label + " failed with seed " + seed + " (rerun with -Dpitr.seed=" + seed + ")", t);
    }
  }

  // Protects I5: a restore to any instant of the window equals the model's table at that instant,
  // items and index entries, through bursts, transactions, TTL deletions, clock jumps and steps
  // back; and I3: a server with only the store, and a deleted table's history, restore the same.
  @Test
  void restoresMatchTheModelAtEveryInstant(@TempDir Path dir) throws Exception {
    withSeed("PitrModelTest", seed -> runModel(dir, seed));
  }

  private void runModel(Path dir, long seed) throws Exception {
    int steps = LONG ? 20_000 : 2_500;
    int budget = LONG ? 400 : 90;
    Random random = new Random(seed);
    MemoryObjectStore store = new MemoryObjectStore();
    SymmetricKey key = SymmetricKey.random();
    Tally tally = new Tally();
    Workload w;
    String uuid;
    String arn;
    TableDefinition shape;
    long earliest;
    long latest;
    try (Server s = new Server(dir.resolve("primary"), store, key, START)) {
      Table main = s.db.catalog().create(definition(s.db, "orders"), Map.of());
      Table other = s.db.catalog().create(plainDefinition(s.db, "other"), Map.of());
      shape = main.definition();
      uuid = shape.tableId();
      arn = s.db.tableArn("orders");
      w = new Workload(seed, random, s, main, other);
      // Some history before PITR is on: it is in the first base, not in any segment.
      for (int i = 0; i < 40; i++) {
        w.step();
      }
      s.pitr.enable(main, null);
      s.observed();
      w.pitrOn = true;
      w.server.archiving = true;
      s.clock.addAndGet(1);
      for (int i = 0; i < steps; i++) {
        w.step();
      }
      s.sealAll();
      compareTable(s.db, main, w.model.current, shape, tally, "live table");

      PitrService.Status status = s.pitr.status(main);
      earliest = status.earliestMillis();
      latest = status.latestMillis();
      assertThat(latest)
          .as("latest covers the last commit")
          .isGreaterThanOrEqualTo(w.model.lastTime());
      int segmentCount = segments(s, uuid).size();
      int baseCount = availableBases(s, uuid).size();

      // Phase 1: the live server restores every interesting instant of the window.
      NavigableSet<Long> instants = interestingInstants(s, w, uuid, earliest, latest, budget);
      for (long t : instants) {
        restoreAndCompare(
            s, "orders", null, t, w.model.at(t), shape, tally, "seed " + seed + ", live, T=" + t);
      }
      restoreAndCompare(
          s, "orders", null, null, w.model.current, shape, tally, "seed " + seed + ", latest");
      expectRefused(s, "orders", null, earliest - 1, tally, "seed " + seed + ", before earliest");
      expectRefused(s, "orders", null, latest + 1, tally, "seed " + seed + ", after latest");

      // Phase 2: the disk is gone. A fresh server with an empty data directory and only the store
      // and the key finds the window and restores by ARN (I3).
      try (Server fresh = new Server(dir.resolve("fresh"), store, key, s.now())) {
        assertThat(fresh.db.catalog().names()).isEmpty();
        PitrService.Source source = fresh.pitr.sources(null, arn).get(0);
        long[] window = fresh.pitr.window(source);
        assertThat(window[0]).as("fresh server: earliest").isEqualTo(earliest);
        assertThat(window[1]).as("fresh server: latest").isGreaterThanOrEqualTo(w.model.lastTime());
        // The store may lag the live server's latest instant by the idle progress interval.
        for (long t : spread(instants.headSet(window[1], true), LONG ? 60 : 15)) {
          restoreAndCompare(
              fresh,
              null,
              arn,
              t,
              w.model.at(t),
              shape,
              tally,
              "seed " + seed + ", fresh server, T=" + t);
        }
      }

      // Phase 3: the table is deleted. Its SYSTEM backup holds it as deleted, and its window
      // stays restorable by ARN and by name.
      s.deleteAction.execute(CTX, WIRE.createObjectNode().put("TableName", "orders"));
      s.observed();
      s.awaitIdle();
      BackupRecord system =
          s.backups.list().stream()
              .filter(b -> "SYSTEM".equals(b.type()) && b.tableUuid().equals(uuid))
              .findFirst()
              .orElseThrow();
      s.restoreFromBackup.execute(
          CTX,
          WIRE.createObjectNode()
              .put("BackupArn", system.arn())
              .put("TargetTableName", "from-system"));
      s.awaitIdle();
      Table fromSystem = s.db.catalog().find("from-system").orElseThrow();
      compareTable(
          s.db, fromSystem, w.model.current, shape, tally, "seed " + seed + ", SYSTEM backup");
      PitrService.Source gone = s.pitr.sources(null, arn).get(0);
      assertThat(gone.liveTableId()).isNull();
      long goneLatest = s.pitr.window(gone)[1];
      assertThat(goneLatest).isGreaterThanOrEqualTo(w.model.lastTime());
      for (long t : spread(instants, LONG ? 60 : 12)) {
        restoreAndCompare(
            s, null, arn, t, w.model.at(t), shape, tally, "seed " + seed + ", deleted, T=" + t);
      }
      restoreAndCompare(
          s,
          "orders",
          null,
          goneLatest,
          w.model.current,
          shape,
          tally,
          "seed " + seed + ", deleted, by name");

      System.out.printf(
          "PitrModelTest seed=%d: %d commits (%d refused), %d records, %d segments, %d bases,"
              + " window %s..%s; %d restores compared (%d items, %d index entries), %d refusals%n",
          seed,
          w.commits,
          w.refused,
          w.records,
          segmentCount,
          baseCount,
          Instant.ofEpochMilli(earliest),
          Instant.ofEpochMilli(latest),
          tally.restoresCompared,
          tally.itemsCompared,
          tally.indexEntriesCompared,
          tally.refusalsChecked);
      assertThat(segmentCount).as("the run sealed many segments").isGreaterThan(20);
      assertThat(baseCount).as("the run took several bases").isGreaterThan(3);
    }
  }

  // Protects I6: as the clock crosses days and RecoveryPeriodInDays shrinks (35, 3, 1) and grows
  // back, pruning removes what lies wholly before the window from the store, and every instant
  // from the earliest to the latest restorable time still restores exactly.
  @Test
  void pruningKeepsEveryInstantOfTheWindow(@TempDir Path dir) throws Exception {
    withSeed("PitrModelTest (pruning)", seed -> runPruning(dir, seed));
  }

  private void runPruning(Path dir, long seed) throws Exception {
    Random random = new Random(seed);
    MemoryObjectStore store = new MemoryObjectStore();
    Tally tally = new Tally();
    int budget = LONG ? 80 : 14;
    try (Server s = new Server(dir.resolve("primary"), store, SymmetricKey.random(), START)) {
      Table main = s.db.catalog().create(definition(s.db, "orders"), Map.of());
      Table other = s.db.catalog().create(plainDefinition(s.db, "other"), Map.of());
      TableDefinition shape = main.definition();
      String uuid = shape.tableId();
      Workload w = new Workload(seed, random, s, main, other);
      s.pitr.enable(main, null);
      s.observed();
      s.clock.addAndGet(1);
      long dayZero = s.now();

      // Day 2.5 with the default 35 days: nothing lies before the window, nothing is pruned.
      runHours(w, 60);
      s.sealAll();
      int segmentsBefore = segments(s, uuid).size();
      int basesBefore = availableBases(s, uuid).size();
      s.pitr.pruneOnce();
      assertThat(segments(s, uuid)).as("35 days: no segment pruned").hasSize(segmentsBefore);
      assertThat(availableBases(s, uuid)).as("35 days: no base pruned").hasSize(basesBefore);
      checkWindow(s, w, uuid, shape, tally, budget, "seed " + seed + ", 35 days");

      // Day 5, 3 days: the first two days go.
      runHours(w, 60);
      s.sealAll();
      s.pitr.enable(main, 3);
      pruneAndCheck(s, w, uuid, shape, tally, budget, "seed " + seed + ", 3 days");
      assertThat(s.pitr.status(main).earliestMillis()).isGreaterThan(dayZero + DAY);

      // Day 7, 1 day.
      runHours(w, 48);
      s.sealAll();
      s.pitr.enable(main, 1);
      pruneAndCheck(s, w, uuid, shape, tally, budget, "seed " + seed + ", 1 day");

      // Back to 35 days: what was pruned cannot come back, so the window must not claim it.
      s.pitr.enable(main, 35);
      runHours(w, 30);
      s.sealAll();
      pruneAndCheck(s, w, uuid, shape, tally, budget, "seed " + seed + ", 35 days again");

      System.out.printf(
          "PitrModelTest pruning seed=%d: %d commits, %d records over %d days; %d restores"
              + " compared, %d refusals%n",
          seed,
          w.commits,
          w.records,
          (s.now() - dayZero) / DAY,
          tally.restoresCompared,
          tally.refusalsChecked);
    }
  }

  // Protects the window's life cycle: disabling PITR ends the window and deletes its archive,
  // re-enabling starts a new window that restores exactly, and once a deleted table's recovery
  // period has passed its whole history leaves the store.
  @Test
  void disableReenableAndExpiry(@TempDir Path dir) throws Exception {
    withSeed("PitrModelTest (life cycle)", seed -> runLifeCycle(dir, seed));
  }

  private void runLifeCycle(Path dir, long seed) throws Exception {
    Random random = new Random(seed);
    MemoryObjectStore store = new MemoryObjectStore();
    Tally tally = new Tally();
    try (Server s = new Server(dir.resolve("primary"), store, SymmetricKey.random(), START)) {
      Table main = s.db.catalog().create(definition(s.db, "orders"), Map.of());
      Table other = s.db.catalog().create(plainDefinition(s.db, "other"), Map.of());
      TableDefinition shape = main.definition();
      String uuid = shape.tableId();
      String arn = s.db.tableArn("orders");
      Workload w = new Workload(seed, random, s, main, other);
      s.pitr.enable(main, null);
      s.observed();
      w.pitrOn = true;
      w.server.archiving = true;
      for (int i = 0; i < 300; i++) {
        w.step();
      }
      s.sealAll();
      assertThat(segments(s, uuid)).isNotEmpty();

      s.pitr.disable(main);
      w.pitrOn = false;
      w.server.archiving = false;
      s.awaitIdle();
      assertThat(s.pitr.status(main).enabled()).isFalse();
      assertThat(segments(s, uuid)).as("seed %d: segments after disabling", seed).isEmpty();
      assertThat(availableBases(s, uuid)).as("seed %d: bases after disabling", seed).isEmpty();
      assertThat(store.list(BackupLayout.dataPrefix(uuid)))
          .as("seed %d: base data after disabling", seed)
          .isEmpty();
      DynamoException off = null;
      try {
        s.restoreAction.execute(CTX, restoreRequest("orders", null, null, "nope"));
      } catch (DynamoException e) {
        off = e;
      }
      assertThat(off).isNotNull();
      assertThat(off.error()).isEqualTo(WireError.POINT_IN_TIME_RECOVERY_UNAVAILABLE);

      for (int i = 0; i < 200; i++) {
        w.step();
      }
      long reenabledAfter = w.model.lastTime();
      s.clock.addAndGet(1);
      s.pitr.enable(main, 2);
      s.observed();
      w.pitrOn = true;
      w.server.archiving = true;
      for (int i = 0; i < 300; i++) {
        w.step();
      }
      s.sealAll();
      PitrService.Status st = s.pitr.status(main);
      // Not later than the last commit when the clock stepped back below it while PITR was off:
      // the window then opens at that commit's instant, which its base already holds.
      assertThat(st.earliestMillis())
          .as("seed %d: re-enabling starts a new window", seed)
          .isGreaterThanOrEqualTo(reenabledAfter);
      for (long t : interestingInstants(s, w, uuid, st.earliestMillis(), st.latestMillis(), 12)) {
        restoreAndCompare(
            s,
            "orders",
            null,
            t,
            w.model.at(t),
            shape,
            tally,
            "seed " + seed + ", new window, T=" + t);
      }
      expectRefused(
          s, "orders", null, st.earliestMillis() - 1, tally, "seed " + seed + ", the old window");

      // Deleted, then kept for its 2-day period, then gone from the store.
      s.deleteAction.execute(CTX, WIRE.createObjectNode().put("TableName", "orders"));
      s.observed();
      s.awaitIdle();
      restoreAndCompare(
          s, null, arn, null, w.model.current, shape, tally, "seed " + seed + ", deleted, latest");
      s.clock.addAndGet(2 * DAY - HOUR);
      s.pitr.pruneOnce();
      restoreAndCompare(
          s, null, arn, null, w.model.current, shape, tally, "seed " + seed + ", deleted, day 2");
      s.clock.addAndGet(2 * HOUR);
      s.pitr.pruneOnce();
      s.awaitIdle();
      assertThat(store.list("pitr/" + uuid + "/"))
          .as("seed %d: the expired history left the store", seed)
          .isEmpty();
      assertThat(availableBases(s, uuid)).isEmpty();
      DynamoException gone = null;
      try {
        s.restoreAction.execute(CTX, restoreRequest(null, arn, null, "nope"));
      } catch (DynamoException e) {
        gone = e;
      }
      assertThat(gone).as("seed %d: restore of an expired history", seed).isNotNull();
      assertThat(gone.error()).isEqualTo(WireError.TABLE_NOT_FOUND);
      System.out.printf(
          "PitrModelTest life cycle seed=%d: %d commits, %d restores compared%n",
          seed, w.commits, tally.restoresCompared);
    }
  }

  /** Simulated hours of light traffic, with the archiver running at the end of each. */
  private static void runHours(Workload w, int hours) throws InterruptedException {
    for (int h = 0; h < hours; h++) {
      for (int i = 0, n = w.random.nextInt(8); i < n; i++) {
        int dice = w.random.nextInt(10);
        Set<String> used = new LinkedHashSet<>();
        if (dice < 7) {
          w.commit(List.of(w.randomMainOp(used)), ChangeRecord.Origin.USER);
        } else {
          w.commit(List.of(w.randomMainOp(used), w.randomMainOp(used)), ChangeRecord.Origin.USER);
        }
        w.server.clock.addAndGet(w.random.nextInt(30));
      }
      w.server.clock.addAndGet(CONFIG.sealAfterMillis() + 1);
      w.server.archive();
      w.server.awaitIdle();
      w.server.clock.addAndGet(HOUR - 30L * 8 + w.random.nextInt(60_000));
    }
  }

  /**
   * Prunes, then checks that what lies wholly before the window left the store (segments, base
   * manifests, their unshared data objects) and that the window still restores exactly.
   */
  private static void pruneAndCheck(
      Server s,
      Workload w,
      String uuid,
      TableDefinition shape,
      Tally tally,
      int budget,
      String what)
      throws Exception {
    BackupRepository repo = s.backups.repository();
    List<String> segmentsBefore = segments(s, uuid);
    List<BackupRecord> basesBefore = availableBases(s, uuid);
    int dataBefore = repo.store().list(BackupLayout.dataPrefix(uuid)).size();
    long earliest = s.pitr.status(s.db.catalog().find("orders").orElseThrow()).earliestMillis();
    s.pitr.pruneOnce();

    BackupRecord keep = null;
    for (BackupRecord b : basesBefore) {
      if (b.position().commitTimeMillis() <= earliest
          && (keep == null || b.position().seq() > keep.position().seq())) {
        keep = b;
      }
    }
    assertThat(keep).as("%s: a base at or before the earliest instant exists", what).isNotNull();
    long keepSeq = keep.position().seq();
    List<String> segmentsAfter = segments(s, uuid);
    List<BackupRecord> basesAfter = availableBases(s, uuid);
    for (String name : segmentsBefore) {
      boolean wholyBefore = Segment.parseName(name)[1] <= keepSeq;
      assertThat(segmentsAfter.contains(name))
          .as("%s: segment %s (kept base at seq %d)", what, name, keepSeq)
          .isEqualTo(!wholyBefore);
      assertThat(repo.store().exists(name)).isEqualTo(!wholyBefore);
    }
    for (BackupRecord b : basesBefore) {
      boolean older = b.position().seq() < keepSeq;
      assertThat(basesAfter.stream().anyMatch(a -> a.arn().equals(b.arn())))
          .as("%s: base at %d", what, b.position().commitTimeMillis())
          .isEqualTo(!older);
      assertThat(repo.store().exists(b.manifestName())).isEqualTo(!older);
    }
    // No orphans: every data object left is referenced by a remaining manifest.
    Set<String> referenced = new LinkedHashSet<>();
    for (BackupRecord b : s.backups.list()) {
      if (b.tableUuid().equals(uuid)) {
        referenced.addAll(repo.readManifest(b.manifestName()).objectNames());
      }
    }
    for (BackupRecord b : basesAfter) {
      referenced.addAll(repo.readManifest(b.manifestName()).objectNames());
    }
    List<String> dataAfter = repo.store().list(BackupLayout.dataPrefix(uuid));
    assertThat(referenced)
        .as("%s: data objects left", what)
        .containsExactlyInAnyOrderElementsOf(dataAfter);
    System.out.printf(
        "PitrModelTest %s: pruned %d of %d segments, %d of %d bases, %d of %d data objects%n",
        what,
        segmentsBefore.size() - segmentsAfter.size(),
        segmentsBefore.size(),
        basesBefore.size() - basesAfter.size(),
        basesBefore.size(),
        dataBefore - dataAfter.size(),
        dataBefore);
    checkWindow(s, w, uuid, shape, tally, budget, what);
  }

  /** Every instant of the window restores exactly; the millisecond before it is refused. */
  private static void checkWindow(
      Server s,
      Workload w,
      String uuid,
      TableDefinition shape,
      Tally tally,
      int budget,
      String what)
      throws Exception {
    PitrService.Status status = s.pitr.status(s.db.catalog().find("orders").orElseThrow());
    long earliest = status.earliestMillis();
    long latest = status.latestMillis();
    assertThat(latest)
        .as("%s: latest covers the last commit", what)
        .isGreaterThanOrEqualTo(w.model.lastTime());
    for (long t : interestingInstants(s, w, uuid, earliest, latest, budget)) {
      restoreAndCompare(s, "orders", null, t, w.model.at(t), shape, tally, what + ", T=" + t);
    }
    expectRefused(s, "orders", null, earliest - 1, tally, what + ", before earliest");
  }
}
