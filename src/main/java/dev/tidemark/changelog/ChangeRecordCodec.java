package dev.tidemark.changelog;

import dev.tidemark.model.AttributeValue;
import dev.tidemark.storage.ItemCodec;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Binary form of a change record as stored in the change log. The table id and seq live in the key;
 * the value holds a format byte, origin, commit time and the three images.
 *
 * <p>A record of a replicated table ends with its {@link ItemStamp} (length-prefixed) after the new
 * image. Readers that predate stamps stop after the new image and never see it; readers that know
 * stamps find none in older records. So the format byte stays 1 and every stored log stays readable
 * both ways. {@link #withoutOldImage} keeps the trailer with the new image.
 */
public final class ChangeRecordCodec {
  private static final byte FORMAT = 1;

  private ChangeRecordCodec() {}

  public static byte[] encode(ChangeRecord r) {
    byte[] key = ItemCodec.encode(r.key());
    byte[] oldImage = r.oldImage() == null ? null : ItemCodec.encode(r.oldImage());
    byte[] newImage = r.newImage() == null ? null : ItemCodec.encode(r.newImage());
    byte[] stamp = r.stamp() == null ? null : r.stamp().encode(false);
    int size =
        1
            + 1
            + 8
            + 4
            + key.length
            + 4
            + len(oldImage)
            + 4
            + len(newImage)
            + (stamp == null ? 0 : 4 + stamp.length);
    ByteBuffer b = ByteBuffer.allocate(size);
    b.put(FORMAT).put((byte) r.origin().ordinal()).putLong(r.commitTimeMillis());
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
    if (format != FORMAT) {
      throw new IllegalStateException("unknown change record format " + format + " at seq " + seq);
    }
    ChangeRecord.Origin origin = ChangeRecord.Origin.values()[b.get()];
    long time = b.getLong();
    Map<String, AttributeValue> key = getBlock(b);
    Map<String, AttributeValue> oldImage = getBlock(b);
    Map<String, AttributeValue> newImage = getBlock(b);
    ItemStamp stamp = null;
    if (b.hasRemaining()) {
      byte[] s = new byte[b.getInt()];
      b.get(s);
      stamp = ItemStamp.decode(s);
    }
    return new ChangeRecord(tableId, seq, time, key, oldImage, newImage, origin, stamp);
  }

  /**
   * The same record without its old image, re-framed without decoding anything. What a replay needs
   * (key, new image, time) is kept; the old image, half of an update's bytes, is not.
   */
  public static byte[] withoutOldImage(byte[] value) {
    ByteBuffer b = ByteBuffer.wrap(value);
    if (b.get(0) != FORMAT) {
      throw new IllegalStateException("unknown change record format " + b.get(0));
    }
    int keyAt = 1 + 1 + 8;
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
    if (b.get() != FORMAT) {
      throw new IllegalStateException("unknown change record format " + value[0]);
    }
    ChangeRecord.Origin origin = ChangeRecord.Origin.values()[b.get()];
    long time = b.getLong();
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
    if (b.get(0) != FORMAT) {
      throw new IllegalStateException("unknown change record format " + b.get(0));
    }
    b.position(1 + 1 + 8);
    return getBlock(b);
  }

  /** The commit time alone, without decoding the images (retention scans many records). */
  public static long commitTime(byte[] value) {
    return ByteBuffer.wrap(value, 2, 8).getLong();
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
