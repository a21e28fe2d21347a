package dev.tidemark.managed;

import java.util.Map;
import java.util.Objects;

/**
 * A recovery point: one consistent snapshot of a table, held in the backup store as an on-demand
 * backup of type {@code AWS_BACKUP} ({@code backupArn}), filed in a vault.
 *
 * @param status CREATING while its backup job runs, COMPLETED once the snapshot is in the store,
 *     DELETING while it is being removed (a restart finishes the removal)
 * @param backupArn the backup store's record of the snapshot, null until the job has started it
 * @param createdBy the plan and rule that made it, or null
 * @param sourceBackupVaultArn for a copy, the vault the point was copied from; null otherwise
 */
public record RecoveryPoint(
    String id,
    String arn,
    String vaultName,
    String resourceArn,
    String resourceName,
    String backupArn,
    String status,
    long creationMillis,
    Long completionMillis,
    long sizeBytes,
    Lifecycle lifecycle,
    String iamRoleArn,
    String backupJobId,
    Map<String, String> tags,
    CreatedBy createdBy,
    String sourceBackupVaultArn) {
  public static final String CREATING = "CREATING";
  public static final String COMPLETED = "COMPLETED";
  public static final String DELETING = "DELETING";

  public RecoveryPoint {
    Objects.requireNonNull(id);
    Objects.requireNonNull(arn);
    Objects.requireNonNull(vaultName);
    Objects.requireNonNull(status);
    lifecycle = lifecycle == null ? Lifecycle.NONE : lifecycle;
    tags = tags == null ? Map.of() : Map.copyOf(tags);
  }

  public RecoveryPoint completed(String backup, long at, long size) {
    return copy(backup, COMPLETED, at, size, lifecycle, tags);
  }

  public RecoveryPoint withStatus(String newStatus) {
    return copy(backupArn, newStatus, completionMillis, sizeBytes, lifecycle, tags);
  }

  public RecoveryPoint withLifecycle(Lifecycle newLifecycle) {
    return copy(backupArn, status, completionMillis, sizeBytes, newLifecycle, tags);
  }

  public RecoveryPoint withTags(Map<String, String> newTags) {
    return copy(backupArn, status, completionMillis, sizeBytes, lifecycle, newTags);
  }

  private RecoveryPoint copy(
      String backup,
      String newStatus,
      Long completion,
      long size,
      Lifecycle newLifecycle,
      Map<String, String> newTags) {
    return new RecoveryPoint(
        id,
        arn,
        vaultName,
        resourceArn,
        resourceName,
        backup,
        newStatus,
        creationMillis,
        completion,
        size,
        newLifecycle,
        iamRoleArn,
        backupJobId,
        newTags,
        createdBy,
        sourceBackupVaultArn);
  }

  /** When the janitor deletes it, or null when kept until deleted by hand. */
  public Long deleteAt() {
    return lifecycle.deleteAt(creationMillis);
  }
}
