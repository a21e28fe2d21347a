package dev.tidemark.awsbackup.actions;

import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.managed.ManagedBackups;
import java.util.Map;

/** UntagResource on a vault or recovery point ARN. */
public final class UntagResource implements BackupAction {
  private final ManagedBackups core;

  public UntagResource(ManagedBackups core) {
    this.core = core;
  }

  @Override
  public String name() {
    return "UntagResource";
  }

  @Override
  public String method() {
    return "POST";
  }

  @Override
  public String uri() {
    return "/untag/{resourceArn}";
  }

  @Override
  public Answer execute(Call call) {
    String arn = call.required("ResourceArn");
    if (call.input().get("TagKeyList") == null) {
      call.required("TagKeyList");
    }
    core.tag(arn, Map.of(), call.strings("TagKeyList"));
    return Answer.empty();
  }
}
