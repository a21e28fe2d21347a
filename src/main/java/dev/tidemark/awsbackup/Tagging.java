package dev.tidemark.awsbackup;

import dev.tidemark.managed.ManagedBackups;
import dev.tidemark.managed.PlanTags;
import java.util.List;
import java.util.Map;

/**
 * The resources the tag operations reach, by ARN: backup plans (their tags are kept by {@link
 * PlanTags}), and vaults and recovery points (kept in their own records by the core).
 */
public final class Tagging {
  private final ManagedBackups core;
  private final PlanTags plans;

  /**
   * @param plans the plans' tags, or null on a server without plans (then plan ARNs are not found)
   */
  public Tagging(ManagedBackups core, PlanTags plans) {
    this.core = core;
    this.plans = plans;
  }

  /** The plans' tags, or null on a server without plans. */
  public PlanTags planTags() {
    return plans;
  }

  public Map<String, String> tags(String arn) {
    return plans != null && plans.isPlanArn(arn) ? plans.tags(arn) : core.tags(arn);
  }

  public void tag(String arn, Map<String, String> add, List<String> remove) {
    if (plans != null && plans.isPlanArn(arn)) {
      plans.tag(arn, add, remove);
    } else {
      core.tag(arn, add, remove);
    }
  }
}
