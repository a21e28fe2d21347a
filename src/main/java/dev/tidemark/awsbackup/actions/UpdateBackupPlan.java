package dev.tidemark.awsbackup.actions;

import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.Plans;
import dev.tidemark.managed.BackupPlan;
import dev.tidemark.managed.BackupPlans;

/** UpdateBackupPlan: a new version; earlier versions stay readable by VersionId. */
public final class UpdateBackupPlan implements BackupAction {
  private final BackupPlans plans;

  public UpdateBackupPlan(BackupPlans plans) {
    this.plans = plans;
  }

  @Override
  public String name() {
    return "UpdateBackupPlan";
  }

  @Override
  public String method() {
    return "POST";
  }

  @Override
  public String uri() {
    return "/backup/plans/{backupPlanId}";
  }

  @Override
  public Answer execute(Call call) {
    BackupPlan p = plans.update(call.required("BackupPlanId"), Plans.name(call), Plans.rules(call));
    return Answer.ok(Plans.created(p));
  }
}
