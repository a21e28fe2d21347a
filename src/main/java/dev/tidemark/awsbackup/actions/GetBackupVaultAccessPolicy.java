package dev.tidemark.awsbackup.actions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.managed.VaultAccessPolicies;

/** GetBackupVaultAccessPolicy; a vault without one is ResourceNotFoundException, as on AWS. */
public final class GetBackupVaultAccessPolicy implements BackupAction {
  private final VaultAccessPolicies policies;

  public GetBackupVaultAccessPolicy(VaultAccessPolicies policies) {
    this.policies = policies;
  }

  @Override
  public String name() {
    return "GetBackupVaultAccessPolicy";
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public String uri() {
    return "/backup-vaults/{backupVaultName}/access-policy";
  }

  @Override
  public Answer execute(Call call) {
    String name = call.required("BackupVaultName");
    String policy = policies.get(name);
    ObjectNode out = Shapes.object();
    out.put("BackupVaultName", name);
    out.put("BackupVaultArn", policies.vaultArn(name));
    out.put("Policy", policy);
    return Answer.ok(out);
  }
}
