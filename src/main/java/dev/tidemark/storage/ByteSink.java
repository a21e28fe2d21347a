package dev.tidemark.storage;

import java.util.Arrays;

/**
 * A growable byte array. The codecs write many single bytes and short runs; going through {@code
 * ByteArrayOutputStream} would pay for synchronisation and checked exceptions on every call.
 */
final class ByteSink {
  private byte[] buf;
  private int size;

  ByteSink(int initialCapacity) {
    buf = new byte[Math.max(initialCapacity, 8)];
  }

  int size() {
    return size;
  }

  void write(int b) {
    if (size == buf.length) {
      grow(1);
    }
    buf[size++] = (byte) b;
  }

  void write(byte[] b) {
    write(b, 0, b.length);
  }

  void write(byte[] b, int off, int len) {
    if (buf.length - size < len) {
      grow(len);
    }
    System.arraycopy(b, off, buf, size, len);
    size += len;
  }

  /** Unsigned LEB128: seven bits a byte, low group first, high bit set on all but the last. */
  void writeVarint(long v) {
    while ((v & ~0x7FL) != 0) {
      write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    write((int) v);
  }

  byte[] toArray() {
    return Arrays.copyOf(buf, size);
  }

  private void grow(int needed) {
    int capacity = Math.max(buf.length * 2, size + needed);
    if (capacity < 0) {
      throw new OutOfMemoryError("encoded value too large");
    }
    buf = Arrays.copyOf(buf, capacity);
  }
}
