package dev.tidemark.awsbackup.actions;

import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.managed.ManagedBackups;

/** DeleteRestoreTestingPlan: 204; refused while the plan has selections. */
public final class DeleteRestoreTestingPlan implements BackupAction {
  private final ManagedBackups core;

  public DeleteRestoreTestingPlan(ManagedBackups core) {
    this.core = core;
  }

  @Override
  public String name() {
    return "DeleteRestoreTestingPlan";
  }

  @Override
  public String method() {
    return "DELETE";
  }

  @Override
  public String uri() {
    return "/restore-testing/plans/{RestoreTestingPlanName}";
  }

  @Override
  public Answer execute(Call call) {
    core.restoreTests().deletePlan(call.required("RestoreTestingPlanName"));
    return new Answer(204, null);
  }
}
