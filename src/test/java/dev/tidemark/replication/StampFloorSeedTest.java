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
 * Stamps that no commit wrote: a data directory written before the write path kept a stamp floor,
 * and a bulk fill's. Protects causality across that upgrade: the replicator seeds the floor from
 * the stored stamps at start, so a local write still goes above a version from a region whose clock
 * was ahead.
 */
class StampFloorSeedTest {
  /** WritePath's meta key for the floor; removing it makes the directory look older. */
  private static final byte[] FLOOR_KEY = "stamp-floor".getBytes(StandardCharsets.UTF_8);

  /** WritePath's meta key for the sequence, which commits follow with the floor. */
  private static final byte[] SEQ_KEY = "last-seq".getBytes(StandardCharsets.UTF_8);

  /** Makes {@code db}'s directory look as one written before the floor existed. */
  private static void forgetFloor(Database db) {
    byte[] seq = db.storage().getMeta(SEQ_KEY);
    db.storage()
        .apply(
            new WriteSet()
                .deleteMeta(FLOOR_KEY)
                .putMeta(SEQ_KEY, java.util.Arrays.copyOf(seq, 16)));
  }

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
    return ItemStamp.decode(db.storage().get(t.id(), ItemStamp.storageKey(key(pk))));
  }

  @Test
  void startSeedsTheFloorFromStoredStamps(@TempDir Path dir) throws Exception {
    ItemStamp ahead = new ItemStamp(NOW + 60_000, 0, "eu-west-1");
    try (Database db = open(dir)) {
      Table t = InProcessRegion.replicatedTable(db);
      write(db, t, "a", ahead);
      forgetFloor(db);
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

  // The one source of stored stamps that is no commit: a bulk fill's ingested entries. Protects
  // that the fill raises the floor, so the new replica's first local write goes above a filled
  // version from a clock ahead of ours.
  @Test
  void aBulkFillRaisesTheFloorToItsStamps(@TempDir Path dir) throws Exception {
    ItemStamp ahead = new ItemStamp(NOW + 60_000, 4, "eu-west-1");
    try (Database db = open(dir.resolve("data"))) {
      Table t = InProcessRegion.replicatedTable(db);
      t.markStatus("CREATING");
      BulkFillReceiver fill = new BulkFillReceiver(db);
      fill.useScratch(dir.resolve("scratch"));
      assertThat(
              fill.open(
                      t,
                      "s1",
                      com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode())
                  .path("bulk")
                  .asBoolean())
          .isTrue();
      byte[] key = key("a");
      java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
      com.fasterxml.jackson.databind.node.ObjectNode frame =
          com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
      frame.put("session", "s1").put("seq", 1);
      frame
          .putArray("entries")
          .add(
              frame
                  .arrayNode()
                  .add(b64.encodeToString(key))
                  .add(
                      b64.encodeToString(
                          dev.tidemark.storage.ItemCodec.encode(
                              Map.of("pk", AttributeValue.s("a"))))))
          .add(
              frame
                  .arrayNode()
                  .add(b64.encodeToString(ItemStamp.storageKey(key)))
                  .add(b64.encodeToString(ahead.encode(false))));
      fill.put(t, frame);
      com.fasterxml.jackson.databind.node.ObjectNode done =
          com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
      fill.finish(t, done.put("session", "s1").put("entries", 2));
      assertThat(stored(db, t, "a")).isEqualTo(ahead);
      t.markStatus("ACTIVE");
      write(db, t, "b", null);
      assertThat(stored(db, t, "b")).isEqualTo(new ItemStamp(NOW + 60_000, 5, "us-east-1"));
    }
  }

  private static byte[] key(String pk) {
    return ItemKeys.storageKey(
        new KeySchema("pk", AttributeValue.Type.S, null, null), Map.of("pk", AttributeValue.s(pk)));
  }
}
