package dev.tidemark.indexes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.api.ItemKeys;
import dev.tidemark.changelog.ChangeRecord;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.model.ItemSize;
import dev.tidemark.storage.Cursor;
import dev.tidemark.storage.ItemCodec;
import dev.tidemark.storage.RocksStorage;
import dev.tidemark.storage.Storage;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.IndexDefinition;
import dev.tidemark.tables.KeySchema;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.TableCatalog;
import dev.tidemark.tables.TableDefinition;
import dev.tidemark.tables.WritePath;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Index maintenance and backfill against the storage directly: after any interleaving of writers
 * and backfill, after a restart mid-backfill, and when a catalog from before index data is opened,
 * an index holds exactly the entries its table's items call for, and its counters agree.
 */
class IndexBackfillTest {
  private static final long SEED = Long.getLong("tidemark.seed", 20261121L);
  private static final KeySchema TABLE_KEYS =
      new KeySchema("pk", AttributeValue.Type.S, "sk", AttributeValue.Type.N);
  private static final IndexDefinition BY_G =
      new IndexDefinition(
          "by_g",
          true,
          new KeySchema("g", AttributeValue.Type.S, "sk", AttributeValue.Type.N),
          "INCLUDE",
          List.of("v"),
          null);

  static Database open(Storage storage) {
    return new Database(storage, System::currentTimeMillis, false, "us-east-1", "000000000000");
  }

  static Table createTable(Database db, List<IndexDefinition> lsis, List<IndexDefinition> gsis) {
    Map<String, AttributeValue.Type> defs = new LinkedHashMap<>();
    defs.put("pk", AttributeValue.Type.S);
    defs.put("sk", AttributeValue.Type.N);
    for (IndexDefinition i : lsis) {
      defs.put(i.keySchema().rangeName(), i.keySchema().rangeType());
    }
    for (IndexDefinition i : gsis) {
      defs.put(i.keySchema().hashName(), i.keySchema().hashType());
    }
    synchronized (db.catalog()) {
      return db.catalog()
          .create(
              new TableDefinition(
                  "t",
                  db.catalog().allocateId(),
                  UUID.randomUUID().toString(),
                  0,
                  TABLE_KEYS,
                  defs,
                  TableDefinition.PAY_PER_REQUEST,
                  null,
                  lsis,
                  gsis,
                  null,
                  null,
                  null,
                  null,
                  null,
                  false,
                  0),
              Map.of());
    }
  }

  static Map<String, AttributeValue> item(Random rnd, int sk) {
    Map<String, AttributeValue> item = new LinkedHashMap<>();
    item.put("pk", new AttributeValue.S("p" + (sk % 37)));
    item.put("sk", new AttributeValue.N(BigDecimal.valueOf(sk)));
    if (rnd.nextInt(5) > 0) {
      item.put("g", new AttributeValue.S("g" + rnd.nextInt(7)));
    }
    item.put("v", new AttributeValue.S("v" + rnd.nextInt(1000)));
    item.put("w", new AttributeValue.N(BigDecimal.valueOf(rnd.nextInt(100))));
    return item;
  }

  static Map<String, AttributeValue> keyOf(int sk) {
    Map<String, AttributeValue> key = new LinkedHashMap<>();
    key.put("pk", new AttributeValue.S("p" + (sk % 37)));
    key.put("sk", new AttributeValue.N(BigDecimal.valueOf(sk)));
    return key;
  }

  /** One commit writing (or, for null items, deleting) several distinct keys. */
  static void commit(Database db, Table t, Map<Integer, Map<String, AttributeValue>> writes) {
    List<WritePath.ItemWrite> list = new ArrayList<>();
    for (Map.Entry<Integer, Map<String, AttributeValue>> w : writes.entrySet()) {
      Map<String, AttributeValue> key = keyOf(w.getKey());
      Map<String, AttributeValue> next = w.getValue();
      list.add(
          new WritePath.ItemWrite(t, ItemKeys.storageKey(TABLE_KEYS, key), key, current -> next));
    }
    db.writePath().commit(list, ChangeRecord.Origin.USER);
  }

  static void load(Database db, Table t, Random rnd, int count) {
    for (int i = 0; i < count; i += 100) {
      Map<Integer, Map<String, AttributeValue>> batch = new TreeMap<>();
      for (int sk = i; sk < Math.min(count, i + 100); sk++) {
        batch.put(sk, item(rnd, sk));
      }
      commit(db, t, batch);
    }
  }

  /** Entries the table's items call for: hex key to hex value. */
  static Map<String, String> expected(Database db, Table t, IndexDefinition index) {
    Map<String, String> out = new TreeMap<>();
    try (Cursor c =
        db.storage().scan(t.id(), ItemKeys.itemsLower(), ItemKeys.itemsUpper(), false)) {
      while (c.next()) {
        Map<String, AttributeValue> item = ItemCodec.decode(c.value());
        if (IndexEntries.indexed(index, item)) {
          out.put(
              hex(IndexEntries.key(TABLE_KEYS, index, item)),
              hex(ItemCodec.encode(IndexEntries.project(TABLE_KEYS, index, item))));
        }
      }
    }
    return out;
  }

  static Map<String, String> actual(Database db, Table t, IndexDefinition index) {
    Map<String, String> out = new TreeMap<>();
    try (Cursor c =
        db.storage().scan(t.id(), IndexEntries.lower(index), IndexEntries.upper(index), false)) {
      while (c.next()) {
        out.put(hex(c.key()), hex(c.value()));
      }
    }
    return out;
  }

  static void assertConsistent(Database db, Table t, String indexName, String context) {
    IndexDefinition index = t.definition().index(indexName).orElseThrow();
    Map<String, String> expected = expected(db, t, index);
    assertThat(actual(db, t, index)).as(context).isEqualTo(expected);
    long size = 0;
    for (String v : expected.values()) {
      size += ItemSize.of(ItemCodec.decode(HexFormat.of().parseHex(v)));
    }
    assertThat(db.indexes().stats(t.id(), index))
        .as(context)
        .isEqualTo(new IndexStats(expected.size(), size));
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  static void awaitActive(Table t, String indexName) throws InterruptedException {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (!IndexDefinition.ACTIVE.equals(t.definition().index(indexName).orElseThrow().status())) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("index " + indexName + " never became ACTIVE");
      }
      Thread.sleep(5);
    }
  }

  // Protects backfill under concurrent writes: no entry missed, none doubled, counters exact.
  @Test
  void backfillRacingWritersLosesNothing() throws Exception {
    String context = "seed " + SEED + " (rerun with -Dtidemark.seed=" + SEED + ")";
    try (Database db = open(RocksStorage.inMemory())) {
      Table t = createTable(db, List.of(), List.of());
      load(db, t, new Random(SEED), 3000);
      AtomicBoolean active = new AtomicBoolean();
      AtomicInteger afterActive = new AtomicInteger();
      List<Thread> writers = new ArrayList<>();
      List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
      for (int w = 0; w < 3; w++) {
        Random rnd = new Random(SEED + 1 + w);
        Thread thread =
            new Thread(
                () -> {
                  try {
                    // Each writer keeps going until it has done 200 commits after activation.
                    int late = 0;
                    while (late < 200) {
                      Map<Integer, Map<String, AttributeValue>> batch = new TreeMap<>();
                      int n = 1 + rnd.nextInt(3);
                      for (int i = 0; i < n; i++) {
                        int sk = rnd.nextInt(4000);
                        batch.put(sk, rnd.nextInt(4) == 0 ? null : item(rnd, sk));
                      }
                      commit(db, t, batch);
                      if (active.get()) {
                        late++;
                        afterActive.incrementAndGet();
                      }
                    }
                  } catch (Throwable e) {
                    failures.add(e);
                  }
                });
        writers.add(thread);
        thread.start();
      }
      synchronized (db.catalog()) {
        Map<String, AttributeValue.Type> defs =
            new LinkedHashMap<>(t.definition().attributeDefinitions());
        defs.put("g", AttributeValue.Type.S);
        db.indexes().createGlobal(t, t.definition(), BY_G, defs);
      }
      awaitActive(t, "by_g");
      active.set(true);
      for (Thread thread : writers) {
        thread.join();
      }
      assertThat(failures).as(context).isEmpty();
      assertThat(afterActive.get()).isEqualTo(600);
      assertConsistent(db, t, "by_g", context);
    }
  }

  // Protects restart in the middle of a backfill: the walk resumes and counts nothing twice.
  @Test
  void interruptedBackfillResumesAfterRestart(@TempDir Path dir) throws Exception {
    Random rnd = new Random(SEED);
    try (Database db = open(RocksStorage.open(dir))) {
      Table t = createTable(db, List.of(), List.of());
      load(db, t, rnd, 700);
      // The index appears as CREATING, but the process stops before any backfill batch ran.
      synchronized (db.catalog()) {
        TableDefinition d = t.definition();
        Map<String, AttributeValue.Type> defs = new LinkedHashMap<>(d.attributeDefinitions());
        defs.put("g", AttributeValue.Type.S);
        TableDefinition creating =
            d.withIndexes(defs, List.of(), List.of(BY_G.withStatus(IndexDefinition.CREATING)))
                .withIndexNumbers();
        db.writePath().exclusive(() -> db.catalog().update(t, creating));
      }
      // Writes while CREATING are maintained; some replace items that have no entry yet.
      Map<Integer, Map<String, AttributeValue>> batch = new TreeMap<>();
      for (int sk = 0; sk < 60; sk++) {
        batch.put(sk * 11, sk % 5 == 0 ? null : item(rnd, sk * 11));
      }
      commit(db, t, batch);
    }
    try (Database db = open(RocksStorage.open(dir))) {
      Table t = db.catalog().find("t").orElseThrow();
      awaitActive(t, "by_g");
      assertConsistent(db, t, "by_g", "after restart");
    }
  }

  // Protects tables that arrive with a CREATING index (a restored snapshot): the build finishes.
  @Test
  void creatingIndexOfAnArrivingTableIsBuilt() throws Exception {
    try (Database db = open(RocksStorage.inMemory())) {
      Table t = createTable(db, List.of(), List.of());
      load(db, t, new Random(SEED), 300);
      synchronized (db.catalog()) {
        TableDefinition d = t.definition();
        Map<String, AttributeValue.Type> defs = new LinkedHashMap<>(d.attributeDefinitions());
        defs.put("g", AttributeValue.Type.S);
        TableDefinition creating =
            d.withIndexes(defs, List.of(), List.of(BY_G.withStatus(IndexDefinition.CREATING)))
                .withIndexNumbers();
        db.writePath().exclusive(() -> db.catalog().update(t, creating));
      }
      db.indexes().resumeBuilds(t);
      awaitActive(t, "by_g");
      assertConsistent(db, t, "by_g", "built after arrival");
    }
  }

  // Protects upgrading a catalog written before index data: indexes get numbers and are built.
  @Test
  void indexesDeclaredBeforeIndexDataAreBuiltOnOpen(@TempDir Path dir) throws Exception {
    IndexDefinition lsi =
        new IndexDefinition(
            "by_w",
            false,
            new KeySchema("pk", AttributeValue.Type.S, "w", AttributeValue.Type.N),
            "KEYS_ONLY",
            List.of(),
            null);
    try (Database db = open(RocksStorage.open(dir))) {
      Table t = createTable(db, List.of(), List.of());
      // What an older server stored: index definitions without numbers, and no entries.
      synchronized (db.catalog()) {
        TableDefinition d = t.definition();
        Map<String, AttributeValue.Type> defs = new LinkedHashMap<>(d.attributeDefinitions());
        defs.put("g", AttributeValue.Type.S);
        defs.put("w", AttributeValue.Type.N);
        db.catalog().update(t, d.withIndexes(defs, List.of(lsi), List.of(BY_G)));
      }
      load(db, t, new Random(SEED), 500);
      assertThat(actual(db, t, BY_G.withNumber(2))).isEmpty();
    }
    try (Database db = open(RocksStorage.open(dir))) {
      Table t = db.catalog().find("t").orElseThrow();
      assertThat(t.definition().allIndexes()).allSatisfy(i -> assertThat(i.number()).isPositive());
      awaitActive(t, "by_g");
      awaitActive(t, "by_w");
      assertConsistent(db, t, "by_g", "global index of an old catalog");
      assertConsistent(db, t, "by_w", "local index of an old catalog");
    }
  }

  // Protects index deletion: entries and counters go in one batch; a new index starts empty.
  @Test
  void deletedIndexLeavesNoEntries() throws Exception {
    try (Database db = open(RocksStorage.inMemory())) {
      Table t = createTable(db, List.of(), List.of(BY_G));
      load(db, t, new Random(SEED), 400);
      IndexDefinition before = t.definition().index("by_g").orElseThrow();
      assertConsistent(db, t, "by_g", "maintained from creation");
      assertThat(actual(db, t, before)).isNotEmpty();
      synchronized (db.catalog()) {
        db.indexes().deleteGlobal(t, t.definition(), "by_g");
      }
      assertThat(t.definition().index("by_g")).isEmpty();
      assertThat(actual(db, t, before)).isEmpty();
      assertThat(db.storage().getMeta(TableCatalog.indexStatsKey(t.id(), before.number())))
          .isNull();
    }
  }
}
