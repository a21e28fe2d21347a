package dev.tidemark.awsbackup.actions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.Plans;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.managed.BackupPlans;
import dev.tidemark.managed.BackupSelection;

/**
 * CreateBackupSelection: tables by ARN pattern, NotResources, ListOfTags and Conditions, evaluated
 * at each run.
 */
public final class CreateBackupSelection implements BackupAction {
  private final BackupPlans plans;

  public CreateBackupSelection(BackupPlans plans) {
    this.plans = plans;
  }

  @Override
  public String name() {
    return "CreateBackupSelection";
  }

  @Override
  public String method() {
    return "PUT";
  }

  @Override
  public String uri() {
    return "/backup/plans/{backupPlanId}/selections/";
  }

  @Override
  public Answer execute(Call call) {
    String planId = call.required("BackupPlanId");
    BackupSelection s = plans.createSelection(Plans.selection(call, planId));
    ObjectNode out = Shapes.object();
    out.put("SelectionId", s.id());
    out.put("BackupPlanId", s.planId());
    out.put("CreationDate", Shapes.seconds(s.creationMillis()));
    return Answer.ok(out);
  }
}
