package dev.tidemark.managed;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One restore test: the restore job a restore testing plan started for one resource at one
 * scheduled run, and what became of it. It is written before its job, so a throw-away table always
 * has a record that deletes it. Phases move only forward:
 *
 * <ul>
 *   <li>{@code RESTORING}: the restore job runs;
 *   <li>{@code CHECKING}: the table is restored and being compared with the recovery point's
 *       manifest (item count and {@link dev.tidemark.backup.ContentDigest});
 *   <li>{@code VALIDATING}: waiting until {@code validationDeadlineMillis} for the caller's
 *       PutRestoreValidationResult;
 *   <li>{@code DELETING}: the throw-away table is being deleted (repeated until it is gone);
 *   <li>{@code DONE}.
 * </ul>
 *
 * @param jobId the restore job's id, derived from plan, selection, run and resource
 * @param metadata the restore metadata the job was started with (inferred plus overrides)
 * @param validationStatus FAILED, SUCCESSFUL, TIMED_OUT or VALIDATING, or null before any
 * @param checksFailed whether the built-in checks failed (a caller cannot then report SUCCESSFUL)
 * @param reportedStatus the last status the caller reported, or null
 * @param rtoMillis the restore job's CreationDate to CompletionDate: request to usable table
 * @param deletionStatus DELETING, FAILED (retried) or SUCCESSFUL, or null when no table was made
 */
public record RestoreTest(
    String jobId,
    String planName,
    String planArn,
    String selectionName,
    long scheduledMillis,
    String resourceArn,
    String recoveryPointArn,
    String iamRoleArn,
    Map<String, String> metadata,
    int validationWindowHours,
    String phase,
    String validationStatus,
    String validationMessage,
    boolean checksFailed,
    String reportedStatus,
    Long rtoMillis,
    Long validationDeadlineMillis,
    String deletionStatus,
    String deletionMessage) {
  public static final String RESTORING = "RESTORING";
  public static final String CHECKING = "CHECKING";
  public static final String VALIDATING = "VALIDATING";
  public static final String DELETING = "DELETING";
  public static final String DONE = "DONE";

  /** RestoreValidationStatus. */
  public static final Set<String> VALIDATION_STATUSES =
      Set.of("FAILED", "SUCCESSFUL", "TIMED_OUT", "VALIDATING");

  public RestoreTest {
    Objects.requireNonNull(jobId);
    Objects.requireNonNull(planArn);
    Objects.requireNonNull(phase);
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }

  public String targetTable() {
    return metadata.get("targetTableName");
  }

  public RestoreTest withPhase(String newPhase) {
    return new Builder(this).phase(newPhase).build();
  }

  Builder change() {
    return new Builder(this);
  }

  /** Changes to a test, as one new record. */
  static final class Builder {
    private final RestoreTest t;
    private String phase;
    private String validationStatus;
    private String validationMessage;
    private boolean checksFailed;
    private String reportedStatus;
    private Long rtoMillis;
    private Long deadline;
    private String deletionStatus;
    private String deletionMessage;

    Builder(RestoreTest t) {
      this.t = t;
      phase = t.phase;
      validationStatus = t.validationStatus;
      validationMessage = t.validationMessage;
      checksFailed = t.checksFailed;
      reportedStatus = t.reportedStatus;
      rtoMillis = t.rtoMillis;
      deadline = t.validationDeadlineMillis;
      deletionStatus = t.deletionStatus;
      deletionMessage = t.deletionMessage;
    }

    Builder phase(String v) {
      phase = v;
      return this;
    }

    Builder validation(String status, String message) {
      validationStatus = status;
      validationMessage = message;
      return this;
    }

    Builder checksFailed(boolean v) {
      checksFailed = v;
      return this;
    }

    Builder reported(String v) {
      reportedStatus = v;
      return this;
    }

    Builder rto(Long v) {
      rtoMillis = v;
      return this;
    }

    Builder deadline(Long v) {
      deadline = v;
      return this;
    }

    Builder deletion(String status, String message) {
      deletionStatus = status;
      deletionMessage = message;
      return this;
    }

    RestoreTest build() {
      return new RestoreTest(
          t.jobId,
          t.planName,
          t.planArn,
          t.selectionName,
          t.scheduledMillis,
          t.resourceArn,
          t.recoveryPointArn,
          t.iamRoleArn,
          t.metadata,
          t.validationWindowHours,
          phase,
          validationStatus,
          validationMessage,
          checksFailed,
          reportedStatus,
          rtoMillis,
          deadline,
          deletionStatus,
          deletionMessage);
    }
  }
}
