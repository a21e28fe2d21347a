package dev.tidemark.awsbackup.actions;

import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.managed.ManagedBackups;

/** DescribeRestoreJob, with CreatedResourceArn once the new table is ACTIVE. */
public final class DescribeRestoreJob implements BackupAction {
  private final ManagedBackups core;

  public DescribeRestoreJob(ManagedBackups core) {
    this.core = core;
  }

  @Override
  public String name() {
    return "DescribeRestoreJob";
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public String uri() {
    return "/restore-jobs/{restoreJobId}";
  }

  @Override
  public Answer execute(Call call) {
    return Answer.ok(Shapes.restoreJob(core, core.restoreJob(call.required("RestoreJobId"))));
  }
}
