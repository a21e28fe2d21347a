package dev.tidemark.awsbackup.actions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.awsbackup.Tagging;

/** ListTags of a backup plan, vault or recovery point ARN. */
public final class ListTags implements BackupAction {
  private final Tagging resources;

  public ListTags(Tagging resources) {
    this.resources = resources;
  }

  @Override
  public String name() {
    return "ListTags";
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public String uri() {
    return "/tags/{resourceArn}/";
  }

  @Override
  public Answer execute(Call call) {
    ObjectNode out = Shapes.object();
    out.set("Tags", Shapes.strings(resources.tags(call.required("ResourceArn"))));
    return Answer.ok(out);
  }
}
