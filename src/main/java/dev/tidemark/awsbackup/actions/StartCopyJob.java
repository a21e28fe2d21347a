package dev.tidemark.awsbackup.actions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.managed.CopyJob;
import dev.tidemark.managed.CopyJobs;

/**
 * StartCopyJob: copies a COMPLETED recovery point to another vault of this server, of a peer
 * region, or of another account's server (if that vault's access policy allows it). The job starts
 * CREATED and runs in the background.
 */
public final class StartCopyJob implements BackupAction {
  private final CopyJobs copies;

  public StartCopyJob(CopyJobs copies) {
    this.copies = copies;
  }

  @Override
  public String name() {
    return "StartCopyJob";
  }

  @Override
  public String method() {
    return "PUT";
  }

  @Override
  public String uri() {
    return "/copy-jobs";
  }

  @Override
  public Answer execute(Call call) {
    CopyJob j =
        copies.start(
            new CopyJobs.CopyRequest(
                call.required("RecoveryPointArn"),
                call.required("SourceBackupVaultName"),
                call.required("DestinationBackupVaultArn"),
                call.required("IamRoleArn"),
                call.string("IdempotencyToken"),
                call.lifecycle("Lifecycle")));
    ObjectNode out = Shapes.object();
    out.put("CopyJobId", j.id());
    out.put("CreationDate", Shapes.seconds(j.creationMillis()));
    out.put("IsParent", false);
    return Answer.ok(out);
  }
}
