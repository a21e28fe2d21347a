package dev.tidemark.storage;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.Env;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.RocksMemEnv;
import org.rocksdb.Slice;
import org.rocksdb.Snapshot;
import org.rocksdb.SstFileManager;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteBufferManager;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Storage} on embedded RocksDB. Each table incarnation gets its own column family, so
 * dropping a table is instant and a table's files can later be exported whole for backups. The
 * catalog lives in the {@code meta} family and the change log in {@code changes}.
 *
 * <p>Writes go to the WAL without fsync; {@link #sync} fsyncs it. The write path calls sync once
 * per group of concurrent writers, which is how sync durability stays cheap (group commit).
 */
public final class RocksStorage implements Storage {
  private static final Logger LOG = LoggerFactory.getLogger(RocksStorage.class);
  private static final String META = "meta";
  private static final String CHANGES = "changes";
  private static final String TABLE_PREFIX = "table-";

  /**
   * Table spaces made ahead per creation. RocksDB rewrites and re-reads its whole OPTIONS file,
   * which names every column family, on each column family it creates, so one creation at a time
   * costs time in proportion to the tables that exist (about 0.1 s per CreateTable at 1,000
   * tables). Creating the spaces of the next ids in one call pays that once per batch.
   */
  static final int SPACES_AHEAD = 32;

  static {
    RocksDB.loadLibrary();
  }

  private final RocksDB db;
  private final Env memEnv;
  private final DBOptions dbOptions;
  private final ColumnFamilyOptions cfOptions;
  private final LRUCache blockCache;
  private final WriteBufferManager writeBufferManager;
  private final SstFileManager sstFileManager;
  private final WriteOptions writeOptions = new WriteOptions();
  private final ColumnFamilyHandle defaultFamily;
  private final ColumnFamilyHandle meta;
  private final ColumnFamilyHandle changes;
  private final Map<Long, ColumnFamilyHandle> tables = new ConcurrentHashMap<>();

  /**
   * Spaces made ahead for ids not yet used, guarded by this. They are not table spaces until {@link
   * #createTableSpace} takes one; after a restart they belong to no table, and the catalog drops
   * them with the other orphans.
   */
  private final Map<Long, ColumnFamilyHandle> spare = new java.util.HashMap<>();

  private final String location;

  private RocksStorage(Path dir, boolean inMemory) {
    this.blockCache = new LRUCache(64L << 20);
    this.writeBufferManager = new WriteBufferManager(64L << 20, blockCache);
    this.memEnv = inMemory ? new RocksMemEnv(Env.getDefault()) : null;
    this.dbOptions =
        new DBOptions()
            .setCreateIfMissing(true)
            .setCreateMissingColumnFamilies(true)
            .setWriteBufferManager(writeBufferManager)
            .setMaxBackgroundJobs(2)
            // With a column family per table, a quiet table would pin every WAL file written
            // since its last flush; capping the total forces that flush, so the WAL stays small.
            .setMaxTotalWalSize(128L << 20)
            .setKeepLogFileNum(3)
            // Opening replays the write-ahead log; by default into table files flushed at once,
            // which fails on a full disk and keeps the server down. Replayed data stays in the
            // memtables (and its log files are kept until the next flush), so a restart needs
            // next to no free space.
            .setAvoidFlushDuringRecovery(true)
            .setInfoLogLevel(org.rocksdb.InfoLogLevel.WARN_LEVEL);
    if (memEnv != null) {
      dbOptions.setEnv(memEnv);
      this.sstFileManager = null;
    } else {
      // RocksDB makes one of these when none is given; owning it states the dependency: after a
      // write or flush fails for lack of space (a "hard" background error, writes then stop), its
      // thread polls the free space and resumes the database once there is room again.
      try {
        this.sstFileManager = new SstFileManager(Env.getDefault());
      } catch (RocksDBException e) {
        throw new StorageException("cannot create RocksDB's file manager", e);
      }
      dbOptions.setSstFileManager(sstFileManager);
    }
    BlockBasedTableConfig tableConfig =
        new BlockBasedTableConfig()
            .setBlockCache(blockCache)
            .setFilterPolicy(new BloomFilter(10, false))
            .setBlockSize(16 * 1024)
            .setCacheIndexAndFilterBlocks(true);
    this.cfOptions =
        new ColumnFamilyOptions()
            .setTableFormatConfig(tableConfig)
            .setCompressionType(CompressionType.LZ4_COMPRESSION)
            .setWriteBufferSize(16L << 20);
    this.location = inMemory ? "/tidemark-in-memory" : dir.toAbsolutePath().toString();
    try {
      if (!inMemory) {
        Files.createDirectories(dir);
      }
      List<byte[]> existing = listFamilies(location);
      List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
      descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions));
      descriptors.add(new ColumnFamilyDescriptor(bytes(META), cfOptions));
      descriptors.add(new ColumnFamilyDescriptor(bytes(CHANGES), cfOptions));
      for (byte[] name : existing) {
        String n = new String(name, StandardCharsets.UTF_8);
        if (n.startsWith(TABLE_PREFIX)) {
          descriptors.add(new ColumnFamilyDescriptor(name, cfOptions));
        }
      }
      List<ColumnFamilyHandle> handles = new ArrayList<>();
      this.db = RocksDB.open(dbOptions, location, descriptors, handles);
      this.defaultFamily = handles.get(0);
      this.meta = handles.get(1);
      this.changes = handles.get(2);
      for (int i = 3; i < handles.size(); i++) {
        String n = new String(descriptors.get(i).getName(), StandardCharsets.UTF_8);
        tables.put(Long.parseLong(n.substring(TABLE_PREFIX.length())), handles.get(i));
      }
    } catch (RocksDBException | java.io.IOException e) {
      throw new StorageException("cannot open RocksDB at " + location, e);
    }
    LOG.debug("opened RocksDB at {} with {} table spaces", location, tables.size());
  }

  public static RocksStorage open(Path dir) {
    return new RocksStorage(dir, false);
  }

  public static RocksStorage inMemory() {
    return new RocksStorage(null, true);
  }

  private List<byte[]> listFamilies(String path) throws RocksDBException {
    try (Options o = new Options()) {
      if (memEnv != null) {
        o.setEnv(memEnv);
      }
      return RocksDB.listColumnFamilies(o, path);
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public synchronized void createTableSpace(long tableId) {
    if (tables.containsKey(tableId)) {
      return;
    }
    ColumnFamilyHandle h = spare.remove(tableId);
    if (h == null) {
      createAhead(tableId);
      h = spare.remove(tableId);
    }
    tables.put(tableId, h);
  }

  /** Creates the spaces of {@code first} and the ids after it that have none, in one call. */
  private void createAhead(long first) {
    List<Long> ids = new ArrayList<>();
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    for (long id = first; id < first + SPACES_AHEAD; id++) {
      if (!tables.containsKey(id) && !spare.containsKey(id)) {
        ids.add(id);
        descriptors.add(new ColumnFamilyDescriptor(bytes(TABLE_PREFIX + id), cfOptions));
      }
    }
    try {
      List<ColumnFamilyHandle> handles = db.createColumnFamilies(descriptors);
      for (int i = 0; i < ids.size(); i++) {
        spare.put(ids.get(i), handles.get(i));
      }
    } catch (RocksDBException e) {
      throw failure("cannot create table space " + first, e);
    }
    dropPassedSpares(first);
  }

  /**
   * Ids are allocated in order, so a spare below the id being created was allocated to something
   * that made no space (a request refused after allocation) and will never be used.
   */
  private void dropPassedSpares(long below) {
    List<Long> passed = spare.keySet().stream().filter(id -> id < below).toList();
    if (passed.size() < SPACES_AHEAD) {
      return; // a few idle empty spaces cost next to nothing; the restart drops them
    }
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    passed.forEach(id -> handles.add(spare.remove(id)));
    try {
      db.dropColumnFamilies(handles);
    } catch (RocksDBException e) {
      throw new StorageException("cannot drop unused table spaces " + passed, e);
    } finally {
      handles.forEach(ColumnFamilyHandle::close);
    }
  }

  @Override
  public synchronized void dropTableSpace(long tableId) {
    dropTableSpaces(List.of(tableId));
  }

  @Override
  public synchronized void dropTableSpaces(java.util.Collection<Long> tableIds) {
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    for (long id : tableIds) {
      ColumnFamilyHandle h = tables.remove(id);
      if (h != null) {
        handles.add(h);
      }
    }
    if (handles.isEmpty()) {
      return;
    }
    try {
      db.dropColumnFamilies(handles);
    } catch (RocksDBException e) {
      throw new StorageException("cannot drop table spaces " + tableIds, e);
    } finally {
      handles.forEach(ColumnFamilyHandle::close);
    }
  }

  @Override
  public java.util.Set<Long> tableSpaces() {
    return java.util.Set.copyOf(tables.keySet());
  }

  @Override
  public boolean hasTableSpace(long tableId) {
    return tables.containsKey(tableId);
  }

  private ColumnFamilyHandle table(long tableId) {
    ColumnFamilyHandle h = tables.get(tableId);
    if (h == null) {
      throw new StorageException("no table space " + tableId, null);
    }
    return h;
  }

  @Override
  public byte[] get(long tableId, byte[] key) {
    try {
      return db.get(table(tableId), key);
    } catch (RocksDBException e) {
      throw new StorageException("read failed in table space " + tableId, e);
    }
  }

  @Override
  public List<byte[]> getAll(List<TableKey> keys) {
    Snapshot snapshot = db.getSnapshot();
    try (ReadOptions options = new ReadOptions().setSnapshot(snapshot)) {
      List<byte[]> values = new ArrayList<>(keys.size());
      for (TableKey k : keys) {
        values.add(db.get(table(k.tableId()), options, k.key()));
      }
      return values;
    } catch (RocksDBException e) {
      throw new StorageException("consistent multi-read failed", e);
    } finally {
      db.releaseSnapshot(snapshot);
    }
  }

  @Override
  public Cursor scan(long tableId, byte[] lower, byte[] upper, boolean reverse) {
    return new RocksCursor(table(tableId), lower, upper, reverse);
  }

  @Override
  public byte[] getMeta(byte[] key) {
    try {
      return db.get(meta, key);
    } catch (RocksDBException e) {
      throw new StorageException("meta read failed", e);
    }
  }

  @Override
  public Cursor scanMeta(byte[] prefix) {
    return new RocksCursor(meta, prefix, KeyBounds.successor(prefix), false);
  }

  @Override
  public Cursor changes(long tableId, long fromSeq, long toSeq) {
    return new RocksCursor(
        changes, ChangeKeys.key(tableId, fromSeq), ChangeKeys.key(tableId, toSeq), false);
  }

  @Override
  public void trimChanges(long tableId, long beforeSeq) {
    try {
      db.deleteRange(changes, ChangeKeys.key(tableId, 0), ChangeKeys.key(tableId, beforeSeq));
    } catch (RocksDBException e) {
      throw failure("cannot trim change log of table " + tableId, e);
    }
  }

  @Override
  public void apply(WriteSet writes) {
    try (WriteBatch batch = new WriteBatch()) {
      for (WriteSet.RangeDelete r : writes.rangeDeletes()) {
        batch.deleteRange(table(r.tableId()), r.from(), r.to());
      }
      for (WriteSet.Op op : writes.ops()) {
        ColumnFamilyHandle cf =
            switch (op.space()) {
              case TABLE -> table(op.tableId());
              case META -> meta;
              case CHANGES -> changes;
            };
        if (op.value() == null) {
          batch.delete(cf, op.key());
        } else {
          batch.put(cf, op.key(), op.value());
        }
      }
      db.write(writeOptions, batch);
    } catch (RocksDBException e) {
      throw failure("write failed", e);
    }
  }

  @Override
  public void sync() {
    if (memEnv != null) {
      return;
    }
    try {
      db.syncWal();
    } catch (RocksDBException e) {
      throw failure("WAL sync failed", e);
    }
  }

  /**
   * A failure to report: {@link StorageFullException} when the disk is full, so that callers can
   * answer a retryable refusal instead of an internal error.
   */
  private static StorageException failure(String what, RocksDBException e) {
    return StorageFullException.isNoSpace(e)
        ? new StorageFullException(what + ": the disk is full", e)
        : new StorageException(what, e);
  }

  @Override
  public synchronized StorageUsage usage() {
    try {
      Map<Long, Long> perTable = new java.util.HashMap<>();
      long pending = 0;
      long memtables = 0;
      for (Map.Entry<Long, ColumnFamilyHandle> e : tables.entrySet()) {
        perTable.put(e.getKey(), sstBytes(e.getValue()));
        pending += db.getLongProperty(e.getValue(), "rocksdb.estimate-pending-compaction-bytes");
        memtables += db.getLongProperty(e.getValue(), "rocksdb.cur-size-all-mem-tables");
      }
      for (ColumnFamilyHandle h : List.of(meta, changes, defaultFamily)) {
        pending += db.getLongProperty(h, "rocksdb.estimate-pending-compaction-bytes");
        memtables += db.getLongProperty(h, "rocksdb.cur-size-all-mem-tables");
      }
      long wal = 0;
      if (memEnv == null) {
        for (org.rocksdb.LogFile f : db.getSortedWalFiles()) {
          wal += f.sizeFileBytes();
        }
      }
      return new StorageUsage(perTable, sstBytes(changes), sstBytes(meta), wal, memtables, pending);
    } catch (RocksDBException e) {
      throw new StorageException("cannot read RocksDB's space properties", e);
    }
  }

  private long sstBytes(ColumnFamilyHandle h) throws RocksDBException {
    return db.getLongProperty(h, "rocksdb.total-sst-files-size");
  }

  /** Where the data lives, for logs. */
  public String location() {
    return location;
  }

  @Override
  public synchronized void close() {
    sync();
    for (ColumnFamilyHandle h : tables.values()) {
      h.close();
    }
    spare.values().forEach(ColumnFamilyHandle::close);
    meta.close();
    changes.close();
    defaultFamily.close();
    db.close();
    writeOptions.close();
    cfOptions.close();
    dbOptions.close();
    writeBufferManager.close();
    if (sstFileManager != null) {
      sstFileManager.close();
    }
    blockCache.close();
    if (memEnv != null) {
      memEnv.close();
    }
  }

  /** A cursor pinned to one snapshot, so a scan sees one consistent state of its family. */
  private final class RocksCursor implements Cursor {
    private final Snapshot snapshot;
    private final ReadOptions options;
    private final Slice lowerSlice;
    private final Slice upperSlice;
    private final RocksIterator it;
    private final boolean reverse;
    private boolean started;

    private final boolean ownsSnapshot;

    RocksCursor(ColumnFamilyHandle cf, byte[] lower, byte[] upper, boolean reverse) {
      this(cf, lower, upper, reverse, null);
    }

    RocksCursor(
        ColumnFamilyHandle cf, byte[] lower, byte[] upper, boolean reverse, Snapshot shared) {
      this.ownsSnapshot = shared == null;
      this.snapshot = shared == null ? db.getSnapshot() : shared;
      this.options = new ReadOptions().setSnapshot(snapshot);
      this.lowerSlice = lower == null ? null : new Slice(lower);
      this.upperSlice = upper == null ? null : new Slice(upper);
      if (lowerSlice != null) {
        options.setIterateLowerBound(lowerSlice);
      }
      if (upperSlice != null) {
        options.setIterateUpperBound(upperSlice);
      }
      this.it = db.newIterator(cf, options);
      this.reverse = reverse;
    }

    @Override
    public boolean next() {
      if (!started) {
        started = true;
        if (reverse) {
          it.seekToLast();
        } else {
          it.seekToFirst();
        }
      } else if (reverse) {
        it.prev();
      } else {
        it.next();
      }
      if (it.isValid()) {
        return true;
      }
      try {
        it.status();
      } catch (RocksDBException e) {
        throw new StorageException("iteration failed", e);
      }
      return false;
    }

    @Override
    public byte[] key() {
      return it.key();
    }

    @Override
    public byte[] value() {
      return it.value();
    }

    @Override
    public void close() {
      it.close();
      options.close();
      if (lowerSlice != null) {
        lowerSlice.close();
      }
      if (upperSlice != null) {
        upperSlice.close();
      }
      if (ownsSnapshot) {
        db.releaseSnapshot(snapshot);
      }
    }
  }

  @Override
  public StorageSnapshot snapshot() {
    return new RocksSnapshotView();
  }

  /** One RocksDB snapshot shared by every read made through it. */
  private final class RocksSnapshotView implements StorageSnapshot {
    private final Snapshot snapshot = db.getSnapshot();
    private final ReadOptions options = new ReadOptions().setSnapshot(snapshot);

    @Override
    public byte[] get(long tableId, byte[] key) {
      try {
        return db.get(table(tableId), options, key);
      } catch (RocksDBException e) {
        throw new StorageException("snapshot read failed in table space " + tableId, e);
      }
    }

    @Override
    public byte[] getMeta(byte[] key) {
      try {
        return db.get(meta, options, key);
      } catch (RocksDBException e) {
        throw new StorageException("snapshot meta read failed", e);
      }
    }

    @Override
    public Cursor scan(long tableId, byte[] lower, byte[] upper, boolean reverse) {
      return new RocksCursor(table(tableId), lower, upper, reverse, snapshot);
    }

    @Override
    public Cursor changes(long tableId, long fromSeq, long toSeq) {
      return new RocksCursor(
          changes,
          ChangeKeys.key(tableId, fromSeq),
          ChangeKeys.key(tableId, toSeq),
          false,
          snapshot);
    }

    @Override
    public void close() {
      options.close();
      db.releaseSnapshot(snapshot);
    }
  }

  @Override
  public BulkLoader bulkLoader(long tableId, Path scratchDir) {
    ColumnFamilyHandle cf = table(tableId);
    return memEnv != null ? new BatchLoader(cf) : new SstLoader(cf, scratchDir);
  }

  /** In memory there are no files to ingest; large write batches are the bulk path there. */
  private final class BatchLoader implements BulkLoader {
    private static final long FLUSH_BYTES = 4L << 20;
    private final ColumnFamilyHandle cf;
    private final List<WriteBatch> batches = new ArrayList<>();
    private WriteBatch current = new WriteBatch();
    private long bytes;

    BatchLoader(ColumnFamilyHandle cf) {
      this.cf = cf;
    }

    @Override
    public void add(byte[] key, byte[] value) {
      try {
        current.put(cf, key, value);
      } catch (RocksDBException e) {
        throw new StorageException("bulk load failed", e);
      }
      bytes += key.length + value.length;
      if (bytes >= FLUSH_BYTES) {
        batches.add(current);
        current = new WriteBatch();
        bytes = 0;
      }
    }

    @Override
    public void finish() {
      batches.add(current);
      current = null;
      try {
        for (WriteBatch b : batches) {
          db.write(writeOptions, b);
        }
      } catch (RocksDBException e) {
        throw new StorageException("bulk load failed", e);
      }
    }

    @Override
    public void close() {
      for (WriteBatch b : batches) {
        b.close();
      }
      if (current != null) {
        current.close();
      }
    }
  }

  /**
   * Writes sorted entries into SST files and ingests them in one step, so a restore runs at disk
   * speed and the entries appear atomically.
   */
  private final class SstLoader implements BulkLoader {
    private static final long FILE_BYTES = 256L << 20;
    private final ColumnFamilyHandle cf;
    private final Path dir;
    private final List<String> files = new ArrayList<>();
    private final org.rocksdb.EnvOptions envOptions = new org.rocksdb.EnvOptions();
    private final Options options;
    private org.rocksdb.SstFileWriter writer;
    private long bytes;

    SstLoader(ColumnFamilyHandle cf, Path dir) {
      this.cf = cf;
      this.dir = dir;
      this.options = new Options(dbOptions, cfOptions);
      try {
        Files.createDirectories(dir);
      } catch (java.io.IOException e) {
        throw new StorageException("cannot create bulk-load directory " + dir, e);
      }
    }

    @Override
    public void add(byte[] key, byte[] value) {
      try {
        if (writer == null) {
          writer = new org.rocksdb.SstFileWriter(envOptions, options);
          String file = dir.resolve("bulk-" + files.size() + ".sst").toString();
          writer.open(file);
          files.add(file);
          bytes = 0;
        }
        writer.put(key, value);
        bytes += key.length + value.length;
        if (bytes >= FILE_BYTES) {
          writer.finish();
          writer.close();
          writer = null;
        }
      } catch (RocksDBException e) {
        throw failure("bulk load failed writing " + dir, e);
      }
    }

    @Override
    public void finish() {
      try {
        if (writer != null) {
          writer.finish();
          writer.close();
          writer = null;
        }
        if (files.isEmpty()) {
          return;
        }
        try (org.rocksdb.IngestExternalFileOptions o =
            new org.rocksdb.IngestExternalFileOptions().setMoveFiles(true)) {
          db.ingestExternalFile(cf, files, o);
        }
      } catch (RocksDBException e) {
        throw failure("bulk load failed ingesting " + dir, e);
      }
    }

    @Override
    public void close() {
      if (writer != null) {
        writer.close();
      }
      options.close();
      envOptions.close();
      for (String f : files) {
        try {
          Files.deleteIfExists(Path.of(f));
        } catch (java.io.IOException e) {
          LOG.warn("could not remove bulk-load file {}", f, e);
        }
      }
    }
  }
}
