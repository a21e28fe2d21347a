package dev.tidemark.awsbackup.actions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.managed.ManagedBackups;
import dev.tidemark.managed.Vault;

/** CreateBackupVault: a new vault; a retry with the same CreatorRequestId gets the first answer. */
public final class CreateBackupVault implements BackupAction {
  private final ManagedBackups core;

  public CreateBackupVault(ManagedBackups core) {
    this.core = core;
  }

  @Override
  public String name() {
    return "CreateBackupVault";
  }

  @Override
  public String method() {
    return "PUT";
  }

  @Override
  public String uri() {
    return "/backup-vaults/{backupVaultName}";
  }

  @Override
  public Answer execute(Call call) {
    Vault v =
        core.createVault(
            call.required("BackupVaultName"),
            call.map("BackupVaultTags"),
            call.string("EncryptionKeyArn"),
            call.string("CreatorRequestId"));
    ObjectNode out = Shapes.object();
    out.put("BackupVaultName", v.name());
    out.put("BackupVaultArn", v.arn());
    out.put("CreationDate", Shapes.seconds(v.creationMillis()));
    return Answer.ok(out);
  }
}
