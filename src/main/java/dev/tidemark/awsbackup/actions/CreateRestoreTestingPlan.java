package dev.tidemark.awsbackup.actions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.RestoreTesting;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.managed.ManagedBackups;
import dev.tidemark.managed.RestoreTestingPlan;

/**
 * CreateRestoreTestingPlan: answers 201, as the model says. The plan's first run is the first
 * scheduled time after now.
 */
public final class CreateRestoreTestingPlan implements BackupAction {
  private final ManagedBackups core;

  public CreateRestoreTestingPlan(ManagedBackups core) {
    this.core = core;
  }

  @Override
  public String name() {
    return "CreateRestoreTestingPlan";
  }

  @Override
  public String method() {
    return "PUT";
  }

  @Override
  public String uri() {
    return "/restore-testing/plans";
  }

  @Override
  public Answer execute(Call call) {
    Call plan = RestoreTesting.struct(call, "RestoreTestingPlan");
    if (plan == null) {
      call.required("RestoreTestingPlan");
    }
    RestoreTestingPlan p =
        core.restoreTests()
            .createPlan(
                plan.required("RestoreTestingPlanName"),
                RestoreTesting.planInput(plan),
                call.string("CreatorRequestId"),
                call.map("Tags"));
    ObjectNode out = Shapes.object();
    out.put("CreationTime", Shapes.seconds(p.creationMillis()));
    out.put("RestoreTestingPlanArn", p.arn());
    out.put("RestoreTestingPlanName", p.name());
    return new Answer(201, out);
  }
}
