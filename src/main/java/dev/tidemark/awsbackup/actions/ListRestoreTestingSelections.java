package dev.tidemark.awsbackup.actions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.Paging;
import dev.tidemark.awsbackup.RestoreTesting;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.managed.ManagedBackups;
import dev.tidemark.managed.RestoreTestingSelection;

/** ListRestoreTestingSelections of one plan, by name, paged with MaxResults/NextToken. */
public final class ListRestoreTestingSelections implements BackupAction {
  private final ManagedBackups core;

  public ListRestoreTestingSelections(ManagedBackups core) {
    this.core = core;
  }

  @Override
  public String name() {
    return "ListRestoreTestingSelections";
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public String uri() {
    return "/restore-testing/plans/{RestoreTestingPlanName}/selections";
  }

  @Override
  public Answer execute(Call call) {
    ObjectNode out = Shapes.object();
    Paging.page(
        RestoreTesting.capitalisedPaging(call),
        core.restoreTests().selections(call.required("RestoreTestingPlanName")),
        RestoreTestingSelection::name,
        s -> RestoreTesting.selection(s, false),
        out,
        "RestoreTestingSelections");
    return Answer.ok(out);
  }
}
