package dev.tidemark.awsbackup.actions;

import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.managed.ManagedBackups;

/** DeleteRestoreTestingSelection: 204; its tests already started run on. */
public final class DeleteRestoreTestingSelection implements BackupAction {
  private final ManagedBackups core;

  public DeleteRestoreTestingSelection(ManagedBackups core) {
    this.core = core;
  }

  @Override
  public String name() {
    return "DeleteRestoreTestingSelection";
  }

  @Override
  public String method() {
    return "DELETE";
  }

  @Override
  public String uri() {
    return "/restore-testing/plans/{RestoreTestingPlanName}/selections/{RestoreTestingSelectionName}";
  }

  @Override
  public Answer execute(Call call) {
    core.restoreTests()
        .deleteSelection(
            call.required("RestoreTestingPlanName"), call.required("RestoreTestingSelectionName"));
    return new Answer(204, null);
  }
}
