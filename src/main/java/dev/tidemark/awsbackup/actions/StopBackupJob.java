package dev.tidemark.awsbackup.actions;

import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.managed.ManagedBackups;

/**
 * StopBackupJob: a job that has not started is ABORTED; a running DynamoDB backup cannot be
 * stopped.
 */
public final class StopBackupJob implements BackupAction {
  private final ManagedBackups core;

  public StopBackupJob(ManagedBackups core) {
    this.core = core;
  }

  @Override
  public String name() {
    return "StopBackupJob";
  }

  @Override
  public String method() {
    return "POST";
  }

  @Override
  public String uri() {
    return "/backup-jobs/{backupJobId}";
  }

  @Override
  public Answer execute(Call call) {
    core.stopBackupJob(call.required("BackupJobId"));
    return Answer.empty();
  }
}
