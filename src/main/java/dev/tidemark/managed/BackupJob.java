package dev.tidemark.managed;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A backup job and where it is in its state machine: CREATED (waiting to start, until {@code
 * startByMillis}) then RUNNING then COMPLETED or FAILED; CREATED may also end ABORTED
 * (StopBackupJob) or EXPIRED (its start window closed before it could start).
 *
 * @param createdBy the plan and rule that scheduled it, or null for StartBackupJob
 */
public record BackupJob(
    String id,
    String vaultName,
    String resourceArn,
    String resourceName,
    String iamRoleArn,
    String idempotencyToken,
    String state,
    String statusMessage,
    long creationMillis,
    long startByMillis,
    Long completeByMillis,
    Long startedMillis,
    Long completionMillis,
    String recoveryPointArn,
    Lifecycle lifecycle,
    Map<String, String> recoveryPointTags,
    long sizeBytes,
    CreatedBy createdBy) {
  public static final String CREATED = "CREATED";
  public static final String RUNNING = "RUNNING";
  public static final String COMPLETED = "COMPLETED";
  public static final String FAILED = "FAILED";
  public static final String ABORTED = "ABORTED";
  public static final String EXPIRED = "EXPIRED";

  /** Every state the wire may filter on (BackupJobState). */
  public static final Set<String> STATES =
      Set.of(
          "CREATED",
          "PENDING",
          "RUNNING",
          "ABORTING",
          "ABORTED",
          "COMPLETED",
          "FAILED",
          "EXPIRED",
          "PARTIAL");

  public BackupJob {
    Objects.requireNonNull(id);
    Objects.requireNonNull(state);
    lifecycle = lifecycle == null ? Lifecycle.NONE : lifecycle;
    recoveryPointTags = recoveryPointTags == null ? Map.of() : Map.copyOf(recoveryPointTags);
  }

  public boolean isFinished() {
    return !CREATED.equals(state) && !RUNNING.equals(state);
  }

  public BackupJob running(long at) {
    return with(RUNNING, null, at, null, sizeBytes);
  }

  public BackupJob finished(String newState, String message, long at, long size) {
    return with(newState, message, startedMillis, at, size);
  }

  private BackupJob with(
      String newState, String message, Long started, Long completion, long size) {
    return new BackupJob(
        id,
        vaultName,
        resourceArn,
        resourceName,
        iamRoleArn,
        idempotencyToken,
        newState,
        message,
        creationMillis,
        startByMillis,
        completeByMillis,
        started,
        completion,
        recoveryPointArn,
        lifecycle,
        recoveryPointTags,
        size,
        createdBy);
  }
}
