package dev.tidemark.tables;

import java.util.Objects;

/**
 * Where a restored table came from, reported as {@code RestoreSummary} in its description.
 *
 * @param sourceBackupArn the backup restored, or null for a point-in-time restore
 * @param sourceTableArn the table the data came from
 * @param restoreDateTimeMillis the instant the data reflects
 */
public record RestoreSummary(
    String sourceBackupArn, String sourceTableArn, long restoreDateTimeMillis) {
  public RestoreSummary {
    Objects.requireNonNull(sourceTableArn);
  }
}
