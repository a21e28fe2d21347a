package dev.tidemark.awsbackup.actions;

import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.managed.ManagedBackups;

/** DescribeRecoveryPoint, with its Lifecycle and CalculatedLifecycle. */
public final class DescribeRecoveryPoint implements BackupAction {
  private final ManagedBackups core;

  public DescribeRecoveryPoint(ManagedBackups core) {
    this.core = core;
  }

  @Override
  public String name() {
    return "DescribeRecoveryPoint";
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public String uri() {
    return "/backup-vaults/{backupVaultName}/recovery-points/{recoveryPointArn}";
  }

  @Override
  public Answer execute(Call call) {
    return Answer.ok(
        Shapes.point(
            core, core.point(call.required("BackupVaultName"), call.required("RecoveryPointArn"))));
  }
}
