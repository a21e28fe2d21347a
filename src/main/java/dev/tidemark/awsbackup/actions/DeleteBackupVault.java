package dev.tidemark.awsbackup.actions;

import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.managed.ManagedBackups;

/** DeleteBackupVault: refused while the vault holds recovery points (AWS's ERROR_9101). */
public final class DeleteBackupVault implements BackupAction {
  private final ManagedBackups core;

  public DeleteBackupVault(ManagedBackups core) {
    this.core = core;
  }

  @Override
  public String name() {
    return "DeleteBackupVault";
  }

  @Override
  public String method() {
    return "DELETE";
  }

  @Override
  public String uri() {
    return "/backup-vaults/{backupVaultName}";
  }

  @Override
  public Answer execute(Call call) {
    core.deleteVault(call.required("BackupVaultName"));
    return Answer.empty();
  }
}
