package dev.tidemark.managed;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A restore job: PENDING until it starts, RUNNING while the new table fills, then COMPLETED (the
 * table is ACTIVE: {@code createdResourceArn}) or FAILED (no table was left behind).
 *
 * @param tableId the TableId of the table being created, to tell it from a later table of the same
 *     name
 */
public record RestoreJob(
    String id,
    String recoveryPointArn,
    String sourceResourceArn,
    String vaultName,
    String iamRoleArn,
    String idempotencyToken,
    Map<String, String> metadata,
    String status,
    String statusMessage,
    long creationMillis,
    Long completionMillis,
    String createdResourceArn,
    String tableId,
    long sizeBytes,
    long recoveryPointCreationMillis) {
  public static final String PENDING = "PENDING";
  public static final String RUNNING = "RUNNING";
  public static final String COMPLETED = "COMPLETED";
  public static final String FAILED = "FAILED";

  public static final Set<String> STATUSES =
      Set.of("PENDING", "RUNNING", "COMPLETED", "ABORTED", "FAILED");

  public RestoreJob {
    Objects.requireNonNull(id);
    Objects.requireNonNull(status);
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }

  public RestoreJob with(
      String newStatus, String message, Long completion, String table, String createdArn) {
    return new RestoreJob(
        id,
        recoveryPointArn,
        sourceResourceArn,
        vaultName,
        iamRoleArn,
        idempotencyToken,
        metadata,
        newStatus,
        message,
        creationMillis,
        completion,
        createdArn,
        table,
        sizeBytes,
        recoveryPointCreationMillis);
  }
}
