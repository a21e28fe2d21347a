package dev.tidemark.pitr;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.store.MemoryObjectStore;
import dev.tidemark.changelog.ChangeLog;
import dev.tidemark.changelog.ChangeRecord;
import dev.tidemark.changelog.ChangeRecordCodec;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.TableDefinition;
import dev.tidemark.tables.WritePath;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A segment the store acknowledged and later lost must fail a restore that needs it, naming the
 * gap, instead of silently restoring a table without those writes. Sequence numbers are
 * server-wide, so only the segments' links (afterSeq) tell a lost segment from other tables'
 * writes.
 */
class PitrSegmentGapTest {

  private static void put(PitrModelTest.Server s, Table t, String pk, long sk) {
    Map<String, AttributeValue> item = new LinkedHashMap<>();
    item.put("pk", AttributeValue.s(pk));
    item.put("sk", AttributeValue.n(sk));
    Map<String, AttributeValue> key = Map.copyOf(item);
    s.db
        .writePath()
        .commit(
            List.of(
                new WritePath.ItemWrite(
                    t,
                    dev.tidemark.api.ItemKeys.storageKey(t.keySchema(), key),
                    key,
                    current -> item)),
            ChangeRecord.Origin.USER);
    s.observed();
  }

  // Protects restores from a silently incomplete archive: a missing middle segment is reported.
  @Test
  void lostSegmentFailsTheRestore(@TempDir Path dir) throws Exception {
    MemoryObjectStore store = new MemoryObjectStore();
    try (PitrModelTest.Server s =
        new PitrModelTest.Server(dir, store, SymmetricKey.random(), 1_790_000_000_000L)) {
      TableDefinition def = PitrModelTest.plainDefinition(s.db, "gaps");
      Table t = s.db.catalog().create(def, Map.of());
      s.pitr.enable(t, 35);
      s.awaitIdle();
      for (int batch = 0; batch < 3; batch++) {
        for (int i = 0; i < 5; i++) {
          put(s, t, "b" + batch, i);
        }
        s.sealAll();
      }
      List<String> segments = store.list(Segment.prefix(def.tableId()));
      assertThat(segments).hasSizeGreaterThanOrEqualTo(3);
      store.delete(segments.get(1));

      TableDefinition target = PitrModelTest.plainDefinition(s.db, "gaps_restored");
      var source = s.pitr.sources("gaps", null).get(0);
      long latest = s.pitr.window(source)[1];
      s.pitr.restore(source, latest, target);
      s.awaitIdle();
      assertThat(s.db.catalog().find("gaps_restored"))
          .as("a restore over a gap in the archive creates no table")
          .isEmpty();
    }
  }

  // Protects segment decoding of the link, which makes the check possible.
  @Test
  void segmentsRecordWhereTheyContinueFrom() throws Exception {
    ChangeRecord r =
        new ChangeRecord(
            7,
            42,
            1000,
            Map.of("pk", AttributeValue.s("a")),
            null,
            Map.of("pk", AttributeValue.s("a")),
            ChangeRecord.Origin.USER);
    byte[] stored = ChangeRecordCodec.encode(r);
    Segment back =
        Segment.decode(
            Segment.encode(7, 40, 42, 42, 999, List.of(new ChangeLog.Raw(42, 1000, stored))), "x");
    assertThat(back.afterSeq()).isEqualTo(40);
    assertThat(back.records()).containsExactly(r);
  }
}
