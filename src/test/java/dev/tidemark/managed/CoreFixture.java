package dev.tidemark.managed;

import dev.tidemark.backup.BackupRepository;
import dev.tidemark.backup.BackupService;
import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.store.MemoryObjectStore;
import dev.tidemark.storage.RocksStorage;
import dev.tidemark.tables.Database;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/** An in-memory database and backup service on a clock the test moves, for the core's tests. */
public final class CoreFixture implements AutoCloseable {
  /** 2026-11-18T11:06:40Z. */
  static final long START = 1_795_000_000_000L;

  public final AtomicLong clock = new AtomicLong(START);
  public final Database db;
  public final BackupService backups;

  public CoreFixture(Path scratch) throws Exception {
    this(scratch, "us-east-1");
  }

  CoreFixture(Path scratch, String region) throws Exception {
    this(scratch, region, "000000000000");
  }

  CoreFixture(Path scratch, String region, String account) throws Exception {
    db = new Database(RocksStorage.inMemory(), clock::get, false, region, account);
    backups =
        new BackupService(
            db, new BackupRepository(new MemoryObjectStore(), SymmetricKey.random()), scratch);
    backups.start();
  }

  @Override
  public void close() {
    backups.close();
    db.close();
  }
}
