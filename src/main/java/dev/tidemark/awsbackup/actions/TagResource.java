package dev.tidemark.awsbackup.actions;

import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.Tagging;
import java.util.List;

/** TagResource on a backup plan, vault or recovery point ARN. */
public final class TagResource implements BackupAction {
  private final Tagging resources;

  public TagResource(Tagging resources) {
    this.resources = resources;
  }

  @Override
  public String name() {
    return "TagResource";
  }

  @Override
  public String method() {
    return "POST";
  }

  @Override
  public String uri() {
    return "/tags/{resourceArn}";
  }

  @Override
  public Answer execute(Call call) {
    String arn = call.required("ResourceArn");
    if (call.input().get("Tags") == null) {
      call.required("Tags");
    }
    resources.tag(arn, call.map("Tags"), List.of());
    return Answer.empty();
  }
}
