package dev.tidemark.storage;

import java.nio.ByteBuffer;

/** Change-log keys: table id then sequence, both big-endian, so one table's log is contiguous. */
public final class ChangeKeys {
  private ChangeKeys() {}

  public static byte[] key(long tableId, long seq) {
    return ByteBuffer.allocate(16).putLong(tableId).putLong(seq).array();
  }

  public static long seq(byte[] key) {
    return ByteBuffer.wrap(key, 8, 8).getLong();
  }
}
