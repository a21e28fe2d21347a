package dev.tidemark.awsbackup.actions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.Paging;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.managed.ManagedBackups;
import dev.tidemark.managed.RecoveryPoint;
import java.util.List;

/** ListRecoveryPointsByBackupVault with its filters, oldest first, paged. */
public final class ListRecoveryPointsByBackupVault implements BackupAction {
  private final ManagedBackups core;

  public ListRecoveryPointsByBackupVault(ManagedBackups core) {
    this.core = core;
  }

  @Override
  public String name() {
    return "ListRecoveryPointsByBackupVault";
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public String uri() {
    return "/backup-vaults/{backupVaultName}/recovery-points/";
  }

  @Override
  public Answer execute(Call call) {
    String vault = call.required("BackupVaultName");
    core.vault(vault);
    String resource = call.query("resourceArn");
    String type = call.query("resourceType");
    Long before = call.queryTime("createdBefore");
    Long after = call.queryTime("createdAfter");
    // No point is made by a plan or is a composite's member yet: these filters match nothing.
    boolean none =
        call.query("backupPlanId") != null || call.query("parentRecoveryPointArn") != null;
    List<RecoveryPoint> points =
        core.points(
            p ->
                p.vaultName().equals(vault)
                    && !none
                    && (resource == null || resource.equals(p.resourceArn()))
                    && (type == null || type.equals("DynamoDB"))
                    && (before == null || p.creationMillis() < before)
                    && (after == null || p.creationMillis() > after));
    ObjectNode out = Shapes.object();
    Paging.page(
        call, points, RecoveryPoint::arn, p -> Shapes.point(core, p), out, "RecoveryPoints");
    return Answer.ok(out);
  }
}
