package dev.tidemark.replication;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.api.ItemKeys;
import dev.tidemark.changelog.ChangeRecord;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.storage.RocksStorage;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.WritePath;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Protects the shippers' sharing of frames: with two peers, one read of the log framed once goes to
 * both (the CPU the writing region spends per write on shipping), and sharing loses, repeats and
 * reorders nothing. Each peer must receive every write of this region exactly once, in commit
 * order, in frames whose signatures verify (a signature over a stale cached hash would not).
 */
class SharedFramesTest {
  @Test
  void bothPeersGetEveryWriteOnceInOrderFromFramesReadOnce() throws Exception {
    try (RecordingPeer eu = new RecordingPeer();
        RecordingPeer ap = new RecordingPeer();
        Database db =
            new Database(
                RocksStorage.inMemory(), System::currentTimeMillis, false, "us-east-1", "1")) {
      Table t = InProcessRegion.replicatedTable(db, "eu-west-1", "ap-south-1");
      Replicator replicator =
          InProcessRegion.replicator(db, Map.of("eu-west-1", eu.uri(), "ap-south-1", ap.uri()));
      replicator.start(null);
      List<ByteBuffer> committed = new ArrayList<>();
      try {
        // Bursts, each shipped whole before the next: both shippers then stand at the same
        // cursor when the next burst's first commit wakes them, the case that must share.
        for (int burst = 0; burst < 20; burst++) {
          for (int i = 0; i < 25; i++) {
            committed.add(write(db, t, "item-" + burst + "-" + i));
          }
          await(() -> received(eu, committed) && received(ap, committed));
        }
        assertThat(replicator.framesReused())
            .as("frames one shipper read and another sent as they were")
            .isPositive();
        // Then one peer answers slowly while writes keep coming: the shippers stand at different
        // cursors, and a frame that does not start at a shipper's cursor must not be sent by it.
        // (Its rounds take 25 ms, the other's 10: the other builds several frames per slow round.)
        ap.delayMillis = 25;
        for (int i = 0; i < 1_500; i++) {
          committed.add(write(db, t, "late-" + i));
          if (i % 5 == 0) {
            Thread.sleep(1);
          }
        }
        ap.delayMillis = 0;
        await(() -> received(eu, committed) && received(ap, committed));

        assertThat(eu.refused).as("signatures eu-west-1 refused").isEmpty();
        assertThat(ap.refused).as("signatures ap-south-1 refused").isEmpty();
        assertThat(eu.shippedKeys())
            .as("eu-west-1: each write once, in order")
            .isEqualTo(committed);
        assertThat(ap.shippedKeys())
            .as("ap-south-1: each write once, in order")
            .isEqualTo(committed);
      } finally {
        replicator.close();
      }
    }
  }

  /** Commits one item with a 200-byte attribute; returns its storage key. */
  private static ByteBuffer write(Database db, Table t, String pk) {
    Map<String, AttributeValue> keyAttrs = Map.of("pk", AttributeValue.s(pk));
    Map<String, AttributeValue> item =
        Map.of("pk", keyAttrs.get("pk"), "v", AttributeValue.s("x".repeat(200)));
    byte[] key = ItemKeys.storageKey(t.keySchema(), keyAttrs);
    db.writePath()
        .commit(
            List.of(new WritePath.ItemWrite(t, key, keyAttrs, current -> item)),
            ChangeRecord.Origin.USER);
    return ByteBuffer.wrap(key);
  }

  private static boolean received(RecordingPeer peer, List<ByteBuffer> committed) {
    return peer.shippedKeys().size() >= committed.size();
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    for (int i = 0; i < 1_000 && !condition.getAsBoolean(); i++) {
      Thread.sleep(10);
    }
  }
}
