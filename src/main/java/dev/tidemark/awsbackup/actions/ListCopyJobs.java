package dev.tidemark.awsbackup.actions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.CopyShapes;
import dev.tidemark.awsbackup.JobFilters;
import dev.tidemark.awsbackup.Paging;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.managed.CopyJob;
import dev.tidemark.managed.CopyJobs;
import java.util.List;

/**
 * ListCopyJobs with the model's filters (resource, state, destination vault, source recovery point,
 * creation and completion times, resource type, account, message category; a parent job id matches
 * nothing, as DynamoDB copies have no parents), oldest first, paged.
 */
public final class ListCopyJobs implements BackupAction {
  private final CopyJobs copies;

  public ListCopyJobs(CopyJobs copies) {
    this.copies = copies;
  }

  @Override
  public String name() {
    return "ListCopyJobs";
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public String uri() {
    return "/copy-jobs/";
  }

  @Override
  public Answer execute(Call call) {
    String resource = call.query("resourceArn");
    String state = call.query("state");
    String destination = call.query("destinationVaultArn");
    String source = call.query("sourceRecoveryPointArn");
    String parent = call.query("parentJobId");
    String category = call.query("messageCategory");
    if (state != null && !CopyJob.STATES.contains(state)) {
      throw Call.invalid("Invalid value for state: " + state);
    }
    JobFilters filters = JobFilters.of(call, copies.core().account());
    List<CopyJob> jobs =
        copies.jobs(
            j ->
                (resource == null || resource.equals(j.resourceArn()))
                    && (state == null || state.equals(j.state()))
                    && (destination == null || destination.equals(j.destinationVaultArn()))
                    && (source == null || source.equals(j.sourceRecoveryPointArn()))
                    && parent == null
                    && (category == null
                        || category.equals("ANY")
                        || category.equals(CopyShapes.messageCategory(j)))
                    && filters.matches(j.creationMillis(), j.completionMillis()));
    ObjectNode out = Shapes.object();
    Paging.page(
        call, jobs, CopyJob::id, j -> CopyShapes.copyJob(copies.core(), j), out, "CopyJobs");
    return Answer.ok(out);
  }
}
