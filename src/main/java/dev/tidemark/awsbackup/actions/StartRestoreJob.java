package dev.tidemark.awsbackup.actions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.managed.ManagedBackups;
import dev.tidemark.managed.RestoreJob;

/**
 * StartRestoreJob: DynamoDB's restore metadata (targetTableName, deletionProtection) names a new
 * table, never an existing one; the job is PENDING and the worker runs it.
 */
public final class StartRestoreJob implements BackupAction {
  private final ManagedBackups core;

  public StartRestoreJob(ManagedBackups core) {
    this.core = core;
  }

  @Override
  public String name() {
    return "StartRestoreJob";
  }

  @Override
  public String method() {
    return "PUT";
  }

  @Override
  public String uri() {
    return "/restore-jobs";
  }

  @Override
  public Answer execute(Call call) {
    String type = call.string("ResourceType");
    if (type != null && !type.equals("DynamoDB")) {
      throw Call.invalid(
          "Invalid value for ResourceType: " + type + ". This server restores DynamoDB tables.");
    }
    String arn = call.required("RecoveryPointArn");
    if (call.input().get("Metadata") == null) {
      call.required("Metadata");
    }
    RestoreJob j =
        core.startRestoreJob(
            arn, call.map("Metadata"), call.string("IamRoleArn"), call.string("IdempotencyToken"));
    ObjectNode out = Shapes.object();
    out.put("RestoreJobId", j.id());
    return Answer.ok(out);
  }
}
