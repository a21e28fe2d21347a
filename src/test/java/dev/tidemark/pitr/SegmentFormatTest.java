package dev.tidemark.pitr;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.changelog.ChangeLog;
import dev.tidemark.changelog.ChangeRecord;
import dev.tidemark.changelog.ChangeRecordCodec;
import dev.tidemark.model.AttributeValue;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The PITR segment format: protects that a segment written straight from stored change records
 * replays exactly what the records said (key, new image, seq, time), and that archives written by
 * earlier versions (format 2, with old images) still restore.
 */
class SegmentFormatTest {
  private static final Map<String, AttributeValue> KEY = Map.of("pk", AttributeValue.s("a"));

  private static ChangeRecord update(long seq, long time, int from, int to) {
    return new ChangeRecord(
        7,
        seq,
        time,
        KEY,
        Map.of("pk", AttributeValue.s("a"), "v", AttributeValue.n(from)),
        Map.of("pk", AttributeValue.s("a"), "v", AttributeValue.n(to)),
        ChangeRecord.Origin.USER);
  }

  @Test
  void aSegmentEncodedFromStoredRecordsReplaysTheirNewImages() throws Exception {
    ChangeRecord insert =
        new ChangeRecord(
            7, 3, 100, KEY, null, Map.of("pk", AttributeValue.s("a")), ChangeRecord.Origin.USER);
    ChangeRecord change = update(5, 101, 1, 2);
    ChangeRecord delete =
        new ChangeRecord(
            7,
            9,
            102,
            KEY,
            Map.of("pk", AttributeValue.s("a")),
            null,
            ChangeRecord.Origin.TTL_EXPIRY);
    List<ChangeLog.Raw> raw =
        List.of(insert, change, delete).stream()
            .map(r -> new ChangeLog.Raw(r.seq(), r.commitTimeMillis(), ChangeRecordCodec.encode(r)))
            .toList();

    byte[] bytes = Segment.encode(7, 1, 3, 9, 102, raw);
    Segment seg = Segment.decode(bytes, "test");

    assertThat(seg.afterSeq()).isEqualTo(1);
    assertThat(seg.firstSeq()).isEqualTo(3);
    assertThat(seg.lastSeq()).isEqualTo(9);
    assertThat(seg.coveredUntilMillis()).isEqualTo(102);
    assertThat(seg.records()).hasSize(3);
    List<ChangeRecord> original = List.of(insert, change, delete);
    for (int i = 0; i < 3; i++) {
      ChangeRecord got = seg.records().get(i);
      ChangeRecord want = original.get(i);
      assertThat(got.seq()).isEqualTo(want.seq());
      assertThat(got.commitTimeMillis()).isEqualTo(want.commitTimeMillis());
      assertThat(got.key()).isEqualTo(want.key());
      assertThat(got.newImage()).isEqualTo(want.newImage());
      assertThat(got.origin()).isEqualTo(want.origin());
      if (want.newImage() == null) {
        assertThat(got.oldImage()).as("a delete keeps its only image").isEqualTo(want.oldImage());
      } else {
        assertThat(got.oldImage()).as("format 3 keeps no old images of updates").isNull();
      }
    }
  }

  @Test
  void droppingTheOldImageLeavesTheRestOfTheRecordIntact() {
    ChangeRecord r = update(11, 500, 1, 2);
    byte[] slim = ChangeRecordCodec.withoutOldImage(ChangeRecordCodec.encode(r));
    ChangeRecord back = ChangeRecordCodec.decode(7, 11, slim);
    assertThat(back)
        .isEqualTo(
            new ChangeRecord(7, 11, 500, r.key(), null, r.newImage(), ChangeRecord.Origin.USER));
    assertThat(slim.length).isLessThan(ChangeRecordCodec.encode(r).length);
  }

  // Bytes laid out as format 2 wrote them: archives of earlier versions must keep restoring.
  @Test
  void aFormatTwoSegmentStillDecodesWithItsOldImages() throws Exception {
    ChangeRecord r = update(42, 900, 1, 2);
    byte[] rec = ChangeRecordCodec.encode(r);
    ByteArrayOutputStream plainBytes = new ByteArrayOutputStream();
    DataOutputStream plain = new DataOutputStream(plainBytes);
    plain.writeInt(rec.length);
    plain.writeLong(42);
    plain.write(rec);
    plain.flush();
    CRC32 crc = new CRC32();
    crc.update(plainBytes.toByteArray());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    DataOutputStream head = new DataOutputStream(out);
    head.writeInt(0x544D5347);
    head.writeByte(2);
    head.writeLong(7);
    head.writeLong(40);
    head.writeLong(42);
    head.writeLong(42);
    head.writeLong(900);
    head.writeInt(1);
    head.writeLong(crc.getValue());
    head.flush();
    try (DeflaterOutputStream z = new DeflaterOutputStream(out)) {
      z.write(plainBytes.toByteArray());
    }

    Segment seg = Segment.decode(out.toByteArray(), "format-2");
    assertThat(seg.afterSeq()).isEqualTo(40);
    assertThat(seg.records()).containsExactly(r);
  }
}
