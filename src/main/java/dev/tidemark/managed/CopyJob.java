package dev.tidemark.managed;

import java.util.Objects;
import java.util.Set;

/**
 * A copy job and where it is in its state machine: CREATED, then RUNNING, then COMPLETED or FAILED
 * (AWS's CopyJobState; PARTIAL is for composite jobs, which DynamoDB points never are). A job
 * caught RUNNING by a restart is resumed: the transfer starts again from its beginning, and the
 * destination answers a job it has already completed with the point it made, so nothing is copied
 * twice.
 *
 * @param lifecycle the destination point's lifecycle: the requested one, or the source point's
 * @param destinationRecoveryPointArn known once the destination has accepted the copy
 * @param createdBy the plan and rule whose CopyAction made the job, or null for StartCopyJob
 * @param createdByBackupJobId the backup job whose point a CopyAction copies, or null
 * @param attempts transfers tried so far (a restart or an unreachable destination adds one)
 * @param retryAtMillis when the next attempt may start (after an unreachable destination)
 */
public record CopyJob(
    String id,
    String sourceVaultName,
    String sourceRecoveryPointArn,
    String destinationVaultArn,
    String resourceArn,
    String resourceName,
    String iamRoleArn,
    String idempotencyToken,
    Lifecycle lifecycle,
    String state,
    String statusMessage,
    long creationMillis,
    Long startedMillis,
    Long completionMillis,
    String destinationRecoveryPointArn,
    long sizeBytes,
    CreatedBy createdBy,
    String createdByBackupJobId,
    int attempts,
    long retryAtMillis) {
  public static final String CREATED = "CREATED";
  public static final String RUNNING = "RUNNING";
  public static final String COMPLETED = "COMPLETED";
  public static final String FAILED = "FAILED";

  /** Every state the wire may filter on (CopyJobState). */
  public static final Set<String> STATES = Set.of(CREATED, RUNNING, COMPLETED, FAILED, "PARTIAL");

  public CopyJob {
    Objects.requireNonNull(id);
    Objects.requireNonNull(sourceRecoveryPointArn);
    Objects.requireNonNull(destinationVaultArn);
    Objects.requireNonNull(state);
    if (!STATES.contains(state)) {
      throw new IllegalArgumentException("unknown copy job state " + state);
    }
    lifecycle = lifecycle == null ? Lifecycle.NONE : lifecycle;
  }

  public boolean isFinished() {
    return COMPLETED.equals(state) || FAILED.equals(state);
  }

  /** The next attempt starts: RUNNING, with one more attempt counted. */
  public CopyJob attempt(long now) {
    return with(
        RUNNING,
        statusMessage,
        startedMillis == null ? now : startedMillis,
        null,
        destinationRecoveryPointArn,
        sizeBytes,
        attempts + 1,
        retryAtMillis);
  }

  /** Still RUNNING; the destination could not be reached, so the next attempt waits. */
  public CopyJob retryLater(String message, long at) {
    return with(
        RUNNING,
        message,
        startedMillis,
        null,
        destinationRecoveryPointArn,
        sizeBytes,
        attempts,
        at);
  }

  public CopyJob finished(String newState, String message, long at, String pointArn, long size) {
    return with(newState, message, startedMillis, at, pointArn, size, attempts, retryAtMillis);
  }

  private CopyJob with(
      String newState,
      String message,
      Long started,
      Long completion,
      String pointArn,
      long size,
      int attemptCount,
      long retryAt) {
    return new CopyJob(
        id,
        sourceVaultName,
        sourceRecoveryPointArn,
        destinationVaultArn,
        resourceArn,
        resourceName,
        iamRoleArn,
        idempotencyToken,
        lifecycle,
        newState,
        message,
        creationMillis,
        started,
        completion,
        pointArn,
        size,
        createdBy,
        createdByBackupJobId,
        attemptCount,
        retryAt);
  }
}
