package dev.tidemark.replication;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.api.ItemKeys;
import dev.tidemark.changelog.ChangeRecord;
import dev.tidemark.changelog.ItemStamp;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.storage.RocksStorage;
import dev.tidemark.storage.WriteSet;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.KeySchema;
import dev.tidemark.tables.Replication;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.WritePath;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data directory written before the write path kept a stamp floor holds stamps that no floor
 * covers. Protects causality across that upgrade: the replicator seeds the floor from the stored
 * stamps at start, so a local write still goes above a version from a region whose clock was ahead.
 */
class StampFloorSeedTest {
  /** WritePath's meta key for the floor; removing it makes the directory look older. */
  private static final byte[] FLOOR_KEY = "stamp-floor".getBytes(StandardCharsets.UTF_8);

  private static final long NOW = 1_000_000;

  private static Database open(Path dir) {
    return new Database(RocksStorage.open(dir), () -> NOW, true, "us-east-1", "000000000000");
  }

  private static void write(Database db, Table t, String pk, ItemStamp stamp) {
    Map<String, AttributeValue> key = Map.of("pk", AttributeValue.s(pk));
    db.writePath()
        .commit(
            List.of(
                new WritePath.ItemWrite(
                    t,
                    ItemKeys.storageKey(t.keySchema(), key),
                    key,
                    current -> Map.of("pk", AttributeValue.s(pk), "v", AttributeValue.n(1)),
                    stamp)),
            stamp == null ? ChangeRecord.Origin.USER : ChangeRecord.Origin.REPLICATION);
  }

  private static ItemStamp stored(Database db, Table t, String pk) {
    byte[] k =
        ItemKeys.storageKey(
            new KeySchema("pk", AttributeValue.Type.S, null, null),
            Map.of("pk", AttributeValue.s(pk)));
    return ItemStamp.decode(db.storage().get(t.id(), ItemStamp.storageKey(k)));
  }

  @Test
  void startSeedsTheFloorFromStoredStamps(@TempDir Path dir) throws Exception {
    ItemStamp ahead = new ItemStamp(NOW + 60_000, 0, "eu-west-1");
    try (Database db = open(dir)) {
      Table t = InProcessRegion.replicatedTable(db);
      write(db, t, "a", ahead);
      db.storage().apply(new WriteSet().deleteMeta(FLOOR_KEY));
    }
    try (Database db = open(dir)) {
      assertThat(db.writePath().stampFloorRecorded()).isFalse();
      try (Replicator replicator = InProcessRegion.replicator(db, Map.of())) {
        replicator.start(null);
        assertThat(db.writePath().stampFloorRecorded()).isTrue();
        Table t = db.catalog().find("t").orElseThrow();
        t.replication(
            new Replication(
                "us-east-1",
                "group-1",
                List.of(new Replication.Replica("eu-west-1", "ACTIVE", null))));
        write(db, t, "b", null);
        assertThat(stored(db, t, "b")).isEqualTo(new ItemStamp(NOW + 60_000, 1, "us-east-1"));
      }
    }
  }
}
