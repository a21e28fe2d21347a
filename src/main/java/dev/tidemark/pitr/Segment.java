package dev.tidemark.pitr;

import com.github.luben.zstd.Zstd;
import dev.tidemark.changelog.ChangeLog;
import dev.tidemark.changelog.ChangeRecord;
import dev.tidemark.changelog.ChangeRecordCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.InflaterInputStream;

/**
 * A sealed piece of one table's change log, as archived for PITR: a contiguous seq range, plus the
 * instant up to which the archive is complete once this segment exists ({@code coveredUntil}). The
 * plaintext is compressed and CRC-checked here; the store object is also encrypted and
 * authenticated by the backup store's object encryption.
 *
 * <p>{@code afterSeq} is the archive position the segment continues from (the previous segment's
 * last seq, or the window's base): sequence numbers are server-wide, so a table's own records are
 * not consecutive, and only this link lets a restore tell a lost segment from other tables' writes.
 *
 * <p>Plaintext: magic {@code TMSG}, format 3, table id, afterSeq, first seq, last seq,
 * coveredUntil, record count, CRC32 of the uncompressed records, their length, then the records
 * ({@code int length, long seq, ChangeRecordCodec bytes} each) as one zstd frame. Format 1 lacked
 * afterSeq; formats 1 and 2 deflated the records (zlib cost a fifth of the CPU under sustained
 * writes) and kept each record's old image, which no restore reads. Format 3 leaves it out of
 * inserts and updates (they decode with a null old image; a delete keeps its old image, its only
 * one). Older formats still decode.
 */
public record Segment(
    long afterSeq,
    long firstSeq,
    long lastSeq,
    long coveredUntilMillis,
    List<ChangeRecord> records) {
  private static final int MAGIC = 0x544D5347;
  private static final int FORMAT = 3;

  /** zstd's fastest regular level: the archiver shares two cores with the writers it follows. */
  private static final int ZSTD_LEVEL = 1;

  /** Format 1 segments did not record where they continue from. */
  public static final long UNKNOWN = -1;

  public Segment {
    records = List.copyOf(records);
    if (firstSeq > lastSeq) {
      throw new IllegalArgumentException("empty seq range " + firstSeq + ".." + lastSeq);
    }
  }

  /** Store name: sorts by first seq, and tells the covered instant without being read. */
  public static String name(String tableUuid, long firstSeq, long lastSeq, long coveredUntil) {
    return String.format("%s%019d-%019d-%014d", prefix(tableUuid), firstSeq, lastSeq, coveredUntil);
  }

  public static String prefix(String tableUuid) {
    return "pitr/" + tableUuid + "/seg/";
  }

  /** The (firstSeq, lastSeq, coveredUntil) encoded in a segment's name. */
  public static long[] parseName(String name) {
    String base = name.substring(name.lastIndexOf('/') + 1);
    String[] parts = base.split("-");
    return new long[] {
      Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2])
    };
  }

  /**
   * Encodes a segment straight from stored change records, without decoding them: the archiver's
   * path. Old images of inserts and updates are dropped (format 3): a restore replays new images.
   */
  public static byte[] encode(
      long tableId,
      long afterSeq,
      long firstSeq,
      long lastSeq,
      long coveredUntilMillis,
      List<ChangeLog.Raw> records)
      throws IOException {
    if (firstSeq > lastSeq) {
      throw new IllegalArgumentException("empty seq range " + firstSeq + ".." + lastSeq);
    }
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    DataOutputStream rec = new DataOutputStream(raw);
    for (ChangeLog.Raw r : records) {
      byte[] b = ChangeRecordCodec.withoutOldImage(r.value());
      rec.writeInt(b.length);
      rec.writeLong(r.seq());
      rec.write(b);
    }
    rec.flush();
    byte[] plain = raw.toByteArray();
    CRC32 crc = new CRC32();
    crc.update(plain);
    ByteArrayOutputStream out = new ByteArrayOutputStream(plain.length / 2 + 64);
    DataOutputStream head = new DataOutputStream(out);
    head.writeInt(MAGIC);
    head.writeByte(FORMAT);
    head.writeLong(tableId);
    head.writeLong(afterSeq);
    head.writeLong(firstSeq);
    head.writeLong(lastSeq);
    head.writeLong(coveredUntilMillis);
    head.writeInt(records.size());
    head.writeLong(crc.getValue());
    head.writeInt(plain.length);
    head.flush();
    out.write(Zstd.compress(plain, ZSTD_LEVEL));
    return out.toByteArray();
  }

  public static Segment decode(byte[] bytes, String name) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
    int magic = in.readInt();
    int format = in.readByte();
    if (magic != MAGIC || format < 1 || format > FORMAT) {
      throw new IOException("PITR segment " + name + " has an unknown format");
    }
    long tableId = in.readLong();
    long after = format == 1 ? UNKNOWN : in.readLong();
    long first = in.readLong();
    long last = in.readLong();
    long covered = in.readLong();
    int count = in.readInt();
    long expectedCrc = in.readLong();
    byte[] plain;
    if (format < 3) {
      try (InflaterInputStream z = new InflaterInputStream(in)) {
        plain = z.readAllBytes();
      }
    } else {
      int plainLength = in.readInt();
      byte[] compressed = in.readAllBytes();
      try {
        plain = Zstd.decompress(compressed, plainLength);
      } catch (RuntimeException e) {
        throw new IOException("PITR segment " + name + " cannot be decompressed", e);
      }
    }
    CRC32 crc = new CRC32();
    crc.update(plain);
    if (crc.getValue() != expectedCrc) {
      throw new IOException("PITR segment " + name + " fails its checksum");
    }
    DataInputStream rec = new DataInputStream(new ByteArrayInputStream(plain));
    List<ChangeRecord> records = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int len = rec.readInt();
      long seq = rec.readLong();
      byte[] b = rec.readNBytes(len);
      records.add(ChangeRecordCodec.decode(tableId, seq, b));
    }
    return new Segment(after, first, last, covered, records);
  }
}
