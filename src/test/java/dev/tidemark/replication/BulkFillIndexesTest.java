package dev.tidemark.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.ItemKeys;
import dev.tidemark.changelog.ItemStamp;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.indexes.IndexEntries;
import dev.tidemark.indexes.IndexStats;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.model.ItemSize;
import dev.tidemark.storage.ItemCodec;
import dev.tidemark.storage.RocksStorage;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.IndexDefinition;
import dev.tidemark.tables.KeySchema;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.TableDefinition;
import dev.tidemark.tables.TestTables;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replica's side of a bulk fill of a table with a secondary index: index entries are taken as
 * the source stored them only when both sides declare the same index, only under the table's own
 * index numbers, and the index's counters are those of the entries that arrived.
 */
class BulkFillIndexesTest {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Base64.Encoder B64 = Base64.getEncoder();

  private static IndexDefinition byG(String projection) {
    return new IndexDefinition(
        "byG",
        true,
        new KeySchema("g", AttributeValue.Type.S, null, null),
        projection,
        List.of(),
        null,
        0,
        IndexDefinition.ACTIVE);
  }

  /** A CREATING table {@code t} with the ACTIVE index byG (projection ALL), as a new replica. */
  private static Table replica(Database db) {
    TableDefinition plain = TestTables.definition("t", db.catalog().allocateId(), null);
    TableDefinition d =
        plain
            .withIndexes(
                Map.of("pk", AttributeValue.Type.S, "g", AttributeValue.Type.S),
                List.of(),
                List.of(byG("ALL")))
            .withIndexNumbers();
    Table t = db.catalog().create(d, Map.of());
    t.markStatus("CREATING");
    return t;
  }

  private static BulkFillReceiver receiver(Database db, Path dir) {
    BulkFillReceiver r = new BulkFillReceiver(db);
    r.useScratch(dir.resolve("scratch"));
    return r;
  }

  private static ArrayNode shapes(IndexDefinition... indexes) {
    ArrayNode a = NODES.arrayNode();
    for (IndexDefinition i : indexes) {
      a.add(BulkFillReceiver.shape(i));
    }
    return a;
  }

  private static ObjectNode frame(String session, long seq, byte[]... keysAndValues) {
    ObjectNode f = NODES.objectNode().put("session", session).put("seq", seq);
    ArrayNode entries = f.putArray("entries");
    for (int i = 0; i < keysAndValues.length; i += 2) {
      entries
          .addArray()
          .add(B64.encodeToString(keysAndValues[i]))
          .add(B64.encodeToString(keysAndValues[i + 1]));
    }
    return f;
  }

  private static Database open(Path dir) {
    return new Database(
        RocksStorage.open(dir.resolve("data")), () -> 1_000, true, "eu-west-1", "000000000000");
  }

  // A replica whose index differs from the source's in what shapes its entries (projection,
  // another index, one missing) must not take the source's entries: they would be wrong here.
  @Test
  void indexesThatDifferFromTheSourcesAreFilledThroughTheWritePath(@TempDir Path dir) {
    try (Database db = open(dir)) {
      Table t = replica(db);
      BulkFillReceiver fill = receiver(db, dir);
      assertThat(fill.open(t, "s", shapes(byG("KEYS_ONLY"))).path("bulk").asBoolean()).isFalse();
      assertThat(fill.open(t, "s", shapes()).path("bulk").asBoolean()).isFalse();
      IndexDefinition other =
          new IndexDefinition(
              "byH",
              true,
              new KeySchema("h", AttributeValue.Type.S, null, null),
              "ALL",
              List.of(),
              null,
              0,
              IndexDefinition.ACTIVE);
      assertThat(fill.open(t, "s", shapes(byG("ALL"), other)).path("bulk").asBoolean()).isFalse();
      JsonNode opened = fill.open(t, "s", shapes(byG("ALL")));
      assertThat(opened.path("bulk").asBoolean()).isTrue();
      assertThat(opened.path("indexes").path("byG").asInt())
          .isEqualTo(t.definition().allIndexes().get(0).number());
    }
  }

  // Entries arrive under the replica's index number and become the index's entries, with
  // counters equal to what the write path would have kept; an entry under a number that is no
  // index of this table is refused and nothing is loaded.
  @Test
  void indexEntriesAreLoadedWithTheirCountersAndOnlyUnderTheTablesNumbers(@TempDir Path dir) {
    try (Database db = open(dir)) {
      Table t = replica(db);
      IndexDefinition index = t.definition().allIndexes().get(0);
      BulkFillReceiver fill = receiver(db, dir);
      Map<String, AttributeValue> item =
          Map.of("pk", AttributeValue.s("a"), "g", AttributeValue.s("x"), "v", AttributeValue.n(1));
      byte[] itemKey = ItemKeys.storageKey(t.keySchema(), item);
      byte[] entryKey = IndexEntries.key(t.keySchema(), index, item);
      Map<String, AttributeValue> projected = IndexEntries.project(t.keySchema(), index, item);
      byte[] stamp = new ItemStamp(900, 0, "us-east-1").encode(false);

      assertThat(fill.open(t, "bad", shapes(byG("ALL"))).path("bulk").asBoolean()).isTrue();
      byte[] strayKey = entryKey.clone();
      strayKey[0] = (byte) (index.number() + 1);
      assertThatThrownBy(
              () ->
                  fill.put(
                      t,
                      frame("bad", 1, itemKey, ItemCodec.encode(item), strayKey, new byte[] {0})))
          .isInstanceOf(DynamoException.class)
          .hasMessageContaining("entries of the table's indexes");

      assertThat(fill.open(t, "s", shapes(byG("ALL"))).path("bulk").asBoolean()).isTrue();
      fill.put(
          t,
          frame(
              "s",
              1,
              itemKey,
              ItemCodec.encode(item),
              entryKey,
              ItemCodec.encode(projected),
              ItemStamp.storageKey(itemKey),
              stamp));
      JsonNode done = fill.finish(t, NODES.objectNode().put("session", "s").put("entries", 3));
      assertThat(done.path("items").asLong()).isEqualTo(1);
      assertThat(db.storage().get(t.id(), entryKey)).isEqualTo(ItemCodec.encode(projected));
      assertThat(db.indexes().stats(t.id(), index))
          .isEqualTo(new IndexStats(1, ItemSize.of(projected)));
      assertThat(t.itemCount()).isEqualTo(1);
    }
  }
}
