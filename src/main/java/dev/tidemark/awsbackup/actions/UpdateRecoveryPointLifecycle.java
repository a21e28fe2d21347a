package dev.tidemark.awsbackup.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.managed.Lifecycle;
import dev.tidemark.managed.ManagedBackups;
import dev.tidemark.managed.RecoveryPoint;
import dev.tidemark.managed.RecoveryPointLifecycles;

/**
 * UpdateRecoveryPointLifecycle: replaces a recovery point's lifecycle, validated with AWS's
 * lifecycle rules and refused in a locked vault when it would shorten the point's retention or
 * leave the lock's range; answers the vault and point ARNs, the lifecycle and its
 * CalculatedLifecycle.
 */
public final class UpdateRecoveryPointLifecycle implements BackupAction {
  private final ManagedBackups core;
  private final RecoveryPointLifecycles lifecycles;

  public UpdateRecoveryPointLifecycle(ManagedBackups core) {
    this.core = core;
    this.lifecycles = new RecoveryPointLifecycles(core);
  }

  @Override
  public String name() {
    return "UpdateRecoveryPointLifecycle";
  }

  @Override
  public String method() {
    return "POST";
  }

  @Override
  public String uri() {
    return "/backup-vaults/{backupVaultName}/recovery-points/{recoveryPointArn}";
  }

  @Override
  public Answer execute(Call call) {
    String vault = call.required("BackupVaultName");
    String arn = call.required("RecoveryPointArn");
    Lifecycle requested = withoutMinusOne(call).lifecycle("Lifecycle");
    RecoveryPoint p = lifecycles.update(vault, arn, requested);
    ObjectNode out = Shapes.object();
    out.put("BackupVaultArn", core.vaultArn(p.vaultName()));
    out.put("RecoveryPointArn", p.arn());
    out.set("Lifecycle", Shapes.lifecycle(p.lifecycle()));
    out.set(
        "CalculatedLifecycle",
        Shapes.calculatedLifecycle(core.effectiveLifecycle(p), p.creationMillis()));
    return Answer.ok(out);
  }

  /**
   * The call with {@code -1} days read as absent: the model's Lifecycle doc says -1 for both
   * removes the lifecycle and keeps the point indefinitely.
   */
  private static Call withoutMinusOne(Call call) {
    JsonNode l = call.input().get("Lifecycle");
    if (l == null || !l.isObject()) {
      return call;
    }
    ObjectNode copy = ((ObjectNode) l).deepCopy();
    for (String f : new String[] {"MoveToColdStorageAfterDays", "DeleteAfterDays"}) {
      JsonNode d = copy.get(f);
      if (d != null && d.isIntegralNumber() && d.asLong() == -1) {
        copy.remove(f);
      }
    }
    ObjectNode input = call.input().deepCopy();
    input.set("Lifecycle", copy);
    return new Call(input, call.query());
  }
}
