package dev.tidemark.storage;

/** A read-only view of the whole store at one instant. Close it to release what it pins. */
public interface StorageSnapshot extends AutoCloseable {
  byte[] get(long tableId, byte[] key);

  byte[] getMeta(byte[] key);

  Cursor scan(long tableId, byte[] lower, byte[] upper, boolean reverse);

  Cursor changes(long tableId, long fromSeq, long toSeq);

  @Override
  void close();
}
