package dev.tidemark.awsbackup.actions;

import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.managed.ManagedBackups;
import dev.tidemark.managed.Vault;

/** DescribeBackupVault, with the number of recovery points the vault holds. */
public final class DescribeBackupVault implements BackupAction {
  private final ManagedBackups core;

  public DescribeBackupVault(ManagedBackups core) {
    this.core = core;
  }

  @Override
  public String name() {
    return "DescribeBackupVault";
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public String uri() {
    return "/backup-vaults/{backupVaultName}";
  }

  @Override
  public Answer execute(Call call) {
    Vault v = core.vault(call.required("BackupVaultName"));
    return Answer.ok(Shapes.vault(v, core.pointCount(v.name())));
  }
}
