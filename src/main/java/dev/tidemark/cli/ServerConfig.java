package dev.tidemark.cli;

import dev.tidemark.auth.AuthMode;
import dev.tidemark.backup.store.BackupStoreSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Everything the command line decides about a server.
 *
 * @param host the address to listen on
 * @param port the port to listen on, 0 for any free one
 * @param dataDir where table data lives; ignored when {@code inMemory}
 * @param inMemory keep all data in memory and lose it at exit
 * @param region the region the server reports and stamps into ARNs
 * @param durability whether a write is answered only after it reached the disk
 * @param account the account id stamped into ARNs
 * @param backupStore where backups and the PITR archive are written: a directory or an S3 bucket
 * @param backupKeyFile the backup master key file, or null for the environment or default file
 * @param ttlSweepInterval how often the TTL sweeper deletes expired items
 * @param changeLogRetention how long change records (and so stream records) are kept
 * @param minFreeSpace bytes each volume (data directory, backup store) keeps free: writes are
 *     refused below it; null for the default, {@link dev.tidemark.space.DiskSpace#defaultMinFree}
 * @param newBackupKey start a new backup master key even over a store that holds backups
 * @param backupPassphraseFile a recovery passphrase that unwraps the master key from the store when
 *     no key is configured, or null
 * @param auth how requests are authenticated, or null when not given: open, allowed only on a
 *     loopback address
 * @param adminCredentialsFile where IAM mode writes the administrator's key, or null for the
 *     default beside the data directory
 * @param tls the PEM certificate chain and key to serve HTTPS with, or null for plain HTTP
 * @param audit where the audit trail goes, its rotation and retention
 * @param metrics whether {@code GET /metrics} is served ({@code --metrics}, on by default); off,
 *     requests are not metered at all
 */
public record ServerConfig(
    String host,
    int port,
    Path dataDir,
    boolean inMemory,
    String region,
    Durability durability,
    String account,
    BackupStoreSpec backupStore,
    Path backupKeyFile,
    Duration ttlSweepInterval,
    Duration changeLogRetention,
    Long minFreeSpace,
    boolean newBackupKey,
    Path backupPassphraseFile,
    AuthMode auth,
    Path adminCredentialsFile,
    TlsFiles tls,
    dev.tidemark.audit.AuditConfig audit,
    boolean metrics) {

  /** The two PEM files of {@code --tls-cert} and {@code --tls-key}. */
  public record TlsFiles(Path cert, Path key) {
    public TlsFiles {
      Objects.requireNonNull(cert);
      Objects.requireNonNull(key);
    }
  }

  public static final Duration DEFAULT_TTL_SWEEP_INTERVAL = Duration.ofSeconds(30);

  /** DynamoDB Streams keeps 24 hours of records; so does the change log unless told otherwise. */
  public static final Duration DEFAULT_CHANGE_LOG_RETENTION = Duration.ofHours(24);

  public enum Durability {
    /** A write is acknowledged after it is synced to disk. */
    SYNC,
    /** A write is acknowledged once logged; the OS flushes it shortly after. */
    ASYNC;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public ServerConfig {
    Objects.requireNonNull(host);
    Objects.requireNonNull(dataDir);
    Objects.requireNonNull(region);
    Objects.requireNonNull(durability);
    Objects.requireNonNull(account);
    Objects.requireNonNull(backupStore);
    Objects.requireNonNull(ttlSweepInterval);
    Objects.requireNonNull(changeLogRetention);
    Objects.requireNonNull(audit);
    if (ttlSweepInterval.isNegative() || ttlSweepInterval.isZero()) {
      throw new IllegalArgumentException("the TTL sweep interval must be positive");
    }
    if (changeLogRetention.isNegative() || changeLogRetention.isZero()) {
      throw new IllegalArgumentException("the change-log retention must be positive");
    }
    if (minFreeSpace != null && minFreeSpace < 0) {
      throw new IllegalArgumentException("the minimum free space cannot be negative");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be between 0 and 65535, not " + port);
    }
    if (!region.matches("[a-z0-9-]+")) {
      throw new IllegalArgumentException("region must look like us-east-1, not '" + region + "'");
    }
    if (!account.matches("\\d{12}")) {
      throw new IllegalArgumentException("account must be 12 digits, not '" + account + "'");
    }
  }

  /** With {@code /metrics} served, as by default. */
  public ServerConfig(
      String host,
      int port,
      Path dataDir,
      boolean inMemory,
      String region,
      Durability durability,
      String account,
      BackupStoreSpec backupStore,
      Path backupKeyFile,
      Duration ttlSweepInterval,
      Duration changeLogRetention,
      Long minFreeSpace,
      boolean newBackupKey,
      Path backupPassphraseFile,
      AuthMode auth,
      Path adminCredentialsFile,
      TlsFiles tls,
      dev.tidemark.audit.AuditConfig audit) {
    this(
        host,
        port,
        dataDir,
        inMemory,
        region,
        durability,
        account,
        backupStore,
        backupKeyFile,
        ttlSweepInterval,
        changeLogRetention,
        minFreeSpace,
        newBackupKey,
        backupPassphraseFile,
        auth,
        adminCredentialsFile,
        tls,
        audit,
        true);
  }

  /** Plain HTTP and the default audit trail. */
  public ServerConfig(
      String host,
      int port,
      Path dataDir,
      boolean inMemory,
      String region,
      Durability durability,
      String account,
      BackupStoreSpec backupStore,
      Path backupKeyFile,
      Duration ttlSweepInterval,
      Duration changeLogRetention,
      Long minFreeSpace,
      boolean newBackupKey,
      Path backupPassphraseFile,
      AuthMode auth,
      Path adminCredentialsFile) {
    this(
        host,
        port,
        dataDir,
        inMemory,
        region,
        durability,
        account,
        backupStore,
        backupKeyFile,
        ttlSweepInterval,
        changeLogRetention,
        minFreeSpace,
        newBackupKey,
        backupPassphraseFile,
        auth,
        adminCredentialsFile,
        null,
        dev.tidemark.audit.AuditConfig.defaults());
  }

  /** This configuration serving HTTPS with these files (null: plain HTTP). */
  public ServerConfig withTls(TlsFiles files) {
    return new ServerConfig(
        host,
        port,
        dataDir,
        inMemory,
        region,
        durability,
        account,
        backupStore,
        backupKeyFile,
        ttlSweepInterval,
        changeLogRetention,
        minFreeSpace,
        newBackupKey,
        backupPassphraseFile,
        auth,
        adminCredentialsFile,
        files,
        audit,
        metrics);
  }

  /** This configuration with another audit trail setting. */
  public ServerConfig withAudit(dev.tidemark.audit.AuditConfig settings) {
    return new ServerConfig(
        host,
        port,
        dataDir,
        inMemory,
        region,
        durability,
        account,
        backupStore,
        backupKeyFile,
        ttlSweepInterval,
        changeLogRetention,
        minFreeSpace,
        newBackupKey,
        backupPassphraseFile,
        auth,
        adminCredentialsFile,
        tls,
        settings,
        metrics);
  }

  /**
   * Where the audit trail is written: the directory given, else {@code audit} in the data
   * directory; null (no audit trail) for an in-memory server without one.
   */
  public Path auditLocation() {
    if (audit.dir() != null) {
      return audit.dir();
    }
    return inMemory ? null : dataDir.resolve("audit");
  }

  /** This configuration with another authentication mode and administrator credentials file. */
  public ServerConfig withAuth(AuthMode mode, Path credentialsFile) {
    return new ServerConfig(
        host,
        port,
        dataDir,
        inMemory,
        region,
        durability,
        account,
        backupStore,
        backupKeyFile,
        ttlSweepInterval,
        changeLogRetention,
        minFreeSpace,
        newBackupKey,
        backupPassphraseFile,
        mode,
        credentialsFile,
        tls,
        audit,
        metrics);
  }

  /** This configuration with {@code /metrics} served or not. */
  public ServerConfig withMetrics(boolean on) {
    return new ServerConfig(
        host,
        port,
        dataDir,
        inMemory,
        region,
        durability,
        account,
        backupStore,
        backupKeyFile,
        ttlSweepInterval,
        changeLogRetention,
        minFreeSpace,
        newBackupKey,
        backupPassphraseFile,
        auth,
        adminCredentialsFile,
        tls,
        audit,
        on);
  }

  /** The mode in effect: the one given, else open. */
  public AuthMode authMode() {
    return auth == null ? AuthMode.OPEN : auth;
  }

  /**
   * Where IAM mode keeps the administrator's key: the file given, else beside the data directory.
   */
  public Path adminCredentialsLocation() {
    if (adminCredentialsFile != null) {
      return adminCredentialsFile;
    }
    return dataDir.toAbsolutePath().normalize().resolveSibling("tidemark-admin.credentials");
  }

  /**
   * A configuration with a directory backup store and the default TTL sweep interval and change-log
   * retention.
   */
  public ServerConfig(
      String host,
      int port,
      Path dataDir,
      boolean inMemory,
      String region,
      Durability durability,
      String account,
      Path backupDir,
      Path backupKeyFile) {
    this(
        host,
        port,
        dataDir,
        inMemory,
        region,
        durability,
        account,
        new BackupStoreSpec.Directory(backupDir),
        backupKeyFile,
        DEFAULT_TTL_SWEEP_INTERVAL,
        DEFAULT_CHANGE_LOG_RETENTION,
        null,
        false,
        null,
        null,
        null);
  }

  /**
   * Where the master key is created when none is configured: beside a backup directory; null for an
   * S3 store, which needs a configured key (see {@link BackupStoreSpec#defaultKeyFile()}).
   */
  public Path defaultBackupKeyFile() {
    return backupStore.defaultKeyFile().orElse(null);
  }

  /** Where data lives, for people: an absolute path, or "in memory". */
  public String dataLocation() {
    return inMemory ? "in memory" : dataDir.toAbsolutePath().normalize().toString();
  }
}
