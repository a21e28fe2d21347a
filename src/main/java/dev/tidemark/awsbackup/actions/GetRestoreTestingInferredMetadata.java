package dev.tidemark.awsbackup.actions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.managed.ManagedBackups;

/** GetRestoreTestingInferredMetadata: the metadata a restore test of the point restores with. */
public final class GetRestoreTestingInferredMetadata implements BackupAction {
  private final ManagedBackups core;

  public GetRestoreTestingInferredMetadata(ManagedBackups core) {
    this.core = core;
  }

  @Override
  public String name() {
    return "GetRestoreTestingInferredMetadata";
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public String uri() {
    return "/restore-testing/inferred-metadata";
  }

  @Override
  public Answer execute(Call call) {
    String vault = call.query("BackupVaultName");
    String point = call.query("RecoveryPointArn");
    if (vault == null || vault.isEmpty() || point == null || point.isEmpty()) {
      throw new DynamoException(
          WireError.MISSING_PARAMETER_VALUE,
          "Missing required parameter: "
              + (vault == null || vault.isEmpty() ? "BackupVaultName" : "RecoveryPointArn")
              + ".");
    }
    String account = call.query("BackupVaultAccountId");
    if (account != null && !account.equals(core.account())) {
      throw new DynamoException(
          WireError.RESOURCE_NOT_FOUND, "Backup vault " + vault + " does not exist.");
    }
    ObjectNode out = Shapes.object();
    out.set("InferredMetadata", Shapes.strings(core.restoreTests().inferredMetadata(vault, point)));
    return Answer.ok(out);
  }
}
