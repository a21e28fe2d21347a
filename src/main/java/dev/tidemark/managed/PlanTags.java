package dev.tidemark.managed;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The tags of backup plans (the {@code BackupPlanTags} of CreateBackupPlan, then TagResource and
 * UntagResource on the plan's ARN), one synced record per plan. Kept beside the plans rather than
 * in their records, which hold every version and the scheduler's cursors and are rewritten on each
 * run. A plan's tags are refused once the plan is deleted, and stay with its record otherwise.
 */
public final class PlanTags {
  /** One plan's tags. */
  public record Entry(String planId, Map<String, String> tags) {
    public Entry {
      Objects.requireNonNull(planId);
      tags = tags == null ? Map.of() : Map.copyOf(tags);
    }
  }

  private final ManagedBackups core;
  private final BackupPlans plans;
  private final MetaRecords<Entry> records;
  private final Map<String, Map<String, String>> byPlan = new HashMap<>();

  public PlanTags(ManagedBackups core, BackupPlans plans) {
    this.core = core;
    this.plans = plans;
    this.records = new MetaRecords<>(core.db().storage(), "tags-plan", Entry.class);
    synchronized (core) {
      records.all().forEach(e -> byPlan.put(e.planId(), e.tags()));
    }
  }

  /** Whether the ARN names a backup plan of this server (then its tags are kept here). */
  public boolean isPlanArn(String arn) {
    return arn != null && arn.startsWith(plans.planArn(""));
  }

  /**
   * The tags a plan was created with; a retried CreateBackupPlan that returned an existing plan
   * (same CreatorRequestId) leaves that plan's tags as they are.
   */
  public void created(BackupPlan p, Map<String, String> tags) {
    synchronized (core) {
      if (!byPlan.containsKey(p.id())) {
        put(p.id(), tags);
      }
    }
  }

  public Map<String, String> tags(String planArn) {
    synchronized (core) {
      return Map.copyOf(byPlan.getOrDefault(live(planArn).id(), Map.of()));
    }
  }

  public void tag(String planArn, Map<String, String> add, List<String> remove) {
    synchronized (core) {
      BackupPlan p = live(planArn);
      Map<String, String> t = new TreeMap<>(byPlan.getOrDefault(p.id(), Map.of()));
      t.putAll(add);
      remove.forEach(t::remove);
      put(p.id(), t);
    }
  }

  private BackupPlan live(String planArn) {
    String id = planArn.substring(plans.planArn("").length());
    BackupPlan p;
    try {
      p = plans.get(id);
    } catch (dev.tidemark.errors.DynamoException e) {
      p = null;
    }
    if (p == null || p.deletionMillis() != null) {
      throw ManagedBackups.notFound("Resource " + planArn + " does not exist.");
    }
    return p;
  }

  private void put(String planId, Map<String, String> tags) {
    records.put(planId, new Entry(planId, tags));
    byPlan.put(planId, Map.copyOf(tags));
  }
}
