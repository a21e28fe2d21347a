package dev.tidemark.tables;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.storage.RocksStorage;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage makes table spaces ahead of their ids; the catalog owns which of them are tables. It
 * protects that after a restart only the spaces of live tables remain, so spare spaces neither leak
 * nor pass for tables, and that ids keep their spaces after being made ahead.
 */
class TableSpacesRestartTest {
  private final AtomicLong clock = new AtomicLong(1_000_000);

  private Database open(Path dir) {
    return new Database(RocksStorage.open(dir), clock::get, true, "us-east-1", "000000000000");
  }

  @Test
  void aRestartKeepsExactlyTheSpacesOfLiveTables(@TempDir Path dir) {
    long kept;
    long second;
    try (Database db = open(dir)) {
      kept = TestTables.create(db, "kept", null).id();
      Table gone = TestTables.create(db, "gone", null);
      db.catalog().delete(gone);
      db.catalog().allocateId(); // an id allocated to a request that made no table
      second = TestTables.create(db, "second", null).id();
      assertThat(db.storage().tableSpaces()).containsExactlyInAnyOrder(kept, second);
    }
    try (Database db = open(dir)) {
      assertThat(db.storage().tableSpaces()).containsExactlyInAnyOrder(kept, second);
      long third = TestTables.create(db, "third", null).id();
      assertThat(db.storage().tableSpaces()).containsExactlyInAnyOrder(kept, second, third);
      assertThat(db.catalog().find("third")).isPresent();
    }
    try (Database db = open(dir)) {
      assertThat(db.storage().tableSpaces()).hasSize(3);
    }
  }
}
