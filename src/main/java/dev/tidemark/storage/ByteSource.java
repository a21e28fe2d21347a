package dev.tidemark.storage;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A bounds-checked reader over a byte array. Stored bytes may be truncated or corrupt; every read
 * fails with {@link IllegalArgumentException} instead of an index exception or a huge allocation
 * driven by a damaged length.
 */
final class ByteSource {
  private final byte[] buf;
  private int pos;
  private final int limit;

  ByteSource(byte[] buf, int offset, int limit) {
    if (offset < 0 || limit > buf.length || offset > limit) {
      throw new IllegalArgumentException("bad range " + offset + ".." + limit);
    }
    this.buf = buf;
    this.pos = offset;
    this.limit = limit;
  }

  int remaining() {
    return limit - pos;
  }

  int readUnsignedByte() {
    if (pos >= limit) {
      throw new IllegalArgumentException("truncated input at offset " + pos);
    }
    return buf[pos++] & 0xFF;
  }

  long readVarint() {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = readUnsignedByte();
      result |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return result;
      }
    }
    throw new IllegalArgumentException("varint longer than 64 bits at offset " + pos);
  }

  /**
   * A length or count. Every counted thing occupies at least one byte, so anything above the
   * remaining input is corruption and is refused before it sizes an allocation.
   */
  int readCount() {
    long n = readVarint();
    if (n < 0 || n > remaining()) {
      throw new IllegalArgumentException("length " + n + " exceeds remaining input at " + pos);
    }
    return (int) n;
  }

  byte[] readBytes(int n) {
    if (n > remaining()) {
      throw new IllegalArgumentException("truncated input at offset " + pos);
    }
    byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
    pos += n;
    return out;
  }

  String readUtf8(int n) {
    if (n > remaining()) {
      throw new IllegalArgumentException("truncated input at offset " + pos);
    }
    String s = new String(buf, pos, n, StandardCharsets.UTF_8);
    pos += n;
    return s;
  }
}
