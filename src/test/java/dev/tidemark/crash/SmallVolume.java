package dev.tidemark.crash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A small file system made for a test: a tmpfs of a fixed size mounted on a temporary directory,
 * which the test can fill to any level. Mounting needs root (CI runs as root); where it cannot
 * mount, {@link #mount} aborts the test with the reason, so it is reported as skipped, not passed.
 */
final class SmallVolume implements AutoCloseable {
  private final Path dir;
  private final List<Path> fillers = new ArrayList<>();

  private SmallVolume(Path dir) {
    this.dir = dir;
  }

  static SmallVolume mount(Path dir, int mebibytes) throws Exception {
    Files.createDirectories(dir);
    String os = System.getProperty("os.name", "");
    Assumptions.assumeTrue(
        os.startsWith("Linux"), "skipped: a small tmpfs volume needs Linux, not " + os);
    Process p =
        new ProcessBuilder(
                "mount", "-t", "tmpfs", "-o", "size=" + mebibytes + "m", "tmpfs", dir.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    boolean done = p.waitFor(30, TimeUnit.SECONDS);
    Assumptions.assumeTrue(
        done && p.exitValue() == 0,
        "skipped: cannot mount a "
            + mebibytes
            + " MiB tmpfs at "
            + dir
            + " (needs root and the mount syscall; CI runs as root): "
            + out);
    return new SmallVolume(dir);
  }

  Path dir() {
    return dir;
  }

  long free() throws IOException {
    return Files.getFileStore(dir).getUsableSpace();
  }

  /**
   * Writes a filler file so that about {@code leaveBytes} stay free (0: everything is taken). Zeros
   * do: a tmpfs stores every page written.
   */
  void fillLeaving(long leaveBytes) throws IOException {
    Path filler = dir.resolve("filler-" + fillers.size());
    fillers.add(filler);
    ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
    try (FileChannel ch =
        FileChannel.open(filler, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      long todo = free() - leaveBytes;
      while (todo > 0) {
        zeros.clear().limit((int) Math.min(zeros.capacity(), todo));
        try {
          todo -= ch.write(zeros);
        } catch (IOException e) {
          // Full to the last byte: what "leave 0" asks for.
          if (leaveBytes > 0) {
            throw e;
          }
          return;
        }
      }
    }
  }

  /** Deletes every filler: the space an operator frees. */
  void freeFillers() throws IOException {
    for (Path f : fillers) {
      Files.deleteIfExists(f);
    }
    fillers.clear();
  }

  @Override
  public void close() throws IOException {
    // Lazy: a server killed a moment ago may still hold files open.
    Process p = new ProcessBuilder("umount", "-l", dir.toString()).inheritIO().start();
    try {
      p.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
