package dev.tidemark.replication;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.ItemKeys;
import dev.tidemark.changelog.ChangeRecord;
import dev.tidemark.changelog.ItemStamp;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.storage.ItemCodec;
import dev.tidemark.storage.RocksStorage;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.Table;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The receiving side's two framings of replicated writes: the binary {@link ApplyFrame} this
 * version sends, and the base64 JSON {@code apply} a peer of the previous version still sends
 * during a rolling upgrade. Both must apply the same writes by the same merge rule, and answer how
 * many applied and how many lost to a higher stored stamp.
 */
class ApplyPathsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Map<String, AttributeValue> item(String pk, String v) {
    return Map.of("pk", AttributeValue.s(pk), "v", AttributeValue.s(v));
  }

  private static byte[] key(Table t, String pk) {
    return ItemKeys.storageKey(t.keySchema(), Map.of("pk", AttributeValue.s(pk)));
  }

  @Test
  void framesAndLegacyJsonApplyTheSameWritesByTheMergeRule() {
    try (Database db =
        new Database(RocksStorage.inMemory(), System::currentTimeMillis, true, "us-east-1", "1")) {
      Table t = InProcessRegion.replicatedTable(db);
      Replicator replicator = InProcessRegion.replicator(db, Map.of());
      long now = System.currentTimeMillis();
      byte[] newer = new ItemStamp(now, 0, "eu-west-1").encode(false);
      byte[] older = new ItemStamp(now - 1_000, 0, "eu-west-1").encode(false);

      ApplyFrame.Writer w = new ApplyFrame.Writer();
      w.add(key(t, "a"), ItemCodec.encode(item("a", "frame")), newer, now);
      JsonNode framed =
          replicator.applyFrame("eu-west-1", w.frame("t", "group-1", false, now - 5_000));
      assertThat(framed.path("applied").asInt()).isEqualTo(1);

      Base64.Encoder b64 = Base64.getEncoder();
      ObjectNode body = JSON.createObjectNode().put("table", "t").put("groupId", "group-1");
      body.putArray("records")
          .add(
              JSON.createObjectNode()
                  .put("k", b64.encodeToString(key(t, "a")))
                  .put("n", b64.encodeToString(ItemCodec.encode(item("a", "older"))))
                  .put("s", b64.encodeToString(older))
                  .put("t", now - 1_000))
          .add(
              JSON.createObjectNode()
                  .put("k", b64.encodeToString(key(t, "b")))
                  .put("n", b64.encodeToString(ItemCodec.encode(item("b", "json"))))
                  .put("s", b64.encodeToString(newer))
                  .put("t", now));
      JsonNode legacy = replicator.serve("apply", "eu-west-1", body);
      assertThat(legacy.path("applied").asInt()).isEqualTo(1);
      assertThat(legacy.path("superseded").asInt()).as("the older version of a").isEqualTo(1);

      assertThat(ItemCodec.decode(db.storage().get(t.id(), key(t, "a"))))
          .isEqualTo(item("a", "frame"));
      assertThat(ItemCodec.decode(db.storage().get(t.id(), key(t, "b"))))
          .isEqualTo(item("b", "json"));
      replicator.close();
    }
  }

  /**
   * The write path stores and logs an applied image as it arrived, without encoding it again, and
   * logs the replaced item's stored bytes as the old image: Streams and PITR must still read both
   * images exactly (the table's stream shows NEW_AND_OLD_IMAGES, as every replica's does).
   */
  @Test
  void anAppliedVersionIsStoredAndLoggedWithBothImages() {
    try (Database db =
        new Database(RocksStorage.inMemory(), System::currentTimeMillis, true, "us-east-1", "1")) {
      Table t = InProcessRegion.replicatedTable(db);
      Replicator replicator = InProcessRegion.replicator(db, Map.of());
      long now = System.currentTimeMillis();
      ApplyFrame.Writer first = new ApplyFrame.Writer();
      first.add(
          key(t, "a"),
          ItemCodec.encode(item("a", "one")),
          new ItemStamp(now, 0, "eu-west-1").encode(false),
          now);
      replicator.applyFrame("eu-west-1", first.frame("t", "group-1", false, null));
      ApplyFrame.Writer second = new ApplyFrame.Writer();
      second.add(
          key(t, "a"),
          ItemCodec.encode(item("a", "two")),
          new ItemStamp(now + 1, 0, "eu-west-1").encode(false),
          now + 1);
      second.add(key(t, "b"), null, new ItemStamp(now + 2, 0, "eu-west-1").encode(false), now + 2);
      replicator.applyFrame("eu-west-1", second.frame("t", "group-1", false, null));

      assertThat(db.storage().get(t.id(), key(t, "a")))
          .isEqualTo(ItemCodec.encode(item("a", "two")));
      List<ChangeRecord> log = db.changeLog().read(t.id(), 0, Long.MAX_VALUE, 10);
      assertThat(log).hasSize(2);
      assertThat(log.get(0).oldImage()).isNull();
      assertThat(log.get(0).newImage()).isEqualTo(item("a", "one"));
      assertThat(log.get(1).oldImage()).isEqualTo(item("a", "one"));
      assertThat(log.get(1).newImage()).isEqualTo(item("a", "two"));
      assertThat(log.get(1).origin()).isEqualTo(ChangeRecord.Origin.REPLICATION);
      assertThat(log.get(1).stamp()).isEqualTo(new ItemStamp(now + 1, 0, "eu-west-1"));
      replicator.close();
    }
  }
}
