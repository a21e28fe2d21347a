package dev.tidemark.backup.store;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The bytes of one upload part, held in blocks that are never copied once written: a contiguous
 * array grown by doubling copied each object about twice over before it was sent. Blocks start
 * small (most objects besides data objects are a few KB) and grow with what is buffered, up to 1
 * MiB. Not thread-safe; one per upload.
 */
final class PartBuffer {
  private static final int FIRST_BLOCK = 8 << 10;
  private static final int MAX_BLOCK = 1 << 20;

  private final List<byte[]> blocks = new ArrayList<>();
  private int size;
  private int lastUsed;
  private int blockSize = FIRST_BLOCK;

  /** Bytes buffered. */
  int size() {
    return size;
  }

  void write(byte[] b, int off, int len) {
    while (len > 0) {
      if (blocks.isEmpty() || lastUsed == blocks.get(blocks.size() - 1).length) {
        // Grow with what is buffered; a later part of a multipart upload starts where the
        // previous one ended.
        blockSize = Math.min(MAX_BLOCK, Math.max(blockSize, Math.max(size, len)));
        blocks.add(new byte[blockSize]);
        lastUsed = 0;
      }
      byte[] last = blocks.get(blocks.size() - 1);
      int n = Math.min(len, last.length - lastUsed);
      System.arraycopy(b, off, last, lastUsed, n);
      lastUsed += n;
      size += n;
      off += n;
      len -= n;
    }
  }

  void digestInto(MessageDigest digest) {
    int left = size;
    for (byte[] block : blocks) {
      int n = Math.min(left, block.length);
      digest.update(block, 0, n);
      left -= n;
    }
  }

  /**
   * A stream of the bytes buffered now; each call starts afresh (a retried request reads them
   * again). The buffer must not change while a stream is read.
   */
  InputStream newStream() {
    List<InputStream> parts = new ArrayList<>(blocks.size());
    int left = size;
    for (byte[] block : blocks) {
      int n = Math.min(left, block.length);
      parts.add(new ByteArrayInputStream(block, 0, n));
      left -= n;
    }
    return new SequenceInputStream(Collections.enumeration(parts));
  }

  /** Empties the buffer, keeping no block (the next part allocates its own). */
  void clear() {
    blocks.clear();
    size = 0;
    lastUsed = 0;
  }
}
