package dev.tidemark.awsbackup.actions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.RestoreTesting;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.managed.ManagedBackups;

/** GetRestoreTestingSelection. */
public final class GetRestoreTestingSelection implements BackupAction {
  private final ManagedBackups core;

  public GetRestoreTestingSelection(ManagedBackups core) {
    this.core = core;
  }

  @Override
  public String name() {
    return "GetRestoreTestingSelection";
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public String uri() {
    return "/restore-testing/plans/{RestoreTestingPlanName}/selections/{RestoreTestingSelectionName}";
  }

  @Override
  public Answer execute(Call call) {
    ObjectNode out = Shapes.object();
    out.set(
        "RestoreTestingSelection",
        RestoreTesting.selection(
            core.restoreTests()
                .selection(
                    call.required("RestoreTestingPlanName"),
                    call.required("RestoreTestingSelectionName")),
            true));
    return Answer.ok(out);
  }
}
