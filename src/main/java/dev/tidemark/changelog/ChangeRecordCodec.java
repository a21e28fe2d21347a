package dev.tidemark.changelog;

import dev.tidemark.model.AttributeValue;
import dev.tidemark.storage.ItemCodec;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Binary form of a change record as stored in the change log. The table id and seq live in the key;
 * the value holds a format byte, origin, commit time, the writer and the three images.
 *
 * <p>Format 2 (written now): {@code 2, origin, commit time (8 bytes), writer id (unsigned varint, a
 * {@link Writers} id), key, old image, new image}. Format 1, written before identities were
 * recorded, is the same without the writer id; it is still read, with the writer {@link
 * Writers#UNKNOWN}. The commit time stays at offset 2 in both, and the varint costs one byte for
 * the first 127 identities.
 *
 * <p>A record of a replicated table ends with its {@link ItemStamp} (length-prefixed) after the new
 * image. Readers that predate stamps stop after the new image and never see it; readers that know
 * stamps find none in older records. {@link #withoutOldImage} keeps the trailer with the new image.
 */
public final class ChangeRecordCodec {
  private static final byte FORMAT_V1 = 1;
  private static final byte FORMAT = 2;

  /** Format, origin, commit time: the fixed part of the header in both formats. */
  private static final int FIXED_HEADER = 1 + 1 + 8;

  /** values() copies its array on every call; the shipper reads an origin per record. */
  private static final ChangeRecord.Origin[] ORIGINS = ChangeRecord.Origin.values();

  private ChangeRecordCodec() {}

  public static byte[] encode(ChangeRecord r) {
    return encode(
        r,
        r.oldImage() == null ? null : ItemCodec.encode(r.oldImage()),
        r.newImage() == null ? null : ItemCodec.encode(r.newImage()));
  }

  /**
   * {@link #encode(ChangeRecord)} with the images already encoded: {@code oldImage} and {@code
   * newImage} are an {@link ItemCodec} encoding of {@code r}'s (null where it has none). The write
   * path has them at hand (the stored item it read, the item it stores), and encoding each image
   * again was most of a commit's own CPU.
   */
  public static byte[] encode(ChangeRecord r, byte[] oldImage, byte[] newImage) {
    if ((oldImage == null) != (r.oldImage() == null)
        || (newImage == null) != (r.newImage() == null)) {
      throw new IllegalArgumentException("encoded images do not match the record's");
    }
    byte[] key = ItemCodec.encode(r.key());
    byte[] stamp = r.stamp() == null ? null : r.stamp().encode(false);
    // A record never claims an identity it lacks: UNKNOWN is for old records only.
    int writer = Math.max(r.writer(), Writers.NONE);
    int size =
        FIXED_HEADER
            + varintLength(writer)
            + 4
            + key.length
            + 4
            + len(oldImage)
            + 4
            + len(newImage)
            + (stamp == null ? 0 : 4 + stamp.length);
    ByteBuffer b = ByteBuffer.allocate(size);
    b.put(FORMAT).put((byte) r.origin().ordinal()).putLong(r.commitTimeMillis());
    putVarint(b, writer);
    putBlock(b, key);
    putBlock(b, oldImage);
    putBlock(b, newImage);
    if (stamp != null) {
      b.putInt(stamp.length).put(stamp);
    }
    return b.array();
  }

  public static ChangeRecord decode(long tableId, long seq, byte[] value) {
    ByteBuffer b = ByteBuffer.wrap(value);
    byte format = b.get();
    if (format != FORMAT && format != FORMAT_V1) {
      throw new IllegalStateException("unknown change record format " + format + " at seq " + seq);
    }
    ChangeRecord.Origin origin = ORIGINS[b.get()];
    long time = b.getLong();
    int writer = format == FORMAT_V1 ? Writers.UNKNOWN : getVarint(b);
    Map<String, AttributeValue> key = getBlock(b);
    Map<String, AttributeValue> oldImage = getBlock(b);
    Map<String, AttributeValue> newImage = getBlock(b);
    ItemStamp stamp = null;
    if (b.hasRemaining()) {
      byte[] s = new byte[b.getInt()];
      b.get(s);
      stamp = ItemStamp.decode(s);
    }
    return new ChangeRecord(tableId, seq, time, key, oldImage, newImage, origin, stamp, writer);
  }

  /**
   * The same record without its old image, re-framed without decoding anything. What a replay needs
   * (key, new image, time) is kept; the old image, half of an update's bytes, is not.
   */
  public static byte[] withoutOldImage(byte[] value) {
    ByteBuffer b = ByteBuffer.wrap(value);
    int keyAt = keyOffset(value);
    int keyLen = b.getInt(keyAt);
    int oldAt = keyAt + 4 + keyLen;
    int oldLen = b.getInt(oldAt);
    int newAt = oldAt + 4 + Math.max(oldLen, 0);
    // A delete keeps its old image: a record needs at least one, and deletes carry no other.
    if (oldLen < 0 || b.getInt(newAt) < 0) {
      return value;
    }
    int tail = value.length - newAt;
    ByteBuffer out = ByteBuffer.allocate(oldAt + 4 + tail);
    out.put(value, 0, oldAt).putInt(-1).put(value, newAt, tail);
    return out.array();
  }

  /**
   * What a replication shipper sends of a record, still encoded: the origin, commit time, the
   * encoded key, the encoded new image (null for a delete) and the encoded stamp (null in a record
   * without one). Shipping decoded every image only to encode it again.
   */
  public record Shippable(
      ChangeRecord.Origin origin,
      long commitTimeMillis,
      byte[] key,
      byte[] newImage,
      byte[] stamp) {}

  /** The parts of a stored record a shipper needs, without decoding any image. */
  public static Shippable shippable(byte[] value) {
    ByteBuffer b = ByteBuffer.wrap(value);
    ChangeRecord.Origin origin = ORIGINS[b.get(1)];
    long time = b.getLong(2);
    b.position(keyOffset(value));
    byte[] key = rawBlock(b);
    int oldLen = b.getInt();
    b.position(b.position() + Math.max(oldLen, 0));
    byte[] newImage = rawBlock(b);
    byte[] stamp = null;
    if (b.hasRemaining()) {
      stamp = new byte[b.getInt()];
      b.get(stamp);
    }
    return new Shippable(origin, time, key, newImage, stamp);
  }

  private static byte[] rawBlock(ByteBuffer b) {
    int n = b.getInt();
    if (n < 0) {
      return null;
    }
    byte[] block = new byte[n];
    b.get(block);
    return block;
  }

  /** The item key alone, without decoding the images (incremental backups need only keys). */
  public static Map<String, AttributeValue> key(byte[] value) {
    ByteBuffer b = ByteBuffer.wrap(value);
    b.position(keyOffset(value));
    return getBlock(b);
  }

  /** The commit time alone, without decoding the images (retention scans many records). */
  public static long commitTime(byte[] value) {
    return ByteBuffer.wrap(value, 2, 8).getLong();
  }

  /** Where the key block starts: after the header, whose length depends on the format. */
  private static int keyOffset(byte[] value) {
    byte format = value[0];
    if (format == FORMAT_V1) {
      return FIXED_HEADER;
    }
    if (format != FORMAT) {
      throw new IllegalStateException("unknown change record format " + format);
    }
    int at = FIXED_HEADER;
    while ((value[at] & 0x80) != 0) {
      at++;
    }
    return at + 1;
  }

  private static int varintLength(int v) {
    int n = 1;
    while ((v >>>= 7) != 0) {
      n++;
    }
    return n;
  }

  private static void putVarint(ByteBuffer b, int v) {
    while ((v & ~0x7F) != 0) {
      b.put((byte) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    b.put((byte) v);
  }

  private static int getVarint(ByteBuffer b) {
    int v = 0;
    for (int shift = 0; ; shift += 7) {
      byte x = b.get();
      v |= (x & 0x7F) << shift;
      if ((x & 0x80) == 0) {
        return v;
      }
      if (shift >= 28) {
        throw new IllegalStateException("writer id varint too long");
      }
    }
  }

  private static int len(byte[] a) {
    return a == null ? 0 : a.length;
  }

  private static void putBlock(ByteBuffer b, byte[] block) {
    if (block == null) {
      b.putInt(-1);
    } else {
      b.putInt(block.length).put(block);
    }
  }

  private static Map<String, AttributeValue> getBlock(ByteBuffer b) {
    int n = b.getInt();
    if (n < 0) {
      return null;
    }
    byte[] block = new byte[n];
    b.get(block);
    return ItemCodec.decode(block);
  }
}
