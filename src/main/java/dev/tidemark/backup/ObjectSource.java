package dev.tidemark.backup;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Content for one data object that can be read more than once: the writer reads it once to learn
 * its content id (and skip the upload if the store already has it), then again to encrypt and
 * upload it. Snapshot files (RocksDB checkpoint SSTs) are immutable, so re-reading is cheap and
 * safe; if the content changes between the reads, the upload is abandoned with an error.
 */
@FunctionalInterface
public interface ObjectSource {
  InputStream open() throws IOException;

  static ObjectSource of(byte[] content) {
    byte[] copy = content.clone();
    return () -> new ByteArrayInputStream(copy);
  }

  static ObjectSource of(Path file) {
    return () -> Files.newInputStream(file);
  }
}
