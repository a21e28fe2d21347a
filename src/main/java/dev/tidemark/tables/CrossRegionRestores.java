package dev.tidemark.tables;

import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;

/**
 * Restores whose source lives in another region, as on AWS: RestoreTableToPointInTime with a {@code
 * SourceTableArn}, or RestoreTableFromBackup with a {@code BackupArn}, naming another region, sent
 * to the destination region. The replication package implements it over the peer channel; a server
 * without peers uses {@link #NONE}, for which every other region is unknown.
 */
public interface CrossRegionRestores {
  /**
   * A source resolved by its region: what to restore and the definition the new table starts from.
   *
   * @param region the source region
   * @param backupArn the backup to restore, or null for a point-in-time restore
   * @param tableArn the source table (for a point-in-time restore, the history chosen there)
   * @param instant the instant the data reflects (the backup's creation time for a backup)
   * @param definition the source table's definition, before the request's overrides
   */
  record Source(
      String region, String backupArn, String tableArn, long instant, TableDefinition definition) {
    public Source {
      if (region == null || tableArn == null || definition == null) {
        throw new IllegalArgumentException("a restore source needs a region, table and definition");
      }
    }

    public RestoreSummary summary() {
      return new RestoreSummary(backupArn, tableArn, instant);
    }
  }

  /**
   * Resolves a point-in-time restore of {@code tableArn} in {@code region} as of {@code atMillis}
   * (null: the latest restorable time). Refusals are the source region's, as DynamoDB words them.
   */
  Source pointInTime(String region, String tableArn, Long atMillis);

  /** Resolves a restore of the backup {@code backupArn}, held by {@code region}. */
  Source backup(String region, String backupArn);

  /**
   * Creates {@code target} (CREATING) and fills it from the source region in the background; it is
   * ACTIVE once complete and verified, and dropped on any failure, like a local restore.
   */
  Table restore(Source source, TableDefinition target);

  /**
   * The region an ARN names (its fourth field), or null when {@code nameOrArn} is not an ARN with
   * one.
   */
  static String regionOf(String nameOrArn) {
    if (nameOrArn == null || !nameOrArn.startsWith("arn:")) {
      return null;
    }
    String[] parts = nameOrArn.split(":", 6);
    return parts.length == 6 && !parts[3].isEmpty() ? parts[3] : null;
  }

  /** The answer for a source table in a region this server does not know. */
  static DynamoException unknownTableRegion(String tableArn, String region) {
    return new DynamoException(
        WireError.TABLE_NOT_FOUND,
        "Table not found: " + tableArn + " (region " + region + " is not a peer of this server)");
  }

  /** The answer for a backup in a region this server does not know. */
  static DynamoException unknownBackupRegion(String backupArn, String region) {
    return new DynamoException(
        WireError.BACKUP_NOT_FOUND,
        "Backup not found: " + backupArn + " (region " + region + " is not a peer of this server)");
  }

  /** No peers: every other region is unknown. */
  CrossRegionRestores NONE =
      new CrossRegionRestores() {
        @Override
        public Source pointInTime(String region, String tableArn, Long atMillis) {
          throw unknownTableRegion(tableArn, region);
        }

        @Override
        public Source backup(String region, String backupArn) {
          throw unknownBackupRegion(backupArn, region);
        }

        @Override
        public Table restore(Source source, TableDefinition target) {
          throw new IllegalStateException("no peers");
        }
      };
}
