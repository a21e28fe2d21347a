package dev.tidemark.audit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the audit trail is written and how long it is kept.
 *
 * @param dir the audit directory, or null for the default ({@code audit} in the data directory; no
 *     audit trail for an in-memory server unless a directory is given)
 * @param maxFileBytes a file is closed and a new one started once it would pass this size
 * @param maxFileAge a file is closed and a new one started once it is this old
 * @param retention files whose last record is older than this are deleted
 */
public record AuditConfig(Path dir, long maxFileBytes, Duration maxFileAge, Duration retention) {
  public static final long DEFAULT_MAX_FILE_BYTES = 64L * 1024 * 1024;
  public static final Duration DEFAULT_MAX_FILE_AGE = Duration.ofDays(1);
  public static final Duration DEFAULT_RETENTION = Duration.ofDays(365);

  public AuditConfig {
    Objects.requireNonNull(maxFileAge);
    Objects.requireNonNull(retention);
    if (maxFileBytes < 4096) {
      throw new IllegalArgumentException("the audit file size limit must be at least 4k");
    }
    if (maxFileAge.isNegative() || maxFileAge.isZero()) {
      throw new IllegalArgumentException("the audit file age limit must be positive");
    }
    if (retention.compareTo(maxFileAge) < 0) {
      throw new IllegalArgumentException(
          "the audit retention ("
              + retention
              + ") must be at least the file age ("
              + maxFileAge
              + "), or records would be deleted while their file is still written");
    }
  }

  public static AuditConfig defaults() {
    return new AuditConfig(null, DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_FILE_AGE, DEFAULT_RETENTION);
  }

  public AuditConfig withDir(Path d) {
    return new AuditConfig(d, maxFileBytes, maxFileAge, retention);
  }
}
