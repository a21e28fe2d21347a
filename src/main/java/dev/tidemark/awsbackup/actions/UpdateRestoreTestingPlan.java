package dev.tidemark.awsbackup.actions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.RestoreTesting;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.managed.ManagedBackups;
import dev.tidemark.managed.RestoreTestingPlan;

/** UpdateRestoreTestingPlan: members given replace the plan's; the new schedule counts from now. */
public final class UpdateRestoreTestingPlan implements BackupAction {
  private final ManagedBackups core;

  public UpdateRestoreTestingPlan(ManagedBackups core) {
    this.core = core;
  }

  @Override
  public String name() {
    return "UpdateRestoreTestingPlan";
  }

  @Override
  public String method() {
    return "PUT";
  }

  @Override
  public String uri() {
    return "/restore-testing/plans/{RestoreTestingPlanName}";
  }

  @Override
  public Answer execute(Call call) {
    String name = call.required("RestoreTestingPlanName");
    Call plan = RestoreTesting.struct(call, "RestoreTestingPlan");
    if (plan == null) {
      call.required("RestoreTestingPlan");
    }
    RestoreTestingPlan p = core.restoreTests().updatePlan(name, RestoreTesting.planInput(plan));
    ObjectNode out = Shapes.object();
    out.put("CreationTime", Shapes.seconds(p.creationMillis()));
    out.put("RestoreTestingPlanArn", p.arn());
    out.put("RestoreTestingPlanName", p.name());
    out.put("UpdateTime", Shapes.seconds(p.updateMillis()));
    return Answer.ok(out);
  }
}
