package dev.tidemark.awsbackup.actions;

import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.managed.ManagedBackups;

/** DeleteRecoveryPoint: the snapshot leaves the backup store, then the record. */
public final class DeleteRecoveryPoint implements BackupAction {
  private final ManagedBackups core;

  public DeleteRecoveryPoint(ManagedBackups core) {
    this.core = core;
  }

  @Override
  public String name() {
    return "DeleteRecoveryPoint";
  }

  @Override
  public String method() {
    return "DELETE";
  }

  @Override
  public String uri() {
    return "/backup-vaults/{backupVaultName}/recovery-points/{recoveryPointArn}";
  }

  @Override
  public Answer execute(Call call) {
    core.deletePoint(call.required("BackupVaultName"), call.required("RecoveryPointArn"));
    return Answer.empty();
  }
}
