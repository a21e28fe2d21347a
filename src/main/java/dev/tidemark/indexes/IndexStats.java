package dev.tidemark.indexes;

import java.nio.ByteBuffer;

/**
 * What DescribeTable reports for one index: its entry count and the bytes of its projected items.
 * Stored in the meta space under {@code TableCatalog.indexStatsKey}, written in the same batch as
 * the entries they count.
 */
public record IndexStats(long itemCount, long sizeBytes) {
  public static final IndexStats EMPTY = new IndexStats(0, 0);

  public IndexStats {
    if (itemCount < 0 || sizeBytes < 0) {
      throw new IllegalArgumentException("index stats cannot be negative");
    }
  }

  public static IndexStats decode(byte[] raw) {
    if (raw == null) {
      return EMPTY;
    }
    ByteBuffer b = ByteBuffer.wrap(raw);
    return new IndexStats(b.getLong(), b.getLong());
  }

  public byte[] encode() {
    return ByteBuffer.allocate(16).putLong(itemCount).putLong(sizeBytes).array();
  }

  IndexStats plus(long count, long size) {
    return new IndexStats(itemCount + count, sizeBytes + size);
  }
}
