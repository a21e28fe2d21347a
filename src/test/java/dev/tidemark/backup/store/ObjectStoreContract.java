package dev.tidemark.backup.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Semantics every store must share, so tests on the memory store predict the durable ones. */
abstract class ObjectStoreContract {
  abstract ObjectStore store() throws IOException;

  // Basic put/get/size/exists/delete cycle.
  @Test
  void putGetDelete() throws IOException {
    ObjectStore s = store();
    s.put("a/b/c", "hello".getBytes(UTF_8));
    assertThat(s.getBytes("a/b/c")).asString(UTF_8).isEqualTo("hello");
    assertThat(s.size("a/b/c")).hasValue(5);
    assertThat(s.exists("a/b/c")).isTrue();
    assertThat(s.delete("a/b/c")).isTrue();
    assertThat(s.delete("a/b/c")).isFalse();
    assertThat(s.exists("a/b/c")).isFalse();
    assertThatThrownBy(() -> s.get("a/b/c")).isInstanceOf(NoSuchObjectException.class);
  }

  // list is a plain string-prefix filter, sorted, and sees nested names.
  @Test
  void listsByPrefixSorted() throws IOException {
    ObjectStore s = store();
    for (String n : new String[] {"t/2/x", "t/1/b", "t/1/a", "t/10/a", "u/1", "t1"}) {
      s.put(n, new byte[] {1});
    }
    assertThat(s.list("t/1")).containsExactly("t/1/a", "t/1/b", "t/10/a");
    assertThat(s.list("t/1/")).containsExactly("t/1/a", "t/1/b");
    assertThat(s.list("")).containsExactly("t/1/a", "t/1/b", "t/10/a", "t/2/x", "t1", "u/1");
    assertThat(s.list("nothing/")).isEmpty();
  }

  // sizes() answers what list() and size() answer together: an incremental backup checks its
  // base's objects with it, so a wrong or missing size there would share a damaged object.
  @Test
  void sizesByPrefixMatchListAndSize() throws IOException {
    ObjectStore s = store();
    s.put("t/1/a", new byte[] {1});
    s.put("t/1/b", new byte[300]);
    s.put("t/10/a", new byte[7]);
    s.put("u/1", new byte[2]);
    assertThat(s.sizes("t/1/")).containsOnly(entry("t/1/a", 1L), entry("t/1/b", 300L));
    assertThat(s.sizes("t/1"))
        .containsOnly(entry("t/1/a", 1L), entry("t/1/b", 300L), entry("t/10/a", 7L));
    assertThat(s.sizes("nothing/")).isEmpty();
    s.delete("t/1/a");
    assertThat(s.sizes("t/1/")).containsOnly(entry("t/1/b", 300L));
  }

  // Immutability: a different second put is refused and the first content survives.
  @Test
  void refusesOverwriteWithDifferentContent() throws IOException {
    ObjectStore s = store();
    s.put("x", "one".getBytes(UTF_8));
    assertThatThrownBy(() -> s.put("x", "two".getBytes(UTF_8)))
        .isInstanceOf(ObjectAlreadyExistsException.class)
        .hasMessageContaining("x");
    assertThat(s.getBytes("x")).asString(UTF_8).isEqualTo("one");
  }

  // Retries are safe: putting identical bytes again is a no-op, not an error.
  @Test
  void identicalPutIsNoOp() throws IOException {
    ObjectStore s = store();
    s.put("x", "same".getBytes(UTF_8));
    s.put("x", new ByteArrayInputStream("same".getBytes(UTF_8)));
    assertThat(s.getBytes("x")).asString(UTF_8).isEqualTo("same");
  }

  // Nothing is visible before commit, and an abandoned upload leaves nothing.
  @Test
  void pendingObjectInvisibleUntilCommit() throws IOException {
    ObjectStore s = store();
    try (PendingObject p = s.create("p/q")) {
      p.write(new byte[100]);
      assertThat(s.exists("p/q")).isFalse();
      assertThat(s.list("")).isEmpty();
    }
    assertThat(s.exists("p/q")).isFalse();
    assertThat(s.list("")).isEmpty();
  }

  // Large streamed objects arrive intact.
  @Test
  void streamsLargeObjects() throws IOException {
    ObjectStore s = store();
    byte[] big = new byte[3 * 1024 * 1024 + 7];
    new Random(1).nextBytes(big);
    s.put("big", new ByteArrayInputStream(big));
    assertThat(s.getBytes("big")).isEqualTo(big);
  }

  // Layouts that cannot exist on disk are refused everywhere.
  @Test
  void objectCannotAlsoBeADirectory() throws IOException {
    ObjectStore s = store();
    s.put("a/b", new byte[] {1});
    assertThatThrownBy(() -> s.put("a", new byte[] {2}))
        .isInstanceOf(ObjectNameConflictException.class);
    assertThatThrownBy(() -> s.put("a/b/c", new byte[] {3}))
        .isInstanceOf(ObjectNameConflictException.class);
  }

  // Path traversal and absolute names never reach the file system.
  @Test
  void rejectsTraversalAndAbsoluteNames() throws IOException {
    ObjectStore s = store();
    for (String bad :
        new String[] {
          "../x", "a/../../x", "/etc/passwd", "a//b", "a/./b", ".hidden", "a/", "", "a\\b", "a b"
        }) {
      assertThatThrownBy(() -> s.put(bad, new byte[] {1}))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> s.get(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> s.list("../")).isInstanceOf(IllegalArgumentException.class);
  }
}
