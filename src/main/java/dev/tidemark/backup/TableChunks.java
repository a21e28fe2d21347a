package dev.tidemark.backup;

import com.github.luben.zstd.Zstd;
import dev.tidemark.storage.Cursor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.BiConsumer;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * The plaintext of a table data object: a run of a table space's entries in key order.
 *
 * <p>Format: byte {@code 0x54} ('T'), format byte {@code 1}, then entries {@code varint keyLength,
 * key, varint valueLength, value}. Objects are cut where a key's hash falls under a threshold
 * proportional to the entry's size, so boundaries depend only on keys near them: an unchanged key
 * range yields byte-identical objects in the next backup, which the store then shares.
 *
 * <p>Delta objects of incremental backups have the same framing under magic {@code 0x44} ('D'):
 * item keys in key order, each with the item's encoded image, or an empty value when the item was
 * deleted (an item always has its key attributes, so its encoding is never empty).
 */
public final class TableChunks {
  private static final int MAGIC = 0x54;
  private static final int FORMAT = 1;

  /** The first byte of a delta object. */
  public static final int DELTA_MAGIC = 0x44;

  /**
   * The first byte of a compressed table data object (the cold tier's, see {@link ColdPacker}):
   * after the format byte, a zlib stream of a table data object's entries.
   */
  public static final int COMPRESSED_MAGIC = 0x5A;

  /** The format byte of a compressed object that holds a zstd frame (1 is a zlib stream). */
  public static final int ZSTD_FORMAT = 2;

  /**
   * No cold object holds more than its 16 MiB of entries and one entry; this bounds a damaged one.
   */
  private static final long MAX_INFLATED = 1L << 30;

  /** The average object size the cut rule aims at. */
  public static final int TARGET_BYTES = 1 << 20;

  /** No object grows past this, whatever the keys. */
  public static final int MAX_BYTES = 8 << 20;

  private TableChunks() {}

  /** Receives each finished object's plaintext and how many entries it holds. */
  @FunctionalInterface
  public interface Sink {
    void accept(byte[] plaintext, int entries) throws IOException;
  }

  /** Splits everything the cursor yields into objects, in key order. */
  public static void split(Cursor cursor, Sink sink) throws IOException {
    split(
        new Iterator<>() {
          private Boolean ahead;

          @Override
          public boolean hasNext() {
            if (ahead == null) {
              ahead = cursor.next();
            }
            return ahead;
          }

          @Override
          public Map.Entry<byte[], byte[]> next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            ahead = null;
            return Map.entry(cursor.key(), cursor.value());
          }
        },
        MAGIC,
        sink);
  }

  /**
   * Splits an incremental backup's changed items into delta objects. Values are the items' images,
   * null for a deleted item; keys must come in increasing order.
   */
  public static void splitDelta(Iterator<Map.Entry<byte[], byte[]>> items, Sink sink)
      throws IOException {
    split(items, DELTA_MAGIC, sink);
  }

  private static void split(Iterator<Map.Entry<byte[], byte[]>> entriesIn, int magic, Sink sink)
      throws IOException {
    ByteArrayOutputStream buf = newBuffer(magic);
    int entries = 0;
    while (entriesIn.hasNext()) {
      Map.Entry<byte[], byte[]> e = entriesIn.next();
      byte[] key = e.getKey();
      byte[] value = e.getValue() == null ? new byte[0] : e.getValue();
      writeVarint(buf, key.length);
      buf.write(key);
      writeVarint(buf, value.length);
      buf.write(value);
      entries++;
      if (buf.size() >= MAX_BYTES || cutAfter(key, key.length + value.length)) {
        sink.accept(buf.toByteArray(), entries);
        buf = newBuffer(magic);
        entries = 0;
      }
    }
    if (entries > 0) {
      sink.accept(buf.toByteArray(), entries);
    }
  }

  /** Reads every entry of one object's plaintext. */
  public static void read(InputStream in, String objectName, BiConsumer<byte[], byte[]> entry)
      throws IOException {
    read(in, objectName, MAGIC, "table data", entry);
  }

  /** Reads every entry of a delta object; a deleted item's value is null. */
  public static void readDelta(InputStream in, String objectName, BiConsumer<byte[], byte[]> entry)
      throws IOException {
    read(in, objectName, DELTA_MAGIC, "delta", (k, v) -> entry.accept(k, v.length == 0 ? null : v));
  }

  private static void read(
      InputStream in,
      String objectName,
      int expectedMagic,
      String kind,
      BiConsumer<byte[], byte[]> entry)
      throws IOException {
    int magic = in.read();
    int format = in.read();
    if (magic == COMPRESSED_MAGIC && expectedMagic == MAGIC && format == FORMAT) {
      in = new InflaterInputStream(in);
    } else if (magic == COMPRESSED_MAGIC && expectedMagic == MAGIC && format == ZSTD_FORMAT) {
      byte[] frame = in.readAllBytes();
      byte[] plain = unzstd(frame, 0, frame.length, objectName, 0);
      in = new ByteArrayInputStream(plain);
    } else if (magic != expectedMagic || format != FORMAT) {
      throw new IOException(
          "data object " + objectName + " is not a " + kind + " object of format " + FORMAT);
    }
    while (true) {
      long keyLength = readVarint(in, true);
      if (keyLength < 0) {
        return;
      }
      byte[] key = in.readNBytes((int) keyLength);
      int valueLength = (int) readVarint(in, false);
      byte[] value = in.readNBytes(valueLength);
      if (key.length != keyLength || value.length != valueLength) {
        throw new EOFException("data object " + objectName + " ends inside an entry");
      }
      entry.accept(key, value);
    }
  }

  /**
   * The plaintext of a data object as {@link #read} takes it, with a compressed (cold) object
   * inflated here, whole: restores call this on their read-ahead threads, so that objects are
   * inflated several at once rather than one at a time inside the reader, which also feeds the bulk
   * loader. Any other object is returned as it is.
   */
  public static InputStream inflated(byte[] object, String objectName) throws IOException {
    if (object.length >= 2 && (object[0] & 0xFF) == COMPRESSED_MAGIC && object[1] == ZSTD_FORMAT) {
      byte[] framed = unzstd(object, 2, object.length - 2, objectName, 2);
      framed[0] = (byte) MAGIC;
      framed[1] = (byte) FORMAT;
      return new ByteArrayInputStream(framed);
    }
    if (object.length < 2 || (object[0] & 0xFF) != COMPRESSED_MAGIC || object[1] != FORMAT) {
      return new ByteArrayInputStream(object);
    }
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(object, 2, object.length - 2);
      byte[] out = new byte[Math.max(1 << 16, object.length * 2)];
      out[0] = (byte) MAGIC;
      out[1] = (byte) FORMAT;
      int n = 2;
      while (!inflater.finished()) {
        if (n == out.length) {
          out = Arrays.copyOf(out, out.length * 2);
        }
        int got = inflater.inflate(out, n, out.length - n);
        if (got == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          throw new EOFException("data object " + objectName + " ends inside its zlib stream");
        }
        n += got;
      }
      return new ByteArrayInputStream(out, 0, n);
    } catch (DataFormatException e) {
      throw new IOException(
          "data object " + objectName + " holds a damaged zlib stream: " + e.getMessage(), e);
    } finally {
      inflater.end();
    }
  }

  /**
   * One zstd frame that records its content size, decompressed after {@code headroom} bytes left
   * free at the start of the array.
   */
  private static byte[] unzstd(byte[] src, int offset, int length, String objectName, int headroom)
      throws IOException {
    long size = Zstd.getFrameContentSize(src, offset, length);
    if (size < 0 || size > MAX_INFLATED) {
      throw new IOException("data object " + objectName + " holds a damaged zstd frame");
    }
    byte[] plain = new byte[headroom + (int) size];
    long n;
    try {
      n = Zstd.decompressByteArray(plain, headroom, (int) size, src, offset, length);
    } catch (RuntimeException e) { // zstd-jni reports its errors as ZstdException
      throw new IOException(
          "data object " + objectName + " holds a damaged zstd frame: " + e.getMessage(), e);
    }
    if (Zstd.isError(n) || n != size) {
      throw new IOException("data object " + objectName + " holds a damaged zstd frame");
    }
    return plain;
  }

  private static ByteArrayOutputStream newBuffer(int magic) {
    ByteArrayOutputStream b = new ByteArrayOutputStream(TARGET_BYTES + (TARGET_BYTES >> 2));
    b.write(magic);
    b.write(FORMAT);
    return b;
  }

  /** Cut with probability entryBytes / TARGET_BYTES, decided by the key alone. */
  static boolean cutAfter(byte[] key, int entryBytes) {
    CRC32 crc = new CRC32();
    crc.update(key);
    long h = crc.getValue();
    return h * TARGET_BYTES < (long) entryBytes << 32;
  }

  static void writeVarint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  private static long readVarint(InputStream in, boolean eofAllowed) throws IOException {
    long v = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      int b = in.read();
      if (b < 0) {
        if (shift == 0 && eofAllowed) {
          return -1;
        }
        throw new EOFException("truncated length");
      }
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw new IOException("length too long");
  }
}
