package dev.tidemark.backup.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryObjectStoreTest extends ObjectStoreContract {
  @TempDir Path root;

  @Override
  ObjectStore store() throws IOException {
    return new DirectoryObjectStore(root);
  }

  // Names with '/' are real subdirectories, so the store is inspectable with ls.
  @Test
  void slashesMapToSubdirectories() throws IOException {
    new DirectoryObjectStore(root).put("tables/t1/data/abc", "x".getBytes(UTF_8));
    assertThat(root.resolve("tables/t1/data/abc")).isRegularFile().hasContent("x");
  }

  // An upload in progress leaves only a hidden temp file that list never reports.
  @Test
  void tempFilesAreInvisible() throws IOException {
    DirectoryObjectStore s = new DirectoryObjectStore(root);
    s.put("d/done", new byte[] {1});
    try (PendingObject p = s.create("d/pending")) {
      p.write(new byte[10]);
      p.flush();
      assertThat(hiddenFiles()).isPositive();
      assertThat(s.list("")).containsExactly("d/done");
      assertThat(s.list("d/")).containsExactly("d/done");
    }
  }

  // A crash mid-upload leaves a temp file; reopening the store removes it.
  @Test
  void openingRemovesAbandonedTempFiles() throws IOException {
    Files.createDirectories(root.resolve("a/b"));
    Files.write(root.resolve("a/b/" + DirectoryObjectStore.TEMP_PREFIX + "deadbeef"), new byte[5]);
    Files.write(root.resolve(DirectoryObjectStore.TEMP_PREFIX + "0"), new byte[5]);
    DirectoryObjectStore s = new DirectoryObjectStore(root);
    assertThat(hiddenFiles()).isZero();
    assertThat(s.list("")).isEmpty();
  }

  // Committed and abandoned uploads both clean up their temp files.
  @Test
  void noTempFilesLeftAfterPuts() throws IOException {
    DirectoryObjectStore s = new DirectoryObjectStore(root);
    s.put("a/x", new byte[] {1});
    s.put("a/x", new byte[] {1});
    try {
      s.put("a/x", new byte[] {2});
    } catch (ObjectAlreadyExistsException expected) {
      // refused, as intended
    }
    try (PendingObject p = s.create("a/y")) {
      p.write(1);
    }
    assertThat(hiddenFiles()).isZero();
  }

  // A command reading the store (backup list) must not delete a running server's upload.
  @Test
  void openingForReadingLeavesUploadsAlone() throws IOException {
    DirectoryObjectStore s = new DirectoryObjectStore(root);
    try (PendingObject p = s.create("d/pending")) {
      p.write(new byte[10]);
      p.flush();
      assertThat(DirectoryObjectStore.forReading(root).list("")).isEmpty();
      p.commit();
    }
    assertThat(s.size("d/pending")).hasValue(10);
  }

  // Objects outlive the store instance: a new instance (a restarted server) sees them.
  @Test
  void reopenedStoreSeesObjects() throws IOException {
    new DirectoryObjectStore(root).put("m/1", "v".getBytes(UTF_8));
    assertThat(new DirectoryObjectStore(root).getBytes("m/1")).asString(UTF_8).isEqualTo("v");
  }

  private long hiddenFiles() throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.getFileName().toString().startsWith(".")).count();
    }
  }
}
