package dev.tidemark.managed;

import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A backup vault: a named container of recovery points, with its tags and optional lock.
 *
 * @param lock the vault lock, or null when the vault is not locked
 */
public record Vault(
    String name,
    String arn,
    long creationMillis,
    String creatorRequestId,
    String encryptionKeyArn,
    Map<String, String> tags,
    VaultLock lock) {
  /** AWS Backup's vault name pattern (CreateBackupVault). */
  public static final Pattern NAME = Pattern.compile("[a-zA-Z0-9\\-_]{2,50}");

  public static final String DEFAULT = "Default";

  public Vault {
    Objects.requireNonNull(name);
    Objects.requireNonNull(arn);
    tags = tags == null ? Map.of() : Map.copyOf(tags);
  }

  public Vault withTags(Map<String, String> newTags) {
    return new Vault(name, arn, creationMillis, creatorRequestId, encryptionKeyArn, newTags, lock);
  }

  public Vault withLock(VaultLock newLock) {
    return new Vault(name, arn, creationMillis, creatorRequestId, encryptionKeyArn, tags, newLock);
  }
}
