package dev.tidemark.tables;

import dev.tidemark.changelog.ChangeLog;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.indexes.Indexes;
import dev.tidemark.storage.Storage;
import dev.tidemark.streams.StreamCatalog;
import java.util.function.LongSupplier;

/**
 * The server's data: storage, catalog, write path and change log, with the identity (region,
 * account) that goes into ARNs. Actions receive this one object.
 */
public final class Database implements AutoCloseable {
  private final Storage storage;
  private final TableCatalog catalog;
  private final WritePath writePath;
  private final ChangeLog changeLog;
  private final Indexes indexes;
  private final StreamCatalog streams;
  private final LongSupplier clock;
  private final String region;
  private final String account;

  public Database(
      Storage storage, LongSupplier clock, boolean syncDurability, String region, String account) {
    this.storage = storage;
    this.clock = clock;
    this.region = region;
    this.account = account;
    this.catalog = new TableCatalog(storage);
    this.writePath = new WritePath(storage, clock, syncDurability);
    this.changeLog = new ChangeLog(storage);
    this.indexes = new Indexes(storage, catalog, writePath);
    this.streams = new StreamCatalog(storage, region, account);
  }

  private volatile dev.tidemark.space.DiskSpace space = dev.tidemark.space.DiskSpace.UNLIMITED;

  private volatile GlobalTables globalTables = GlobalTables.NONE;

  /** Cross-region replicas: the peers and the replica actions. Set once at assembly. */
  public void useGlobalTables(GlobalTables g) {
    this.globalTables = java.util.Objects.requireNonNull(g);
  }

  public GlobalTables globalTables() {
    return globalTables;
  }

  private volatile CrossRegionRestores crossRegionRestores = CrossRegionRestores.NONE;

  /** Restores from another region's history or backups. Set once at assembly. */
  public void useCrossRegionRestores(CrossRegionRestores r) {
    this.crossRegionRestores = java.util.Objects.requireNonNull(r);
  }

  public CrossRegionRestores crossRegionRestores() {
    return crossRegionRestores;
  }

  private volatile ReplicatedSettings replicatedSettings = ReplicatedSettings.NONE;

  /** Carries global tables' synchronized settings to the other replicas. Set once at assembly. */
  public void useReplicatedSettings(ReplicatedSettings s) {
    this.replicatedSettings = java.util.Objects.requireNonNull(s);
  }

  public ReplicatedSettings replicatedSettings() {
    return replicatedSettings;
  }

  private volatile StrongTables strongTables = StrongTables.NONE;

  /** Multi-Region strong consistency (MRSC) groups. Set once at assembly. */
  public void useStrongTables(StrongTables s) {
    this.strongTables = java.util.Objects.requireNonNull(s);
  }

  public StrongTables strongTables() {
    return strongTables;
  }

  /** Watches free space from now on: writes are refused while the data directory is full. */
  public void useSpace(dev.tidemark.space.DiskSpace space) {
    this.space = java.util.Objects.requireNonNull(space);
    writePath.guardSpace(space);
  }

  /** The free-space guard, for actions that write outside the write path (tables, restores). */
  public dev.tidemark.space.DiskSpace space() {
    return space;
  }

  public Storage storage() {
    return storage;
  }

  public TableCatalog catalog() {
    return catalog;
  }

  public WritePath writePath() {
    return writePath;
  }

  public ChangeLog changeLog() {
    return changeLog;
  }

  /** Secondary-index data: maintained on every write, created and dropped online. */
  public Indexes indexes() {
    return indexes;
  }

  /** DynamoDB Streams: windows of the change log, enabled and disabled. */
  public StreamCatalog streams() {
    return streams;
  }

  public long now() {
    return clock.getAsLong();
  }

  public String region() {
    return region;
  }

  public String account() {
    return account;
  }

  public String tableArn(String tableName) {
    return "arn:aws:dynamodb:" + region + ":" + account + ":table/" + tableName;
  }

  /**
   * Resolves a {@code TableName} parameter, which DynamoDB also accepts as a table ARN, to a live
   * table, or answers ResourceNotFoundException.
   */
  public Table require(String tableNameOrArn) {
    return catalog
        .find(tableName(tableNameOrArn))
        .filter(Table::isUsable)
        .orElseThrow(DynamoException::tableNotFound);
  }

  /** The table name inside a table ARN, or the argument itself when it is a plain name. */
  public static String tableName(String tableNameOrArn) {
    if (tableNameOrArn.startsWith("arn:")) {
      int i = tableNameOrArn.indexOf(":table/");
      if (i >= 0) {
        String rest = tableNameOrArn.substring(i + 7);
        int slash = rest.indexOf('/');
        return slash < 0 ? rest : rest.substring(0, slash);
      }
    }
    return tableNameOrArn;
  }

  @Override
  public void close() {
    // The backfill thread writes through the storage, so it stops first.
    indexes.close();
    writePath.close();
    storage.close();
  }
}
