package dev.tidemark.changelog;

import dev.tidemark.model.AttributeValue;
import dev.tidemark.storage.ItemCodec;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Binary form of a change record as stored in the change log. The table id and seq live in the key;
 * the value holds a format byte, origin, commit time and the three images.
 */
public final class ChangeRecordCodec {
  private static final byte FORMAT = 1;

  private ChangeRecordCodec() {}

  public static byte[] encode(ChangeRecord r) {
    byte[] key = ItemCodec.encode(r.key());
    byte[] oldImage = r.oldImage() == null ? null : ItemCodec.encode(r.oldImage());
    byte[] newImage = r.newImage() == null ? null : ItemCodec.encode(r.newImage());
    int size = 1 + 1 + 8 + 4 + key.length + 4 + len(oldImage) + 4 + len(newImage);
    ByteBuffer b = ByteBuffer.allocate(size);
    b.put(FORMAT).put((byte) r.origin().ordinal()).putLong(r.commitTimeMillis());
    putBlock(b, key);
    putBlock(b, oldImage);
    putBlock(b, newImage);
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
    return new ChangeRecord(tableId, seq, time, key, oldImage, newImage, origin);
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
