package dev.tidemark.awsbackup.actions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.managed.ManagedBackups;
import dev.tidemark.managed.RestoreJob;

/** GetRestoreJobMetadata: the restore metadata the job was started with. */
public final class GetRestoreJobMetadata implements BackupAction {
  private final ManagedBackups core;

  public GetRestoreJobMetadata(ManagedBackups core) {
    this.core = core;
  }

  @Override
  public String name() {
    return "GetRestoreJobMetadata";
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public String uri() {
    return "/restore-jobs/{restoreJobId}/metadata";
  }

  @Override
  public Answer execute(Call call) {
    RestoreJob j = core.restoreJob(call.required("RestoreJobId"));
    ObjectNode out = Shapes.object();
    out.put("RestoreJobId", j.id());
    out.set("Metadata", Shapes.strings(j.metadata()));
    return Answer.ok(out);
  }
}
