package dev.tidemark.awsbackup.actions;

import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.managed.VaultAccessPolicies;

/** DeleteBackupVaultAccessPolicy: 200 with an empty body, whether or not it had one. */
public final class DeleteBackupVaultAccessPolicy implements BackupAction {
  private final VaultAccessPolicies policies;

  public DeleteBackupVaultAccessPolicy(VaultAccessPolicies policies) {
    this.policies = policies;
  }

  @Override
  public String name() {
    return "DeleteBackupVaultAccessPolicy";
  }

  @Override
  public String method() {
    return "DELETE";
  }

  @Override
  public String uri() {
    return "/backup-vaults/{backupVaultName}/access-policy";
  }

  @Override
  public Answer execute(Call call) {
    policies.delete(call.required("BackupVaultName"));
    return Answer.empty();
  }
}
