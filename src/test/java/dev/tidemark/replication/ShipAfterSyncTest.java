package dev.tidemark.replication;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.api.ItemKeys;
import dev.tidemark.changelog.ChangeRecord;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.GatedStorage;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.WritePath;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Protects the sync-mode promise across regions: a write leaves this server for a peer only once
 * the WAL sync covering it has returned. A write shipped before its fsync could be taken back by a
 * power loss here while a peer keeps it, and no peer ever ships a write back to its origin.
 */
class ShipAfterSyncTest {
  @Test
  void aWriteIsShippedOnlyAfterTheSyncThatMakesItDurable() throws Exception {
    GatedStorage storage = new GatedStorage();
    try (RecordingPeer peer = new RecordingPeer();
        Database db = new Database(storage, System::currentTimeMillis, true, "us-east-1", "1")) {
      Table t = InProcessRegion.replicatedTable(db);
      Replicator replicator = InProcessRegion.replicator(db, Map.of("eu-west-1", peer.uri()));
      replicator.start(null);
      try {
        storage.gate = new CountDownLatch(1);
        int syncsBegun = storage.entered.get();
        Map<String, AttributeValue> item = Map.of("pk", AttributeValue.s("not-yet-durable"));
        ByteBuffer key = ByteBuffer.wrap(ItemKeys.storageKey(t.keySchema(), item));
        // As a request thread commits: applied and in the change log, its fsync still to come (the
        // gate holds every sync), nothing acknowledged.
        db.writePath().deferDurability();
        db.writePath()
            .commit(
                List.of(new WritePath.ItemWrite(t, key.array(), item, current -> item)),
                ChangeRecord.Origin.USER);
        assertThat(db.writePath().endDeferral()).isPositive();

        // The shipper wakes on the commit. It must start a sync and wait for it; shipping the
        // record instead is the defect.
        await(() -> storage.entered.get() > syncsBegun || shipped(peer, key));
        assertThat(shipped(peer, key)).as("shipped before its WAL sync returned").isFalse();
        assertThat(storage.entered.get()).isGreaterThan(syncsBegun);

        storage.gate.countDown();
        await(() -> shipped(peer, key));
        assertThat(shipped(peer, key)).as("shipped once durable").isTrue();
      } finally {
        storage.gate.countDown();
        replicator.close();
      }
    }
  }

  private static boolean shipped(RecordingPeer peer, ByteBuffer key) {
    return peer.shippedKeys().contains(key);
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    for (int i = 0; i < 1_000 && !condition.getAsBoolean(); i++) {
      Thread.sleep(10);
    }
  }
}
