package dev.tidemark.awsbackup.actions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.managed.ManagedBackups;

/** DescribeBackupJob. */
public final class DescribeBackupJob implements BackupAction {
  private final ManagedBackups core;

  public DescribeBackupJob(ManagedBackups core) {
    this.core = core;
  }

  @Override
  public String name() {
    return "DescribeBackupJob";
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public String uri() {
    return "/backup-jobs/{backupJobId}";
  }

  @Override
  public Answer execute(Call call) {
    ObjectNode out = Shapes.backupJob(core, core.backupJob(call.required("BackupJobId")));
    out.put("NumberOfChildJobs", 0);
    return Answer.ok(out);
  }
}
