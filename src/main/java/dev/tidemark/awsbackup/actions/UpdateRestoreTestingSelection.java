package dev.tidemark.awsbackup.actions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.RestoreTesting;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.managed.ManagedBackups;
import dev.tidemark.managed.RestoreTestingSelection;

/** UpdateRestoreTestingSelection: members given replace the selection's. */
public final class UpdateRestoreTestingSelection implements BackupAction {
  private final ManagedBackups core;

  public UpdateRestoreTestingSelection(ManagedBackups core) {
    this.core = core;
  }

  @Override
  public String name() {
    return "UpdateRestoreTestingSelection";
  }

  @Override
  public String method() {
    return "PUT";
  }

  @Override
  public String uri() {
    return "/restore-testing/plans/{RestoreTestingPlanName}/selections/{RestoreTestingSelectionName}";
  }

  @Override
  public Answer execute(Call call) {
    String plan = call.required("RestoreTestingPlanName");
    String name = call.required("RestoreTestingSelectionName");
    Call sel = RestoreTesting.struct(call, "RestoreTestingSelection");
    if (sel == null) {
      call.required("RestoreTestingSelection");
    }
    RestoreTestingSelection s =
        core.restoreTests().updateSelection(plan, name, RestoreTesting.selectionInput(sel));
    ObjectNode out = Shapes.object();
    out.put("CreationTime", Shapes.seconds(s.creationMillis()));
    out.put("RestoreTestingPlanArn", core.restoreTests().plan(plan).arn());
    out.put("RestoreTestingPlanName", plan);
    out.put("RestoreTestingSelectionName", s.name());
    out.put("UpdateTime", Shapes.seconds(s.updateMillis()));
    return Answer.ok(out);
  }
}
