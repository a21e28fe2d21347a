package dev.tidemark.awsbackup.actions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.Paging;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.managed.ManagedBackups;
import dev.tidemark.managed.Vault;
import java.util.List;

/** ListBackupVaults, by name, paged. */
public final class ListBackupVaults implements BackupAction {
  private final ManagedBackups core;

  public ListBackupVaults(ManagedBackups core) {
    this.core = core;
  }

  @Override
  public String name() {
    return "ListBackupVaults";
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public String uri() {
    return "/backup-vaults/";
  }

  @Override
  public Answer execute(Call call) {
    String type = call.query("vaultType");
    List<Vault> vaults =
        type == null || type.equals("BACKUP_VAULT") ? core.vaults() : List.<Vault>of();
    ObjectNode out = Shapes.object();
    Paging.page(
        call,
        vaults,
        Vault::name,
        v -> Shapes.vault(v, core.pointCount(v.name())),
        out,
        "BackupVaultList");
    return Answer.ok(out);
  }
}
