package dev.tidemark.awsbackup.actions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.CopyShapes;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.managed.CopyJobs;

/** DescribeCopyJob: {@code {"CopyJob": {...}}}. */
public final class DescribeCopyJob implements BackupAction {
  private final CopyJobs copies;

  public DescribeCopyJob(CopyJobs copies) {
    this.copies = copies;
  }

  @Override
  public String name() {
    return "DescribeCopyJob";
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public String uri() {
    return "/copy-jobs/{copyJobId}";
  }

  @Override
  public Answer execute(Call call) {
    ObjectNode out = Shapes.object();
    out.set("CopyJob", CopyShapes.copyJob(copies.core(), copies.job(call.required("CopyJobId"))));
    return Answer.ok(out);
  }
}
