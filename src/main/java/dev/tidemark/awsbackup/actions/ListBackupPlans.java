package dev.tidemark.awsbackup.actions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.Paging;
import dev.tidemark.awsbackup.Plans;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.managed.BackupPlan;
import dev.tidemark.managed.BackupPlans;

/** ListBackupPlans, deleted ones with includeDeleted=true, oldest first, paged. */
public final class ListBackupPlans implements BackupAction {
  private final BackupPlans plans;

  public ListBackupPlans(BackupPlans plans) {
    this.plans = plans;
  }

  @Override
  public String name() {
    return "ListBackupPlans";
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public String uri() {
    return "/backup/plans/";
  }

  @Override
  public Answer execute(Call call) {
    boolean deleted = "true".equalsIgnoreCase(call.query("includeDeleted"));
    ObjectNode out = Shapes.object();
    Paging.page(
        call, plans.list(deleted), BackupPlan::id, Plans::listMember, out, "BackupPlansList");
    return Answer.ok(out);
  }
}
