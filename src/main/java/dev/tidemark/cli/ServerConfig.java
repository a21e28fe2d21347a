package dev.tidemark.cli;

import java.nio.file.Path;
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
 * @param backupDir where on-demand backups are written
 * @param backupKeyFile the backup master key file, or null for the environment or default file
 */
public record ServerConfig(
    String host,
    int port,
    Path dataDir,
    boolean inMemory,
    String region,
    Durability durability,
    String account,
    Path backupDir,
    Path backupKeyFile) {

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
    Objects.requireNonNull(backupDir);
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

  /** Where the master key is created when none is configured: beside the backup directory. */
  public Path defaultBackupKeyFile() {
    Path abs = backupDir.toAbsolutePath().normalize();
    return abs.resolveSibling("tidemark-backup.key");
  }

  /** Where data lives, for people: an absolute path, or "in memory". */
  public String dataLocation() {
    return inMemory ? "in memory" : dataDir.toAbsolutePath().normalize().toString();
  }
}
