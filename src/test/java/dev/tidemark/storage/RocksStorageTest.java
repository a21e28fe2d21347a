package dev.tidemark.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The RocksDB engine's snapshot and bulk-load paths. */
class RocksStorageTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> keys(Cursor c) {
    List<String> out = new ArrayList<>();
    try (c) {
      while (c.next()) {
        out.add(new String(c.key(), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  // Protects snapshot isolation: writes after the snapshot are invisible through it.
  @Test
  void snapshotSeesOneInstant(@TempDir Path dir) {
    try (RocksStorage s = RocksStorage.open(dir.resolve("db"))) {
      s.createTableSpace(7);
      s.apply(new WriteSet().put(7, b("a"), b("1")).putMeta(b("m"), b("x")));
      try (StorageSnapshot snap = s.snapshot()) {
        s.apply(new WriteSet().put(7, b("b"), b("2")).delete(7, b("a")).putMeta(b("m"), b("y")));
        assertThat(keys(snap.scan(7, null, null, false))).containsExactly("a");
        assertThat(snap.get(7, b("a"))).isEqualTo(b("1"));
        assertThat(snap.getMeta(b("m"))).isEqualTo(b("x"));
      }
      assertThat(keys(s.scan(7, null, null, false))).containsExactly("b");
    }
  }

  // Protects bulk load on disk: entries arrive through SST ingestion, all visible after finish.
  @Test
  void bulkLoadIngestsSortedEntries(@TempDir Path dir) {
    try (RocksStorage s = RocksStorage.open(dir.resolve("db"))) {
      s.createTableSpace(3);
      try (BulkLoader loader = s.bulkLoader(3, dir.resolve("scratch"))) {
        for (int i = 0; i < 1000; i++) {
          loader.add(b(String.format("k%05d", i)), b("v" + i));
        }
        assertThat(keys(s.scan(3, null, null, false))).isEmpty();
        loader.finish();
      }
      assertThat(keys(s.scan(3, null, null, false))).hasSize(1000).startsWith("k00000");
      assertThat(s.get(3, b("k00999"))).isEqualTo(b("v999"));
    }
  }

  // Protects bulk load in memory, where there are no files to ingest.
  @Test
  void bulkLoadInMemory(@TempDir Path dir) {
    try (RocksStorage s = RocksStorage.inMemory()) {
      s.createTableSpace(3);
      try (BulkLoader loader = s.bulkLoader(3, dir)) {
        loader.add(b("a"), b("1"));
        loader.add(b("b"), b("2"));
        loader.finish();
      }
      assertThat(keys(s.scan(3, null, null, false))).containsExactly("a", "b");
    }
  }
}
