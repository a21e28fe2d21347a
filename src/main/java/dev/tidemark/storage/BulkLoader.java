package dev.tidemark.storage;

/**
 * Loads sorted entries into a table space as prepared files, at disk speed. Nothing is visible
 * until {@link #finish}; {@link #close} without finish discards everything.
 */
public interface BulkLoader extends AutoCloseable {
  /** Adds one entry; keys must be strictly increasing. */
  void add(byte[] key, byte[] value);

  /** Makes every added entry visible atomically. */
  void finish();

  @Override
  void close();
}
