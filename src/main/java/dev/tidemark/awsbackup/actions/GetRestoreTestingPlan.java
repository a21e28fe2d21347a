package dev.tidemark.awsbackup.actions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.RestoreTesting;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.managed.ManagedBackups;

/** GetRestoreTestingPlan. */
public final class GetRestoreTestingPlan implements BackupAction {
  private final ManagedBackups core;

  public GetRestoreTestingPlan(ManagedBackups core) {
    this.core = core;
  }

  @Override
  public String name() {
    return "GetRestoreTestingPlan";
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public String uri() {
    return "/restore-testing/plans/{RestoreTestingPlanName}";
  }

  @Override
  public Answer execute(Call call) {
    ObjectNode out = Shapes.object();
    out.set(
        "RestoreTestingPlan",
        RestoreTesting.plan(
            core.restoreTests().plan(call.required("RestoreTestingPlanName")), true));
    return Answer.ok(out);
  }
}
