package dev.tidemark.awsbackup.actions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.Paging;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.managed.ManagedBackups;
import dev.tidemark.managed.RecoveryPoint;
import java.util.List;

/**
 * ListRecoveryPointsByResource: every vault's points of one table ARN (also once the table is
 * gone), oldest first, paged.
 */
public final class ListRecoveryPointsByResource implements BackupAction {
  private final ManagedBackups core;

  public ListRecoveryPointsByResource(ManagedBackups core) {
    this.core = core;
  }

  @Override
  public String name() {
    return "ListRecoveryPointsByResource";
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public String uri() {
    return "/resources/{resourceArn}/recovery-points/";
  }

  @Override
  public Answer execute(Call call) {
    String resource = call.required("ResourceArn");
    List<RecoveryPoint> points = core.points(p -> resource.equals(p.resourceArn()));
    ObjectNode out = Shapes.object();
    Paging.page(call, points, RecoveryPoint::arn, Shapes::pointByResource, out, "RecoveryPoints");
    return Answer.ok(out);
  }
}
