package dev.tidemark.awsbackup.actions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.Paging;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.managed.ManagedBackups;
import dev.tidemark.managed.RestoreJob;
import java.util.List;

/**
 * ListRestoreJobsByProtectedResource: the restore jobs of one table's recovery points, oldest
 * first.
 */
public final class ListRestoreJobsByProtectedResource implements BackupAction {
  private final ManagedBackups core;

  public ListRestoreJobsByProtectedResource(ManagedBackups core) {
    this.core = core;
  }

  @Override
  public String name() {
    return "ListRestoreJobsByProtectedResource";
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public String uri() {
    return "/resources/{resourceArn}/restore-jobs/";
  }

  @Override
  public Answer execute(Call call) {
    String arn = call.required("ResourceArn");
    String status = call.query("status");
    if (status != null && !RestoreJob.STATUSES.contains(status)) {
      throw Call.invalid("Invalid value for status: " + status);
    }
    Long after = call.queryTime("recoveryPointCreationDateAfter");
    Long before = call.queryTime("recoveryPointCreationDateBefore");
    List<RestoreJob> jobs =
        core.restoreJobs(
            j ->
                arn.equals(j.sourceResourceArn())
                    && (status == null || status.equals(j.status()))
                    && (after == null || j.recoveryPointCreationMillis() > after)
                    && (before == null || j.recoveryPointCreationMillis() < before));
    ObjectNode out = Shapes.object();
    Paging.page(call, jobs, RestoreJob::id, j -> Shapes.restoreJob(core, j), out, "RestoreJobs");
    return Answer.ok(out);
  }
}
