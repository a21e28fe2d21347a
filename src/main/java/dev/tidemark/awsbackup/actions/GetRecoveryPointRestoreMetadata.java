package dev.tidemark.awsbackup.actions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.managed.ManagedBackups;

/** GetRecoveryPointRestoreMetadata: the DynamoDB restore keys and their defaults. */
public final class GetRecoveryPointRestoreMetadata implements BackupAction {
  private final ManagedBackups core;

  public GetRecoveryPointRestoreMetadata(ManagedBackups core) {
    this.core = core;
  }

  @Override
  public String name() {
    return "GetRecoveryPointRestoreMetadata";
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public String uri() {
    return "/backup-vaults/{backupVaultName}/recovery-points/{recoveryPointArn}/restore-metadata";
  }

  @Override
  public Answer execute(Call call) {
    String vault = call.required("BackupVaultName");
    String arn = call.required("RecoveryPointArn");
    ObjectNode out = Shapes.object();
    out.set("RestoreMetadata", Shapes.strings(core.restoreMetadata(vault, arn)));
    out.put("BackupVaultArn", core.vaultArn(vault));
    out.put("RecoveryPointArn", arn);
    out.put("ResourceType", "DynamoDB");
    return Answer.ok(out);
  }
}
