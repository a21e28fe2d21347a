package dev.tidemark.awsbackup.actions;

import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.Tagging;
import java.util.Map;

/** UntagResource on a backup plan, vault or recovery point ARN. */
public final class UntagResource implements BackupAction {
  private final Tagging resources;

  public UntagResource(Tagging resources) {
    this.resources = resources;
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
    resources.tag(arn, Map.of(), call.strings("TagKeyList"));
    return Answer.empty();
  }
}
