package dev.tidemark.awsbackup.actions;

import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.managed.ManagedBackups;

/**
 * PutBackupVaultLockConfiguration: governance mode without ChangeableForDays, compliance mode
 * (immutable from its lock date) with it.
 */
public final class PutBackupVaultLockConfiguration implements BackupAction {
  private final ManagedBackups core;

  public PutBackupVaultLockConfiguration(ManagedBackups core) {
    this.core = core;
  }

  @Override
  public String name() {
    return "PutBackupVaultLockConfiguration";
  }

  @Override
  public String method() {
    return "PUT";
  }

  @Override
  public String uri() {
    return "/backup-vaults/{backupVaultName}/vault-lock";
  }

  @Override
  public Answer execute(Call call) {
    core.lockVault(
        call.required("BackupVaultName"),
        call.number("MinRetentionDays"),
        call.number("MaxRetentionDays"),
        call.number("ChangeableForDays"));
    return Answer.empty();
  }
}
