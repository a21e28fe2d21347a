package dev.tidemark.pitr;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.api.RequestContext;
import dev.tidemark.api.actions.UpdateTable;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.store.MemoryObjectStore;
import dev.tidemark.changelog.ChangeRecord;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.tables.IndexDefinition;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.TableDefinition;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restores of a table whose global indexes changed after its last base snapshot. As on DynamoDB, a
 * point-in-time restore of a live table gets the table's current indexes; their entries must then
 * be exactly those of the restored items, even though the base snapshot predates the index or holds
 * another, deleted index under the same storage number.
 */
class PitrIndexChangeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final RequestContext CTX =
      new RequestContext("index-change", CallerIdentity.anonymous("us-east-1"), 0);

  private static void waitActive(PitrModelTest.Server s, String index) throws InterruptedException {
    for (int i = 0; i < 1000; i++) {
      IndexDefinition d =
          s.db.catalog().find("orders").orElseThrow().definition().index(index).orElseThrow();
      if (IndexDefinition.ACTIVE.equals(d.status())) {
        return;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("index " + index + " was not backfilled");
  }

  static void createGsi(PitrModelTest.Server s, String index, String attribute) throws Exception {
    String req =
        "{\"TableName\":\"orders\",\"AttributeDefinitions\":[{\"AttributeName\":\""
            + attribute
            + "\",\"AttributeType\":\"S\"}],\"GlobalSecondaryIndexUpdates\":[{\"Create\":"
            + "{\"IndexName\":\""
            + index
            + "\",\"KeySchema\":[{\"AttributeName\":\""
            + attribute
            + "\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL\"}}}]}";
    new UpdateTable(s.db).execute(CTX, JSON.readTree(req));
    waitActive(s, index);
  }

  static void deleteGsi(PitrModelTest.Server s, String index) throws Exception {
    String req =
        "{\"TableName\":\"orders\",\"GlobalSecondaryIndexUpdates\":[{\"Delete\":{\"IndexName\":\""
            + index
            + "\"}}]}";
    new UpdateTable(s.db).execute(CTX, JSON.readTree(req));
  }

  // Protects I5 for indexes: a GSI created after the base, and one that reuses a deleted GSI's
  // storage number, hold exactly the entries of the restored items.
  @Test
  void restoredIndexesMatchItemsAfterIndexChanges(@TempDir Path dir) throws Exception {
    long seed = Long.getLong("pitr.seed", System.nanoTime());
    Random random = new Random(seed);
    PitrModelTest.Tally tally = new PitrModelTest.Tally();
    try (PitrModelTest.Server s =
        new PitrModelTest.Server(
            dir, new MemoryObjectStore(), SymmetricKey.random(), 1_800_000_000_000L)) {
      Table main = s.db.catalog().create(PitrModelTest.definition(s.db, "orders"), Map.of());
      Table other = s.db.catalog().create(PitrModelTest.plainDefinition(s.db, "other"), Map.of());
      PitrModelTest.Workload w = new PitrModelTest.Workload(seed, random, s, main, other);
      for (int i = 0; i < 30; i++) {
        Map<String, AttributeValue> key = w.randomKey();
        Map<String, AttributeValue> item = new LinkedHashMap<>(w.randomItem(key));
        item.put("region", new AttributeValue.S("r" + (i % 3)));
        w.commit(
            List.of(new PitrModelTest.Op(main, key, current -> item)), ChangeRecord.Origin.USER);
        s.clock.addAndGet(1 + random.nextInt(5));
      }
      // The first base snapshot holds these items and their entries in the original indexes.
      s.pitr.enable(main, null);
      s.observed();
      s.clock.addAndGet(5);
      w.commit(List.of(w.update(w.existingKeyOrRandom())), ChangeRecord.Origin.USER);
      long beforeIndexChanges = w.model.lastTime();
      s.clock.addAndGet(10);

      // A new GSI over items the base already holds; then another GSI takes the storage number of
      // a deleted one.
      int ownerNumber = main.definition().index("byOwner").orElseThrow().number();
      createGsi(s, "byRegion", "region");
      deleteGsi(s, "byOwner");
      createGsi(s, "byV", "v");
      TableDefinition shape = s.db.catalog().find("orders").orElseThrow().definition();
      assertThat(shape.index("byV").orElseThrow().number())
          .as("the new index reuses the deleted one's number")
          .isEqualTo(ownerNumber);
      for (int i = 0; i < 5; i++) {
        w.commit(List.of(w.update(w.existingKeyOrRandom())), ChangeRecord.Origin.USER);
        s.clock.addAndGet(2);
      }
      s.sealAll();
      PitrModelTest.compareTable(s.db, main, w.model.current, shape, tally, "live table");

      PitrModelTest.restoreAndCompare(
          s, "orders", null, null, w.model.current, shape, tally, "seed " + seed + ", latest");
      PitrModelTest.restoreAndCompare(
          s,
          "orders",
          null,
          beforeIndexChanges,
          w.model.at(beforeIndexChanges),
          shape,
          tally,
          "seed " + seed + ", before the index changes");
      PitrModelTest.restoreAndCompare(
          s,
          "orders",
          null,
          s.pitr.status(main).earliestMillis(),
          w.model.at(s.pitr.status(main).earliestMillis()),
          shape,
          tally,
          "seed " + seed + ", earliest");
      assertThat(tally.restoresCompared).isEqualTo(3);
    }
  }
}
