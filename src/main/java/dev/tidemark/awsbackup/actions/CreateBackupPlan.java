package dev.tidemark.awsbackup.actions;

import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.Plans;
import dev.tidemark.managed.BackupPlan;
import dev.tidemark.managed.BackupPlans;
import dev.tidemark.managed.PlanTags;

/**
 * CreateBackupPlan: rules validated with AWS's rules and wording; a CreatorRequestId that matches a
 * plan returns that plan.
 */
public final class CreateBackupPlan implements BackupAction {
  private final BackupPlans plans;
  private final PlanTags tags;

  /**
   * @param tags where the plan's BackupPlanTags are kept (null only where no plan is ever created)
   */
  public CreateBackupPlan(BackupPlans plans, PlanTags tags) {
    this.plans = plans;
    this.tags = tags;
  }

  @Override
  public String name() {
    return "CreateBackupPlan";
  }

  @Override
  public String method() {
    return "PUT";
  }

  @Override
  public String uri() {
    return "/backup/plans/";
  }

  @Override
  public Answer execute(Call call) {
    BackupPlan p =
        plans.create(Plans.name(call), Plans.rules(call), call.string("CreatorRequestId"));
    tags.created(p, call.map("BackupPlanTags"));
    return Answer.ok(Plans.created(p));
  }
}
