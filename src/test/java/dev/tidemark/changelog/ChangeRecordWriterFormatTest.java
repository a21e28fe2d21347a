package dev.tidemark.changelog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.model.AttributeValue;
import dev.tidemark.storage.ItemCodec;
import dev.tidemark.storage.RocksStorage;
import java.nio.ByteBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Protects the change record's writer field (format 2) and the readability of records stored before
 * it existed (format 1): every reader of stored records (history, PITR archive and restore,
 * incremental backups, replication shipping, retention) still reads old records, an old record says
 * its writer is unknown, and the id table of {@link Writers} survives a reopen.
 */
public class ChangeRecordWriterFormatTest {
  private static final Map<String, AttributeValue> KEY = Map.of("pk", AttributeValue.s("a"));
  private static final Map<String, AttributeValue> OLD =
      Map.of("pk", AttributeValue.s("a"), "v", AttributeValue.s("1"));
  private static final Map<String, AttributeValue> NEW =
      Map.of("pk", AttributeValue.s("a"), "v", AttributeValue.s("2"));

  /** A format-1 record of {@link #KEY} updated from {@link #OLD} to {@link #NEW}. */
  static byte[] formatOne(long time, ItemStamp stamp) {
    return formatOne(new ChangeRecord(7, 11, time, KEY, OLD, NEW, ChangeRecord.Origin.USER, stamp));
  }

  /**
   * A record as the server wrote it before writers were recorded (format 1), built by hand from its
   * documented layout rather than with today's encoder.
   */
  public static byte[] formatOne(ChangeRecord r) {
    byte[] k = ItemCodec.encode(r.key());
    byte[] o = r.oldImage() == null ? null : ItemCodec.encode(r.oldImage());
    byte[] n = r.newImage() == null ? null : ItemCodec.encode(r.newImage());
    byte[] s = r.stamp() == null ? null : r.stamp().encode(false);
    ByteBuffer b =
        ByteBuffer.allocate(10 + 12 + k.length + len(o) + len(n) + (s == null ? 0 : 4 + s.length));
    b.put((byte) 1).put((byte) r.origin().ordinal()).putLong(r.commitTimeMillis());
    for (byte[] block : new byte[][] {k, o, n}) {
      if (block == null) {
        b.putInt(-1);
      } else {
        b.putInt(block.length).put(block);
      }
    }
    if (s != null) {
      b.putInt(s.length).put(s);
    }
    return b.array();
  }

  private static int len(byte[] a) {
    return a == null ? 0 : a.length;
  }

  @Test
  void oldRecordsReadWithAnUnknownWriterThroughEveryReader() {
    ItemStamp stamp = new ItemStamp(500, 0, "us-east-1");
    for (ItemStamp st : new ItemStamp[] {null, stamp}) {
      byte[] v1 = formatOne(500, st);
      ChangeRecord r = ChangeRecordCodec.decode(7, 11, v1);
      assertThat(r.writer()).isEqualTo(Writers.UNKNOWN);
      assertThat(r.key()).isEqualTo(KEY);
      assertThat(r.oldImage()).isEqualTo(OLD);
      assertThat(r.newImage()).isEqualTo(NEW);
      assertThat(r.stamp()).isEqualTo(st);
      assertThat(ChangeRecordCodec.key(v1)).isEqualTo(KEY);
      assertThat(ChangeRecordCodec.commitTime(v1)).isEqualTo(500);
      ChangeRecordCodec.Shippable s = ChangeRecordCodec.shippable(v1);
      assertThat(ItemCodec.decode(s.newImage())).isEqualTo(NEW);
      assertThat(s.stamp() == null ? null : ItemStamp.decode(s.stamp())).isEqualTo(st);
      // The PITR archive keeps old records in their old format, slimmed.
      ChangeRecord slim = ChangeRecordCodec.decode(7, 11, ChangeRecordCodec.withoutOldImage(v1));
      assertThat(slim.oldImage()).isNull();
      assertThat(slim.newImage()).isEqualTo(NEW);
      assertThat(slim.writer()).isEqualTo(Writers.UNKNOWN);
      assertThat(slim.stamp()).isEqualTo(st);
    }
  }

  @Test
  void newRecordsCarryTheirWriterThroughEveryReader() {
    ItemStamp stamp = new ItemStamp(900, 2, "eu-west-1");
    // 1 fits one varint byte, 300 two, the largest id five.
    for (int writer : new int[] {Writers.NONE, 1, 300, Integer.MAX_VALUE}) {
      ChangeRecord r =
          new ChangeRecord(7, 11, 900, KEY, OLD, NEW, ChangeRecord.Origin.USER, stamp, writer);
      byte[] v2 = ChangeRecordCodec.encode(r);
      assertThat(v2[0]).isEqualTo((byte) 2);
      assertThat(ChangeRecordCodec.decode(7, 11, v2)).isEqualTo(r);
      assertThat(ChangeRecordCodec.key(v2)).isEqualTo(KEY);
      assertThat(ChangeRecordCodec.commitTime(v2)).isEqualTo(900);
      ChangeRecordCodec.Shippable s = ChangeRecordCodec.shippable(v2);
      assertThat(ItemCodec.decode(s.key())).isEqualTo(KEY);
      assertThat(ItemStamp.decode(s.stamp())).isEqualTo(stamp);
      ChangeRecord slim = ChangeRecordCodec.decode(7, 11, ChangeRecordCodec.withoutOldImage(v2));
      assertThat(slim.writer()).isEqualTo(writer);
      assertThat(slim.oldImage()).isNull();
      assertThat(slim.stamp()).isEqualTo(stamp);
    }
    // One byte more than the old format for the first 127 writers.
    ChangeRecord one = new ChangeRecord(7, 11, 500, KEY, OLD, NEW, ChangeRecord.Origin.USER, null);
    assertThat(ChangeRecordCodec.encode(one)).hasSize(formatOne(500, null).length + 1);
    // UNKNOWN is what old records read as; a new record never claims it.
    ChangeRecord unknown =
        new ChangeRecord(7, 11, 500, KEY, OLD, NEW, ChangeRecord.Origin.USER, null, -1);
    assertThat(ChangeRecordCodec.decode(7, 11, ChangeRecordCodec.encode(unknown)).writer())
        .isEqualTo(Writers.NONE);
  }

  @Test
  void writerIdsAreStableAndSurviveAReopen(@org.junit.jupiter.api.io.TempDir java.nio.file.Path d) {
    int alice;
    int bob;
    try (RocksStorage storage = RocksStorage.open(d)) {
      Writers w = new Writers(storage);
      alice = w.intern("arn:aws:iam::123456789012:user/alice");
      bob = w.intern("arn:aws:iam::123456789012:user/bob");
      assertThat(alice).isPositive();
      assertThat(bob).isNotEqualTo(alice);
      assertThat(w.intern("arn:aws:iam::123456789012:user/alice")).isEqualTo(alice);
      assertThat(w.name(Writers.NONE)).isNull();
      assertThat(w.name(Writers.UNKNOWN)).isNull();
    }
    try (RocksStorage storage = RocksStorage.open(d)) {
      Writers w = new Writers(storage);
      assertThat(w.name(alice)).isEqualTo("arn:aws:iam::123456789012:user/alice");
      assertThat(w.name(bob)).isEqualTo("arn:aws:iam::123456789012:user/bob");
      int carol = w.intern("carol-key");
      assertThat(carol).isNotIn(alice, bob);
    }
  }
}
