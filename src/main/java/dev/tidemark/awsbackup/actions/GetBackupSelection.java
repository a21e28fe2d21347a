package dev.tidemark.awsbackup.actions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.Plans;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.managed.BackupPlans;
import dev.tidemark.managed.BackupSelection;

/** GetBackupSelection. */
public final class GetBackupSelection implements BackupAction {
  private final BackupPlans plans;

  public GetBackupSelection(BackupPlans plans) {
    this.plans = plans;
  }

  @Override
  public String name() {
    return "GetBackupSelection";
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public String uri() {
    return "/backup/plans/{backupPlanId}/selections/{selectionId}";
  }

  @Override
  public Answer execute(Call call) {
    BackupSelection s =
        plans.selection(call.required("BackupPlanId"), call.required("SelectionId"));
    ObjectNode out = Shapes.object();
    out.set("BackupSelection", Plans.selectionShape(s));
    out.put("SelectionId", s.id());
    out.put("BackupPlanId", s.planId());
    out.put("CreationDate", Shapes.seconds(s.creationMillis()));
    if (s.creatorRequestId() != null) {
      out.put("CreatorRequestId", s.creatorRequestId());
    }
    return Answer.ok(out);
  }
}
