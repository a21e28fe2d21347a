package dev.tidemark.awsbackup.actions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.RestoreTesting;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.managed.ManagedBackups;
import dev.tidemark.managed.RestoreTestingSelection;

/** CreateRestoreTestingSelection: answers 201. */
public final class CreateRestoreTestingSelection implements BackupAction {
  private final ManagedBackups core;

  public CreateRestoreTestingSelection(ManagedBackups core) {
    this.core = core;
  }

  @Override
  public String name() {
    return "CreateRestoreTestingSelection";
  }

  @Override
  public String method() {
    return "PUT";
  }

  @Override
  public String uri() {
    return "/restore-testing/plans/{RestoreTestingPlanName}/selections";
  }

  @Override
  public Answer execute(Call call) {
    String plan = call.required("RestoreTestingPlanName");
    Call sel = RestoreTesting.struct(call, "RestoreTestingSelection");
    if (sel == null) {
      call.required("RestoreTestingSelection");
    }
    RestoreTestingSelection s =
        core.restoreTests()
            .createSelection(
                plan,
                sel.required("RestoreTestingSelectionName"),
                RestoreTesting.selectionInput(sel),
                call.string("CreatorRequestId"));
    ObjectNode out = Shapes.object();
    out.put("CreationTime", Shapes.seconds(s.creationMillis()));
    out.put("RestoreTestingPlanArn", core.restoreTests().plan(plan).arn());
    out.put("RestoreTestingPlanName", plan);
    out.put("RestoreTestingSelectionName", s.name());
    return new Answer(201, out);
  }
}
