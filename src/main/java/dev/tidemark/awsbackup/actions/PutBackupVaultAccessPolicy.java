package dev.tidemark.awsbackup.actions;

import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.managed.VaultAccessPolicies;

/** PutBackupVaultAccessPolicy: a resource-based policy on the vault, replacing any earlier one. */
public final class PutBackupVaultAccessPolicy implements BackupAction {
  private final VaultAccessPolicies policies;

  public PutBackupVaultAccessPolicy(VaultAccessPolicies policies) {
    this.policies = policies;
  }

  @Override
  public String name() {
    return "PutBackupVaultAccessPolicy";
  }

  @Override
  public String method() {
    return "PUT";
  }

  @Override
  public String uri() {
    return "/backup-vaults/{backupVaultName}/access-policy";
  }

  @Override
  public Answer execute(Call call) {
    policies.put(call.required("BackupVaultName"), call.string("Policy"));
    return Answer.empty();
  }
}
