package dev.tidemark.storage;

/**
 * A forward-only cursor over key-value pairs. Callers must close it; it pins engine resources. The
 * arrays returned belong to the caller.
 */
public interface Cursor extends AutoCloseable {
  /** Moves to the next entry; false when exhausted. Must be called before the first read. */
  boolean next();

  byte[] key();

  byte[] value();

  @Override
  void close();
}
