package dev.tidemark.replication;

import dev.tidemark.errors.DynamoException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The body of an {@value #OP} request: replicated writes as one binary frame. Keys, images and
 * stamps travel as the change log stores them, so neither side builds a JSON tree or base64 text
 * per record (a third more bytes to hash, send and decode, and a string per field).
 *
 * <p>Layout, big-endian: version byte {@value #VERSION}; table name and group id (each an int
 * length and UTF-8); a flags byte (bit 0: a fill, bit 1: a {@code through} watermark follows); the
 * watermark (a long, only with bit 1); the record count (an int); then per record the storage key
 * (int length, bytes), the new image (int length, -1 for a delete, bytes), the stamp (int length,
 * bytes) and the origin's commit time (a long). A frame that does not parse exactly is refused
 * before anything is applied.
 */
final class ApplyFrame {
  static final String OP = "apply-frame";
  static final String CONTENT_TYPE = "application/octet-stream";
  private static final byte VERSION = 1;
  private static final int FILL = 1;
  private static final int THROUGH = 2;

  private ApplyFrame() {}

  /** One replicated write: its storage key, its image (null for a delete), stamp, commit time. */
  record Shipped(byte[] storageKey, byte[] image, byte[] stamp, long commitTime) {}

  /** A decoded frame; {@code through} is null when the sender claims no watermark. */
  record Decoded(String table, String groupId, boolean fill, Long through, List<Shipped> records) {}

  /** Collects records, then frames them once. Not thread-safe. */
  static final class Writer {
    private byte[] buf;
    private int len;
    private int count;

    Writer() {
      this(8192);
    }

    /** A writer whose records are expected to take about {@code capacity} bytes. */
    Writer(int capacity) {
      buf = new byte[Math.max(64, capacity)];
    }

    /** The bytes {@link #add} takes for these fields. */
    static int recordBytes(byte[] storageKey, byte[] image, byte[] stamp) {
      return 24 + storageKey.length + (image == null ? 0 : image.length) + stamp.length;
    }

    void add(byte[] storageKey, byte[] image, byte[] stamp, long commitTime) {
      ensure(recordBytes(storageKey, image, stamp));
      putBlock(storageKey);
      if (image == null) {
        putInt(-1);
      } else {
        putBlock(image);
      }
      putBlock(stamp);
      putLong(commitTime);
      count++;
    }

    int count() {
      return count;
    }

    /** Bytes of records so far. */
    int bytes() {
      return len;
    }

    /** The request body: a header, then the records added. */
    byte[] frame(String table, String groupId, boolean fill, Long through) {
      byte[] name = table.getBytes(StandardCharsets.UTF_8);
      byte[] group = groupId.getBytes(StandardCharsets.UTF_8);
      // Sized exactly: the array is the body, with no copy.
      ByteBuffer b =
          ByteBuffer.allocate(
                  1 + 4 + name.length + 4 + group.length + 1 + (through != null ? 8 : 0) + 4 + len)
              .put(VERSION)
              .putInt(name.length)
              .put(name)
              .putInt(group.length)
              .put(group)
              .put((byte) ((fill ? FILL : 0) | (through != null ? THROUGH : 0)));
      if (through != null) {
        b.putLong(through);
      }
      b.putInt(count).put(buf, 0, len);
      return b.array();
    }

    private void ensure(int more) {
      if (len + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
      }
    }

    private void putBlock(byte[] block) {
      putInt(block.length);
      System.arraycopy(block, 0, buf, len, block.length);
      len += block.length;
    }

    private void putInt(int v) {
      ByteBuffer.wrap(buf, len, 4).putInt(v);
      len += 4;
    }

    private void putLong(long v) {
      ByteBuffer.wrap(buf, len, 8).putLong(v);
      len += 8;
    }
  }

  /**
   * Parses a frame whole.
   *
   * @throws DynamoException ValidationException when the frame is malformed or has bytes left over
   */
  static Decoded decode(byte[] frame) {
    ByteBuffer b = ByteBuffer.wrap(frame);
    try {
      if (b.get() != VERSION) {
        throw malformed("unknown version " + frame[0]);
      }
      String table = new String(block(b, false), StandardCharsets.UTF_8);
      String groupId = new String(block(b, false), StandardCharsets.UTF_8);
      int flags = b.get();
      Long through = (flags & THROUGH) != 0 ? b.getLong() : null;
      int count = b.getInt();
      // Each record takes at least 20 bytes, so a count beyond that is a lie, not a reason to
      // allocate.
      if (count < 0 || count > b.remaining() / 20) {
        throw malformed("record count " + count + " does not fit the frame");
      }
      List<Shipped> records = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        byte[] key = block(b, false);
        byte[] image = block(b, true);
        byte[] stamp = block(b, false);
        records.add(new Shipped(key, image, stamp, b.getLong()));
      }
      if (b.hasRemaining()) {
        throw malformed(b.remaining() + " bytes after the last record");
      }
      return new Decoded(table, groupId, (flags & FILL) != 0, through, records);
    } catch (BufferUnderflowException e) {
      throw malformed("truncated");
    }
  }

  private static byte[] block(ByteBuffer b, boolean nullable) {
    int n = b.getInt();
    if (n == -1 && nullable) {
      return null;
    }
    if (n < 0 || n > b.remaining()) {
      throw malformed("a field of " + n + " bytes with " + b.remaining() + " left");
    }
    byte[] out = new byte[n];
    b.get(out);
    return out;
  }

  private static DynamoException malformed(String why) {
    return DynamoException.validation("malformed replication frame: " + why);
  }
}
