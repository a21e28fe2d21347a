package dev.tidemark.awsbackup.actions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.awsbackup.Answer;
import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.Call;
import dev.tidemark.awsbackup.Plans;
import dev.tidemark.awsbackup.Shapes;
import dev.tidemark.managed.BackupPlan;
import dev.tidemark.managed.BackupPlans;
import java.util.Map;

/**
 * GetBackupPlan, of a version by versionId, with the next MaxScheduledRunsPreview (0 to 10) runs.
 */
public final class GetBackupPlan implements BackupAction {
  private final BackupPlans plans;

  public GetBackupPlan(BackupPlans plans) {
    this.plans = plans;
  }

  @Override
  public String name() {
    return "GetBackupPlan";
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public String uri() {
    return "/backup/plans/{backupPlanId}/";
  }

  @Override
  public Answer execute(Call call) {
    BackupPlan p = plans.get(call.required("BackupPlanId"));
    BackupPlan.Version v = plans.version(p, call.query("versionId"));
    int runs = call.queryInt("MaxScheduledRunsPreview", "maxScheduledRunsPreview", 0, 10, 0);
    ObjectNode out = Plans.listMember(p);
    out.remove("BackupPlanName");
    out.put("VersionId", v.versionId());
    ObjectNode plan = out.putObject("BackupPlan");
    plan.put("BackupPlanName", v.name());
    v.rules().forEach(r -> plan.withArray("Rules").add(Plans.rule(r)));
    if (runs > 0) {
      var list = out.putArray("ScheduledRunsPreview");
      for (Map.Entry<Long, String> run : plans.preview(p, runs)) {
        list.addObject()
            .put("ExecutionTime", Shapes.seconds(run.getKey()))
            .put("RuleId", run.getValue())
            .put("RuleExecutionType", "SNAPSHOTS");
      }
    }
    return Answer.ok(out);
  }
}
