package dev.tidemark.tables;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.api.ItemKeys;
import dev.tidemark.changelog.ChangeRecord;
import dev.tidemark.changelog.ItemStamp;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.storage.RocksStorage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write path of replicated tables: the stamp stored with each item and carried by its change
 * record, the merge rule for replicated writes (higher stamp wins, whole item), tombstones, and the
 * REPLICATION origin; and that a regional table stores no stamps at all.
 */
class ReplicatedWritePathTest {
  private final AtomicLong clock = new AtomicLong(1_000_000);

  private Database open(Path dir) {
    return new Database(RocksStorage.open(dir), clock::get, true, "eu-west-1", "000000000000");
  }

  private static Map<String, AttributeValue> item(String pk, long v) {
    Map<String, AttributeValue> m = new LinkedHashMap<>();
    m.put("pk", AttributeValue.s(pk));
    m.put("v", AttributeValue.n(v));
    return m;
  }

  private static byte[] key(String pk) {
    return ItemKeys.storageKey(
        new KeySchema("pk", AttributeValue.Type.S, null, null), Map.of("pk", AttributeValue.s(pk)));
  }

  private static WritePath.Outcome write(
      Database db, Table t, String pk, Map<String, AttributeValue> image, ItemStamp stamp) {
    return db.writePath()
        .commit(
            List.of(
                new WritePath.ItemWrite(
                    t, key(pk), Map.of("pk", AttributeValue.s(pk)), c -> image, stamp)),
            stamp == null ? ChangeRecord.Origin.USER : ChangeRecord.Origin.REPLICATION)
        .get(0);
  }

  private static ItemStamp stored(Database db, Table t, String pk) {
    return ItemStamp.decode(db.storage().get(t.id(), ItemStamp.storageKey(key(pk))));
  }

  // Protects the stamp contract: local writes are stamped above what they replace, atomically with
  // the item and in the change record; replicated writes apply only when newer.
  @Test
  void replicatedWritesApplyOnlyWhenNewer(@TempDir Path dir) {
    try (Database db = open(dir)) {
      Table t = TestTables.create(db, "g", "NEW_AND_OLD_IMAGES");
      t.replication(new Replication("eu-west-1", "grp", List.of()));
      write(db, t, "a", item("a", 1), null);
      assertThat(stored(db, t, "a")).isEqualTo(new ItemStamp(1_000_000, 0, "eu-west-1"));
      // A remote version from a clock ahead of ours wins; our next write then goes above it.
      ItemStamp ahead = new ItemStamp(1_000_500, 0, "us-east-1");
      assertThat(write(db, t, "a", item("a", 2), ahead).changed()).isTrue();
      write(db, t, "a", item("a", 3), null);
      assertThat(stored(db, t, "a")).isEqualTo(new ItemStamp(1_000_500, 1, "eu-west-1"));
      // Older and equal versions are refused without a trace; delivering one twice is harmless.
      assertThat(write(db, t, "a", item("a", 9), ahead).changed()).isFalse();
      assertThat(
              write(db, t, "a", item("a", 9), new ItemStamp(1_000_500, 1, "eu-west-1")).changed())
          .isFalse();
      assertThat(db.storage().get(t.id(), key("a"))).isNotNull();
      List<ChangeRecord> log = db.changeLog().read(t.id(), 0, Long.MAX_VALUE, 100);
      assertThat(log).hasSize(3);
      assertThat(log.get(0).stamp()).isEqualTo(new ItemStamp(1_000_000, 0, "eu-west-1"));
      assertThat(log.get(1).origin()).isEqualTo(ChangeRecord.Origin.REPLICATION);
      assertThat(log.get(1).stamp()).isEqualTo(ahead);
      assertThat(log.get(2).newImage()).isEqualTo(item("a", 3));
    }
  }

  // Protects against resurrection: a delete leaves a stamped tombstone that refuses older versions.
  @Test
  void deletesLeaveTombstones(@TempDir Path dir) {
    try (Database db = open(dir)) {
      Table t = TestTables.create(db, "g", "NEW_AND_OLD_IMAGES");
      t.replication(new Replication("eu-west-1", "grp", List.of()));
      write(db, t, "a", item("a", 1), null);
      clock.addAndGet(10);
      write(db, t, "a", null, null);
      byte[] tomb = db.storage().get(t.id(), ItemStamp.storageKey(key("a")));
      assertThat(ItemStamp.isTombstone(tomb)).isTrue();
      assertThat(
              write(db, t, "a", item("a", 2), new ItemStamp(1_000_005, 0, "us-east-1")).changed())
          .isFalse();
      assertThat(db.storage().get(t.id(), key("a"))).isNull();
      // A remote delete of an item this region never saw still records its tombstone.
      write(db, t, "b", null, new ItemStamp(1_000_020, 0, "us-east-1"));
      assertThat(stored(db, t, "b")).isEqualTo(new ItemStamp(1_000_020, 0, "us-east-1"));
      assertThat(
              write(db, t, "b", item("b", 1), new ItemStamp(1_000_019, 0, "ap-south-1")).changed())
          .isFalse();
      assertThat(t.itemCount()).isZero();
    }
  }

  // Protects causality without the per-item read: once a version from a clock ahead of ours is
  // stored anywhere, every local write goes above it (any item, not only that one), and the floor
  // that gives this survives a restart.
  @Test
  void localWritesGoAboveTheHighestStoredStampAcrossItemsAndRestarts(@TempDir Path dir) {
    ItemStamp ahead = new ItemStamp(1_000_500, 3, "us-east-1");
    try (Database db = open(dir)) {
      Table t = TestTables.create(db, "g", "NEW_AND_OLD_IMAGES");
      t.replication(new Replication("eu-west-1", "grp", List.of()));
      write(db, t, "a", item("a", 1), ahead);
      write(db, t, "b", item("b", 1), null);
      assertThat(stored(db, t, "b")).isEqualTo(new ItemStamp(1_000_500, 4, "eu-west-1"));
    }
    try (Database db = open(dir)) {
      Table t = db.catalog().find("g").orElseThrow();
      t.replication(new Replication("eu-west-1", "grp", List.of()));
      assertThat(db.writePath().stampFloorRecorded()).isTrue();
      write(db, t, "a", item("a", 2), null);
      assertThat(stored(db, t, "a")).isEqualTo(new ItemStamp(1_000_500, 5, "eu-west-1"));
      // Once our clock passes the floor, stamps are the commit time again.
      clock.set(1_000_600);
      write(db, t, "c", item("c", 1), null);
      assertThat(stored(db, t, "c")).isEqualTo(new ItemStamp(1_000_600, 0, "eu-west-1"));
      // A floor raised from outside a commit (a bulk fill's stamps) binds the next local write.
      db.writePath().raiseStampFloor(new ItemStamp(2_000_000, 0, "ap-south-1"));
      write(db, t, "c", item("c", 2), null);
      assertThat(stored(db, t, "c")).isEqualTo(new ItemStamp(2_000_000, 1, "eu-west-1"));
    }
    // Commits keep the floor with the sequence: a commit to a regional table must carry it on, or
    // the floor after a reopen would fall back to the last raise's, (2_000_000, 0).
    try (Database db = open(dir)) {
      write(db, TestTables.create(db, "plain", null), "x", item("x", 1), null);
    }
    try (Database db = open(dir)) {
      Table t = db.catalog().find("g").orElseThrow();
      t.replication(new Replication("eu-west-1", "grp", List.of()));
      write(db, t, "d", item("d", 1), null);
      assertThat(stored(db, t, "d")).isEqualTo(new ItemStamp(2_000_000, 2, "eu-west-1"));
      // A raise with no commit after it is kept under its own key, above the sequence's floor.
      db.writePath().raiseStampFloor(new ItemStamp(3_000_000, 0, "ap-south-1"));
    }
    try (Database db = open(dir)) {
      Table t = db.catalog().find("g").orElseThrow();
      t.replication(new Replication("eu-west-1", "grp", List.of()));
      write(db, t, "e", item("e", 1), null);
      assertThat(stored(db, t, "e")).isEqualTo(new ItemStamp(3_000_000, 1, "eu-west-1"));
    }
  }

  // Protects regional tables from replication's cost and format: no stamp entries, no trailer.
  @Test
  void regionalTablesStoreNoStamps(@TempDir Path dir) {
    try (Database db = open(dir)) {
      Table t = TestTables.create(db, "plain", null);
      write(db, t, "a", item("a", 1), null);
      assertThat(db.storage().get(t.id(), ItemStamp.storageKey(key("a")))).isNull();
      assertThat(db.changeLog().read(t.id(), 0, Long.MAX_VALUE, 10).get(0).stamp()).isNull();
    }
  }
}
