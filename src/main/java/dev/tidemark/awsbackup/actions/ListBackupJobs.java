package dev.tidemark.awsbackup.actions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.JobFilters;
import dev.tidemark.awsbackup.Paging;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.managed.BackupJob;
import dev.tidemark.managed.ManagedBackups;
import java.util.List;

/**
 * ListBackupJobs with the model's filters (resource, state, vault, creation and completion times,
 * resource type, account), oldest first, paged.
 */
public final class ListBackupJobs implements BackupAction {
  private final ManagedBackups core;

  public ListBackupJobs(ManagedBackups core) {
    this.core = core;
  }

  @Override
  public String name() {
    return "ListBackupJobs";
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public String uri() {
    return "/backup-jobs/";
  }

  @Override
  public Answer execute(Call call) {
    String resource = call.query("resourceArn");
    String state = call.query("state");
    String vault = call.query("backupVaultName");
    if (state != null && !BackupJob.STATES.contains(state)) {
      throw Call.invalid("Invalid value for state: " + state);
    }
    JobFilters filters = JobFilters.of(call, core.account());
    List<BackupJob> jobs =
        core.backupJobs(
            j ->
                (resource == null || resource.equals(j.resourceArn()))
                    && (state == null || state.equals(j.state()))
                    && (vault == null || vault.equals(j.vaultName()))
                    && filters.matches(j.creationMillis(), j.completionMillis()));
    ObjectNode out = Shapes.object();
    Paging.page(call, jobs, BackupJob::id, j -> Shapes.backupJob(core, j), out, "BackupJobs");
    return Answer.ok(out);
  }
}
