package dev.tidemark.awsbackup.actions;

import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.managed.ManagedBackups;

/** PutRestoreValidationResult: 204; only for a restore test's job while its table is kept. */
public final class PutRestoreValidationResult implements BackupAction {
  private final ManagedBackups core;

  public PutRestoreValidationResult(ManagedBackups core) {
    this.core = core;
  }

  @Override
  public String name() {
    return "PutRestoreValidationResult";
  }

  @Override
  public String method() {
    return "PUT";
  }

  @Override
  public String uri() {
    return "/restore-jobs/{restoreJobId}/validations";
  }

  @Override
  public Answer execute(Call call) {
    core.restoreTests()
        .putValidationResult(
            call.required("RestoreJobId"),
            call.string("ValidationStatus"),
            call.string("ValidationStatusMessage"));
    return new Answer(204, null);
  }
}
