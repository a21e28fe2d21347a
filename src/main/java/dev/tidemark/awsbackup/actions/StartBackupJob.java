package dev.tidemark.awsbackup.actions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.managed.BackupJob;
import dev.tidemark.managed.ManagedBackups;

/**
 * StartBackupJob on a DynamoDB table ARN: the job starts CREATED and the worker runs it; the
 * recovery point ARN is known at once, as with AWS's advanced DynamoDB backup.
 */
public final class StartBackupJob implements BackupAction {
  private final ManagedBackups core;

  public StartBackupJob(ManagedBackups core) {
    this.core = core;
  }

  @Override
  public String name() {
    return "StartBackupJob";
  }

  @Override
  public String method() {
    return "PUT";
  }

  @Override
  public String uri() {
    return "/backup-jobs";
  }

  @Override
  public Answer execute(Call call) {
    BackupJob j =
        core.startBackupJob(
            new ManagedBackups.BackupRequest(
                call.required("BackupVaultName"),
                call.required("ResourceArn"),
                call.required("IamRoleArn"),
                call.string("IdempotencyToken"),
                call.number("StartWindowMinutes"),
                call.number("CompleteWindowMinutes"),
                call.lifecycle("Lifecycle"),
                call.map("RecoveryPointTags")));
    ObjectNode out = Shapes.object();
    out.put("BackupJobId", j.id());
    out.put("RecoveryPointArn", j.recoveryPointArn());
    out.put("CreationDate", Shapes.seconds(j.creationMillis()));
    out.put("IsParent", false);
    return Answer.ok(out);
  }
}
