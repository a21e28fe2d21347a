package dev.tidemark.awsbackup.actions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.managed.BackupPlan;
import dev.tidemark.managed.BackupPlans;

/**
 * DeleteBackupPlan: refused while the plan has selections; the plan keeps its versions and a
 * DeletionDate.
 */
public final class DeleteBackupPlan implements BackupAction {
  private final BackupPlans plans;

  public DeleteBackupPlan(BackupPlans plans) {
    this.plans = plans;
  }

  @Override
  public String name() {
    return "DeleteBackupPlan";
  }

  @Override
  public String method() {
    return "DELETE";
  }

  @Override
  public String uri() {
    return "/backup/plans/{backupPlanId}";
  }

  @Override
  public Answer execute(Call call) {
    BackupPlan p = plans.delete(call.required("BackupPlanId"));
    ObjectNode out = Shapes.object();
    out.put("BackupPlanId", p.id());
    out.put("BackupPlanArn", p.arn());
    out.put("DeletionDate", Shapes.seconds(p.deletionMillis()));
    out.put("VersionId", p.current().versionId());
    return Answer.ok(out);
  }
}
