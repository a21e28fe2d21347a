package dev.tidemark.awsbackup.actions;

import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.managed.ManagedBackups;

/** DeleteBackupVaultLockConfiguration: refused once a compliance lock's date has passed. */
public final class DeleteBackupVaultLockConfiguration implements BackupAction {
  private final ManagedBackups core;

  public DeleteBackupVaultLockConfiguration(ManagedBackups core) {
    this.core = core;
  }

  @Override
  public String name() {
    return "DeleteBackupVaultLockConfiguration";
  }

  @Override
  public String method() {
    return "DELETE";
  }

  @Override
  public String uri() {
    return "/backup-vaults/{backupVaultName}/vault-lock";
  }

  @Override
  public Answer execute(Call call) {
    core.unlockVault(call.required("BackupVaultName"));
    return Answer.empty();
  }
}
