package dev.tidemark.awsbackup.actions;

import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.managed.BackupPlans;

/** DeleteBackupSelection. */
public final class DeleteBackupSelection implements BackupAction {
  private final BackupPlans plans;

  public DeleteBackupSelection(BackupPlans plans) {
    this.plans = plans;
  }

  @Override
  public String name() {
    return "DeleteBackupSelection";
  }

  @Override
  public String method() {
    return "DELETE";
  }

  @Override
  public String uri() {
    return "/backup/plans/{backupPlanId}/selections/{selectionId}";
  }

  @Override
  public Answer execute(Call call) {
    plans.deleteSelection(call.required("BackupPlanId"), call.required("SelectionId"));
    return Answer.empty();
  }
}
