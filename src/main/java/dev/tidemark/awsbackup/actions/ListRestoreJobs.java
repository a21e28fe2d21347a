package dev.tidemark.awsbackup.actions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.JobFilters;
import dev.tidemark.awsbackup.Paging;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.managed.ManagedBackups;
import dev.tidemark.managed.RestoreJob;
import java.util.List;

/** ListRestoreJobs with the model's filters, oldest first, paged. */
public final class ListRestoreJobs implements BackupAction {
  private final ManagedBackups core;

  public ListRestoreJobs(ManagedBackups core) {
    this.core = core;
  }

  @Override
  public String name() {
    return "ListRestoreJobs";
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public String uri() {
    return "/restore-jobs/";
  }

  @Override
  public Answer execute(Call call) {
    String status = call.query("status");
    String testingPlan = call.query("restoreTestingPlanArn");
    if (status != null && !RestoreJob.STATUSES.contains(status)) {
      throw Call.invalid("Invalid value for status: " + status);
    }
    JobFilters filters = JobFilters.of(call, core.account());
    List<RestoreJob> jobs =
        core.restoreJobs(
            j ->
                (status == null || status.equals(j.status()))
                    && (testingPlan == null
                        || core.restoreTest(j.id())
                            .filter(t -> t.planArn().equals(testingPlan))
                            .isPresent())
                    && filters.matches(j.creationMillis(), j.completionMillis()));
    ObjectNode out = Shapes.object();
    Paging.page(call, jobs, RestoreJob::id, j -> Shapes.restoreJob(core, j), out, "RestoreJobs");
    return Answer.ok(out);
  }
}
