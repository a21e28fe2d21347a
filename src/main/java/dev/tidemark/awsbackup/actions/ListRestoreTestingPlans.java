package dev.tidemark.awsbackup.actions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.Paging;
import dev.tidemark.awsbackup.RestoreTesting;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.managed.ManagedBackups;
import dev.tidemark.managed.RestoreTestingPlan;

/** ListRestoreTestingPlans, by name, paged with the capitalised MaxResults/NextToken. */
public final class ListRestoreTestingPlans implements BackupAction {
  private final ManagedBackups core;

  public ListRestoreTestingPlans(ManagedBackups core) {
    this.core = core;
  }

  @Override
  public String name() {
    return "ListRestoreTestingPlans";
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public String uri() {
    return "/restore-testing/plans";
  }

  @Override
  public Answer execute(Call call) {
    ObjectNode out = Shapes.object();
    Paging.page(
        RestoreTesting.capitalisedPaging(call),
        core.restoreTests().plans(),
        RestoreTestingPlan::name,
        p -> RestoreTesting.plan(p, false),
        out,
        "RestoreTestingPlans");
    return Answer.ok(out);
  }
}
