package dev.tidemark.managed;

import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.Table;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backup plans, their versions and selections, and the scheduler that turns each rule's cron into
 * backup jobs. Everything runs under the {@link ManagedBackups} monitor (one lock for the whole
 * core, so the scheduler and the API never take two locks in opposite orders).
 *
 * <p>The scheduler keeps, per rule, the last scheduled run it dealt with (in the plan's record). On
 * each pass it walks every run after that one up to now: a run whose start window is still open
 * becomes CREATED jobs for the tables its selections pick at that moment, one whose window has
 * closed (the server was down) becomes EXPIRED jobs, and the cursor moves on. Job ids derive from
 * plan, rule, run time and table, so a pass cut by a crash and repeated adds no job twice; the
 * cursor is written after the jobs, so no run is lost.
 */
public final class BackupPlans {
  private static final Logger LOG = LoggerFactory.getLogger(BackupPlans.class);
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9\\-_.]{1,50}");
  private static final Pattern COPY_DESTINATION =
      Pattern.compile("arn:aws:backup:[a-z0-9-]+:\\d{12}:backup-vault:[a-zA-Z0-9\\-_]{2,50}");

  /** At most this many missed runs of one rule are recorded as EXPIRED after a long outage. */
  static final int MAX_MISSED_RUNS = 100;

  private final ManagedBackups core;
  private final MetaRecords<BackupPlan> planRecords;
  private final MetaRecords<BackupSelection> selectionRecords;
  private final Map<String, BackupPlan> plans = new LinkedHashMap<>();
  private final Map<String, BackupSelection> selections = new LinkedHashMap<>();

  public BackupPlans(ManagedBackups core) {
    this.core = core;
    this.planRecords = new MetaRecords<>(core.db().storage(), "plan", BackupPlan.class);
    this.selectionRecords =
        new MetaRecords<>(core.db().storage(), "selection", BackupSelection.class);
    core.addScheduler(this::schedule);
  }

  public void load() {
    synchronized (core) {
      List<BackupPlan> all = new ArrayList<>(planRecords.all());
      all.sort(Comparator.comparingLong(BackupPlan::creationMillis));
      all.forEach(p -> plans.put(p.id(), p));
      List<BackupSelection> sel = new ArrayList<>(selectionRecords.all());
      sel.sort(Comparator.comparingLong(BackupSelection::creationMillis));
      sel.forEach(s -> selections.put(s.id(), s));
    }
  }

  /** A rule as the request gives it, before ids and defaults. */
  public record RuleInput(
      String ruleName,
      String targetVaultName,
      String scheduleExpression,
      String timezone,
      Long startWindowMinutes,
      Long completionWindowMinutes,
      Lifecycle lifecycle,
      Map<String, String> recoveryPointTags,
      boolean continuous,
      List<CopyAction> copyActions) {}

  public String planArn(String id) {
    return core.arnPrefix() + "backup-plan:" + id;
  }

  public BackupPlan create(String name, List<RuleInput> rules, String creatorRequestId) {
    synchronized (core) {
      if (creatorRequestId != null) {
        for (BackupPlan p : plans.values()) {
          if (creatorRequestId.equals(p.creatorRequestId()) && p.deletionMillis() == null) {
            return p;
          }
        }
      }
      long now = core.now();
      BackupPlan.Version v = version(name, rules, now);
      String id = UUID.randomUUID().toString();
      BackupPlan p =
          new BackupPlan(
              id, planArn(id), creatorRequestId, now, null, null, List.of(v), cursors(v, now));
      put(p);
      return p;
    }
  }

  public BackupPlan update(String id, String name, List<RuleInput> rules) {
    synchronized (core) {
      BackupPlan p = live(id);
      long now = core.now();
      BackupPlan.Version v = version(name, rules, now);
      // Runs due under the old version are dealt with first; the new rules start from now.
      schedule(now);
      p = plans.get(id);
      List<BackupPlan.Version> versions = new ArrayList<>(p.versions());
      versions.add(v);
      BackupPlan updated = p.with(null, p.lastExecutionMillis(), versions, cursors(v, now));
      put(updated);
      return updated;
    }
  }

  public BackupPlan delete(String id) {
    synchronized (core) {
      BackupPlan p = live(id);
      if (selections.values().stream().anyMatch(s -> s.planId().equals(id))) {
        throw new DynamoException(
            WireError.INVALID_REQUEST,
            "Related backup plan selections must be deleted prior to backup plan deletion");
      }
      BackupPlan deleted = p.with(core.now(), p.lastExecutionMillis(), p.versions(), p.cursors());
      put(deleted);
      return deleted;
    }
  }

  /** The plan, deleted ones included (GetBackupPlan shows their DeletionDate). */
  public BackupPlan get(String id) {
    synchronized (core) {
      BackupPlan p = id == null ? null : plans.get(id);
      if (p == null) {
        throw ManagedBackups.notFound("Failed reading Backup plan with provided version");
      }
      return p;
    }
  }

  public BackupPlan.Version version(BackupPlan p, String versionId) {
    if (versionId == null) {
      return p.current();
    }
    return p.versions().stream()
        .filter(v -> v.versionId().equals(versionId))
        .findFirst()
        .orElseThrow(
            () -> ManagedBackups.notFound("Failed reading Backup plan with provided version"));
  }

  public List<BackupPlan> list(boolean includeDeleted) {
    synchronized (core) {
      return plans.values().stream()
          .filter(p -> includeDeleted || p.deletionMillis() == null)
          .toList();
    }
  }

  /** The next {@code count} scheduled runs of the plan's current rules, soonest first. */
  public List<Map.Entry<Long, String>> preview(BackupPlan p, int count) {
    List<Map.Entry<Long, String>> out = new ArrayList<>();
    long now = core.now();
    for (BackupRule r : p.current().rules()) {
      Cron cron = Cron.parse(r.scheduleExpression());
      ZoneId zone = ZoneId.of(r.timezone());
      Long t = now;
      for (int i = 0; i < count; i++) {
        t = cron.next(t, zone);
        if (t == null) {
          break;
        }
        out.add(Map.entry(t, r.ruleId()));
      }
    }
    out.sort(Map.Entry.comparingByKey());
    return out.subList(0, Math.min(count, out.size()));
  }

  // ---- selections ----

  public BackupSelection createSelection(BackupSelection s) {
    synchronized (core) {
      live(s.planId());
      if (s.name() == null || !NAME.matcher(s.name()).matches()) {
        throw invalid("Invalid selection name: " + s.name());
      }
      for (String c : s.conditions().keySet()) {
        if (!Set.of("StringEquals", "StringNotEquals", "StringLike", "StringNotLike").contains(c)) {
          throw invalid("Invalid condition operator: " + c);
        }
      }
      if (s.creatorRequestId() != null) {
        for (BackupSelection e : selections.values()) {
          if (s.creatorRequestId().equals(e.creatorRequestId()) && e.planId().equals(s.planId())) {
            return e;
          }
        }
      }
      BackupSelection created =
          new BackupSelection(
              UUID.randomUUID().toString(),
              s.planId(),
              s.name(),
              s.iamRoleArn(),
              s.resources(),
              s.notResources(),
              s.listOfTags(),
              s.conditions(),
              s.creatorRequestId(),
              core.now());
      selectionRecords.put(created.id(), created);
      selections.put(created.id(), created);
      return created;
    }
  }

  public BackupSelection selection(String planId, String selectionId) {
    synchronized (core) {
      get(planId);
      BackupSelection s = selectionId == null ? null : selections.get(selectionId);
      if (s == null || !s.planId().equals(planId)) {
        throw ManagedBackups.notFound("Backup selection " + selectionId + " does not exist.");
      }
      return s;
    }
  }

  public List<BackupSelection> selections(String planId) {
    synchronized (core) {
      get(planId);
      return selections.values().stream().filter(s -> s.planId().equals(planId)).toList();
    }
  }

  public void deleteSelection(String planId, String selectionId) {
    synchronized (core) {
      selection(planId, selectionId);
      selections.remove(selectionId);
      selectionRecords.delete(selectionId);
    }
  }

  // ---- the scheduler ----

  /** One pass: every run due up to {@code now} of every live plan. Called by the core's worker. */
  void schedule(long now) {
    for (BackupPlan p : List.copyOf(plans.values())) {
      if (p.deletionMillis() == null) {
        schedulePlan(p, now);
      }
    }
  }

  private void schedulePlan(BackupPlan p, long now) {
    BackupPlan.Version v = p.current();
    Map<String, Long> cursors = new HashMap<>(p.cursors());
    Long lastExecution = p.lastExecutionMillis();
    boolean moved = false;
    for (BackupRule r : v.rules()) {
      Cron cron = Cron.parse(r.scheduleExpression());
      ZoneId zone = ZoneId.of(r.timezone());
      long cursor = cursors.getOrDefault(r.ruleId(), p.creationMillis());
      List<Long> due = new ArrayList<>();
      for (Long t = cron.next(cursor, zone); t != null && t <= now; t = cron.next(t, zone)) {
        due.add(t);
        if (due.size() > MAX_MISSED_RUNS) {
          due.remove(0);
        }
        cursor = t;
      }
      if (due.isEmpty()) {
        continue;
      }
      CreatedBy by =
          new CreatedBy(
              p.id(),
              p.arn(),
              v.name(),
              v.versionId(),
              r.ruleId(),
              r.ruleName(),
              r.scheduleExpression(),
              r.timezone());
      for (long t : due) {
        boolean open = now < t + r.startWindowMinutes() * 60_000L;
        for (Map.Entry<String, String> table : selected(p.id()).entrySet()) {
          String id =
              UUID.nameUUIDFromBytes(
                      (p.id() + "|" + r.ruleId() + "|" + t + "|" + table.getKey())
                          .getBytes(StandardCharsets.UTF_8))
                  .toString()
                  .toUpperCase(Locale.ROOT);
          BackupJob job =
              new BackupJob(
                  id,
                  r.targetVaultName(),
                  table.getKey(),
                  table.getValue(),
                  selectionRole(p.id(), table.getKey(), tagsOf(table.getValue())),
                  null,
                  open ? BackupJob.CREATED : BackupJob.EXPIRED,
                  open ? null : "The backup job did not start within its start window.",
                  now,
                  t + r.startWindowMinutes() * 60_000L,
                  t + r.completionWindowMinutes() * 60_000L,
                  null,
                  open ? null : now,
                  core.newPointArn(),
                  r.lifecycle(),
                  r.recoveryPointTags(),
                  0,
                  by);
          core.addScheduledJob(job);
        }
        if (open) {
          lastExecution = t;
        } else {
          LOG.warn(
              "Backup plan {} rule {}: the run of {} was missed while the server was down and its"
                  + " start window has closed; its jobs are EXPIRED",
              p.id(),
              r.ruleName(),
              java.time.Instant.ofEpochMilli(t));
        }
      }
      cursors.put(r.ruleId(), cursor);
      moved = true;
    }
    if (moved) {
      put(p.with(p.deletionMillis(), lastExecution, p.versions(), cursors));
    }
  }

  /** The tables the plan's selections pick now, ARN to name. */
  private Map<String, String> selected(String planId) {
    Database db = core.db();
    Map<String, String> out = new LinkedHashMap<>();
    List<BackupSelection> mine =
        selections.values().stream().filter(s -> s.planId().equals(planId)).toList();
    if (mine.isEmpty()) {
      return out;
    }
    for (String name : db.catalog().names()) {
      Table t = db.catalog().find(name).filter(Table::isUsable).orElse(null);
      if (t == null) {
        continue;
      }
      String arn = db.tableArn(name);
      Map<String, String> tags = db.catalog().tags(t);
      if (mine.stream().anyMatch(s -> s.selects(arn, tags))) {
        out.put(arn, name);
      }
    }
    return out;
  }

  /** The role of the first of the plan's selections that picks the table. */
  private String selectionRole(String planId, String arn, Map<String, String> tags) {
    for (BackupSelection s : selections.values()) {
      if (s.planId().equals(planId) && s.selects(arn, tags)) {
        return s.iamRoleArn();
      }
    }
    return null;
  }

  private Map<String, String> tagsOf(String tableName) {
    Database db = core.db();
    return db.catalog().find(tableName).map(t -> db.catalog().tags(t)).orElse(Map.of());
  }

  // ---- helpers ----

  private BackupPlan live(String id) {
    BackupPlan p = get(id);
    if (p.deletionMillis() != null) {
      throw ManagedBackups.notFound("Failed reading Backup plan with provided version");
    }
    return p;
  }

  private BackupPlan.Version version(String name, List<RuleInput> inputs, long now) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw invalid("Invalid backup plan name: " + name);
    }
    if (inputs.isEmpty()) {
      throw invalid("A backup plan must have at least one rule.");
    }
    List<BackupRule> rules = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (RuleInput in : inputs) {
      rules.add(rule(in));
      if (!names.add(in.ruleName())) {
        throw invalid("Rule names must be unique within a backup plan: " + in.ruleName());
      }
    }
    String versionId =
        Base64.getEncoder()
            .encodeToString(UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
    return new BackupPlan.Version(versionId, name, rules, now);
  }

  private BackupRule rule(RuleInput in) {
    String name = in.ruleName();
    if (name == null || !NAME.matcher(name).matches()) {
      throw invalid("Invalid rule name: " + name);
    }
    try {
      if (in.targetVaultName() == null || !Vault.NAME.matcher(in.targetVaultName()).matches()) {
        throw invalid("Invalid backup vault name: " + in.targetVaultName());
      }
      if (in.continuous()) {
        throw invalid(
            "Continuous backup is not available for DynamoDB: use the table's point-in-time"
                + " recovery");
      }
      List<CopyAction> copies = in.copyActions() == null ? List.of() : in.copyActions();
      for (CopyAction c : copies) {
        if (!COPY_DESTINATION.matcher(c.destinationBackupVaultArn()).matches()) {
          throw invalid("Invalid DestinationBackupVaultArn: " + c.destinationBackupVaultArn());
        }
      }
      String schedule =
          in.scheduleExpression() == null ? BackupRule.DEFAULT_SCHEDULE : in.scheduleExpression();
      if (Cron.parse(schedule).moreThanHourly()) {
        throw invalid("The backup frequency must be at least one hour: " + schedule);
      }
      String zone = in.timezone() == null ? BackupRule.DEFAULT_TIMEZONE : in.timezone();
      try {
        ZoneId.of(zone);
      } catch (DateTimeException e) {
        throw invalid("Invalid ScheduleExpressionTimezone: " + zone);
      }
      long start =
          in.startWindowMinutes() == null
              ? ManagedBackups.DEFAULT_START_WINDOW_MINUTES
              : in.startWindowMinutes();
      if (start < ManagedBackups.MIN_START_WINDOW_MINUTES) {
        throw invalid(
            "StartWindowMinutes must be at least "
                + ManagedBackups.MIN_START_WINDOW_MINUTES
                + " minutes.");
      }
      long completion =
          in.completionWindowMinutes() == null
              ? BackupRule.DEFAULT_COMPLETION_WINDOW_MINUTES
              : in.completionWindowMinutes();
      return new BackupRule(
          name,
          UUID.randomUUID().toString(),
          in.targetVaultName(),
          schedule,
          zone,
          start,
          completion,
          in.lifecycle(),
          in.recoveryPointTags(),
          copies);
    } catch (DynamoException e) {
      // As AWS words rule errors: "Error in rule Yearly-Backups : Invalid lifecycle. ..."
      throw new DynamoException(e.error(), "Error in rule " + name + " : " + e.getMessage());
    }
  }

  private Map<String, Long> cursors(BackupPlan.Version v, long now) {
    Map<String, Long> c = new HashMap<>();
    v.rules().forEach(r -> c.put(r.ruleId(), now));
    return c;
  }

  private void put(BackupPlan p) {
    planRecords.put(p.id(), p);
    plans.put(p.id(), p);
  }

  private static DynamoException invalid(String message) {
    return new DynamoException(WireError.INVALID_PARAMETER_VALUE, message);
  }
}
