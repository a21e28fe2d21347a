package dev.tidemark.space;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/**
 * Space set aside in the data directory so that the server can always start again.
 *
 * <p>Opening RocksDB replays its write-ahead log and flushes what it recovered into a table file,
 * which needs free space; on a volume that something else filled to the last byte the open fails
 * and the server cannot even come up to let an operator delete a table. The reserve file, {@value
 * #NAME}, holds {@link #sizeFor} bytes while there is room. At start, before the engine opens, it
 * is deleted when free space is below the reserve ({@code --min-free-space}), which gives the
 * engine room for that flush; once space is back it is written again.
 *
 * <p>The bytes are random, not zeros or a sparse file: a sparse file reserves nothing, and a
 * compressing or deduplicating file system would store zeros in almost no space.
 */
public final class ReserveFile {
  public static final String NAME = "tidemark-space-reserve";
  private static final long MAX_BYTES = 64L << 20;

  private final Path file;
  private final long bytes;

  public ReserveFile(Path dataDir, long minFreeBytes) {
    this.file = dataDir.resolve(NAME);
    this.bytes = sizeFor(minFreeBytes);
  }

  /**
   * A quarter of the reserve, at most 64 MiB: RocksDB's recovery flush writes at most what its
   * write-ahead log holds, and the write path stops new writes at the reserve, so the log of a
   * volume filled by the server itself is already covered by the reserve; the file is for volumes
   * filled by someone else.
   */
  public static long sizeFor(long minFreeBytes) {
    return Math.min(MAX_BYTES, minFreeBytes / 4);
  }

  public long bytes() {
    return bytes;
  }

  public Path path() {
    return file;
  }

  public boolean exists() {
    return Files.isRegularFile(file);
  }

  /**
   * Deletes the reserve when the volume is below {@code minFreeBytes}.
   *
   * @return the bytes released, 0 if nothing was
   */
  public long releaseIfBelow(Volume volume, long minFreeBytes) throws IOException {
    // A write cut short by a crash is no reserve, only lost space.
    Files.deleteIfExists(file.resolveSibling(NAME + ".tmp"));
    if (!exists() || volume.usableBytes() >= minFreeBytes) {
      return 0;
    }
    long size = Files.size(file);
    Files.delete(file);
    return size;
  }

  /**
   * Writes the reserve if it is missing and {@code usableBytes} leaves room for it above the
   * reserve plus {@code slack}. A write that fails part way (the disk filled meanwhile) is removed.
   *
   * @return whether the file was written now
   */
  public boolean restoreIfRoom(long usableBytes, long minFreeBytes, long slack) throws IOException {
    if (bytes == 0 || exists() || usableBytes < minFreeBytes + bytes + slack) {
      return false;
    }
    Path temp = file.resolveSibling(NAME + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            temp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      SplittableRandom random = new SplittableRandom();
      ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
      for (long written = 0; written < bytes; ) {
        chunk.clear();
        int n = (int) Math.min(chunk.capacity(), bytes - written);
        while (chunk.position() + 8 <= n) {
          chunk.putLong(random.nextLong());
        }
        chunk.position(n).flip();
        while (chunk.hasRemaining()) {
          written += ch.write(chunk);
        }
      }
      ch.force(true);
    } catch (IOException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    return true;
  }
}
