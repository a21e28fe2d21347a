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

  // Protects the meaning of tableSpaces() while spaces are made ahead: an id's space exists only
  // once created, and every created space keeps its data across a reopen.
  @Test
  void spacesMadeAheadAreNotTableSpacesUntilCreated(@TempDir Path dir) {
    try (RocksStorage s = RocksStorage.open(dir.resolve("db"))) {
      s.createTableSpace(7);
      assertThat(s.tableSpaces()).containsExactly(7L);
      assertThat(s.hasTableSpace(8)).isFalse();
      s.createTableSpace(8);
      s.createTableSpace(100);
      s.apply(new WriteSet().put(8, b("a"), b("1")).put(100, b("z"), b("2")));
      assertThat(s.tableSpaces()).containsExactlyInAnyOrder(7L, 8L, 100L);
      s.dropTableSpace(7);
      assertThat(s.hasTableSpace(7)).isFalse();
    }
    try (RocksStorage s = RocksStorage.open(dir.resolve("db"))) {
      // After a restart the spare spaces are on disk like any other; the catalog drops them.
      assertThat(s.tableSpaces()).contains(8L, 9L, 100L, 101L).doesNotContain(7L);
      assertThat(s.get(8, b("a"))).isEqualTo(b("1"));
      assertThat(s.get(100, b("z"))).isEqualTo(b("2"));
      s.dropTableSpaces(List.of(9L, 101L));
      assertThat(s.tableSpaces()).doesNotContain(9L, 101L).contains(8L, 100L);
    }
  }

  // Protects CreateTable's cost as tables accumulate: RocksDB rewrites its OPTIONS file (naming
  // every column family) on each creation call, so creating spaces one call each made the n-th
  // CreateTable cost O(n). Made ahead, 64 creations rewrite it a handful of times, not 64.
  @Test
  void creatingManySpacesRewritesTheOptionsFileOncePerBatch(@TempDir Path dir) throws Exception {
    Path db = dir.resolve("db");
    try (RocksStorage s = RocksStorage.open(db)) {
      long before = newestOptionsFileNumber(db);
      for (long id = 1; id <= 64; id++) {
        s.createTableSpace(id);
      }
      assertThat(newestOptionsFileNumber(db) - before).isLessThanOrEqualTo(4);
    }
  }

  private static long newestOptionsFileNumber(Path db) throws java.io.IOException {
    try (var files = java.nio.file.Files.list(db)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith("OPTIONS-"))
          .mapToLong(n -> Long.parseLong(n.substring("OPTIONS-".length())))
          .max()
          .orElseThrow();
    }
  }
}
