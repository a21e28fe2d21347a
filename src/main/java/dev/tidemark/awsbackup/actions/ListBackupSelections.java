package dev.tidemark.awsbackup.actions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.Paging;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.managed.BackupPlans;
import dev.tidemark.managed.BackupSelection;
import java.util.List;

/** ListBackupSelections of a plan, oldest first, paged. */
public final class ListBackupSelections implements BackupAction {
  private final BackupPlans plans;

  public ListBackupSelections(BackupPlans plans) {
    this.plans = plans;
  }

  @Override
  public String name() {
    return "ListBackupSelections";
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public String uri() {
    return "/backup/plans/{backupPlanId}/selections/";
  }

  @Override
  public Answer execute(Call call) {
    List<BackupSelection> list = plans.selections(call.required("BackupPlanId"));
    ObjectNode out = Shapes.object();
    Paging.page(
        call,
        list,
        BackupSelection::id,
        s -> {
          ObjectNode o = Shapes.object();
          o.put("SelectionId", s.id());
          o.put("SelectionName", s.name());
          o.put("BackupPlanId", s.planId());
          o.put("CreationDate", Shapes.seconds(s.creationMillis()));
          if (s.creatorRequestId() != null) {
            o.put("CreatorRequestId", s.creatorRequestId());
          }
          o.put("IamRoleArn", s.iamRoleArn());
          return o;
        },
        out,
        "BackupSelectionsList");
    return Answer.ok(out);
  }
}
