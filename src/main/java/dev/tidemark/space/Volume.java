package dev.tidemark.space;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/** The file system under a directory, as far as free space goes. Tests substitute their own. */
public interface Volume {
  /** The directory, for people. */
  String path();

  /** Bytes this process may still write (what {@code df} shows as available). */
  long usableBytes() throws IOException;

  long totalBytes() throws IOException;

  /** The file system holding {@code dir}, which must exist. */
  static Volume of(Path dir) throws IOException {
    Path abs = dir.toAbsolutePath().normalize();
    FileStore store = Files.getFileStore(abs);
    return new Volume() {
      @Override
      public String path() {
        return abs.toString();
      }

      @Override
      public long usableBytes() throws IOException {
        return store.getUsableSpace();
      }

      @Override
      public long totalBytes() throws IOException {
        return store.getTotalSpace();
      }
    };
  }
}
