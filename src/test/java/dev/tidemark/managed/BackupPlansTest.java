package dev.tidemark.managed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.backup.BackupService;
import dev.tidemark.tables.Database;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Protects the scheduler's promises on a simulated clock across months, with the worker's passes
 * run by the test: a daily plan kept 30 days backs up exactly the tables its selection picks at
 * each run (tags, Conditions, NotResources, a table created later), once per day, across restarts
 * and a pass repeated after a crash; a run missed while the server was down starts if its window is
 * still open and is EXPIRED otherwise; plans refuse rules as AWS does; versions and deletion; and
 * AWS cron (L, W, #, time zones and daylight saving).
 */
class BackupPlansTest {
  static final long HOUR = 3_600_000L;
  static final long DAY = 24 * HOUR;

  /** The daily runs are at 05:00 UTC. */
  static final long START = CoreFixture.START;

  @TempDir Path dir;
  CoreFixture fixture;
  AtomicLong clock;
  Database db;
  BackupService backups;
  ManagedBackups core;
  BackupPlans plans;

  @BeforeEach
  void open() throws Exception {
    fixture = new CoreFixture(dir.resolve("scratch"));
    clock = fixture.clock;
    db = fixture.db;
    backups = fixture.backups;
    reopen();
  }

  /** A restart of the core over the same data directory and store. */
  void reopen() {
    if (core != null) {
      core.close();
    }
    core = new ManagedBackups(db, backups, clock::get);
    core.load();
    plans = new BackupPlans(core);
    plans.load();
  }

  @AfterEach
  void close() {
    core.close();
    fixture.close();
  }

  static BackupPlans.RuleInput daily(long windowMinutes, Integer deleteAfterDays) {
    return new BackupPlans.RuleInput(
        "daily",
        "Default",
        "cron(0 5 ? * * *)",
        null,
        windowMinutes,
        null,
        new Lifecycle(null, deleteAfterDays),
        Map.of("made-by", "plan"),
        false,
        List.of());
  }

  BackupSelection select(String planId, BackupSelection.Tag tag, List<String> not) {
    return plans.createSelection(
        new BackupSelection(
            "new",
            planId,
            "prod-tables",
            "arn:aws:iam::000000000000:role/backup",
            List.of(),
            not,
            List.of(tag),
            Map.of("StringLike", List.of(new BackupSelection.Tag("aws:ResourceTag/env", "prod*"))),
            null,
            0));
  }

  /**
   * Advances the clock to {@code to} hour by hour, running the worker and finishing its backups.
   */
  void runUntil(long to) throws Exception {
    while (clock.get() < to) {
      clock.set(Math.min(to, clock.get() + HOUR));
      core.runOnce();
      settle();
    }
  }

  void settle() throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    while (core.backupJobs(j -> !j.isFinished() && !j.state().equals("CREATED")).size() > 0
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(2);
    }
  }

  List<BackupJob> jobs(String state) {
    return core.backupJobs(j -> j.state().equals(state));
  }

  // Sixty days of a daily plan kept 30 days, a restart every ten days and a crash-repeated pass.
  @Test
  void aDailyPlanRunsOncePerDayOnWhatItsSelectionPicksAndKeepsThirtyDays() throws Exception {
    ManagedBackupsTest.table(db, "Orders", Map.of("backup", "daily", "env", "prod"));
    ManagedBackupsTest.table(db, "Scratch", Map.of("backup", "daily", "env", "prod"));
    ManagedBackupsTest.table(db, "Staging", Map.of("backup", "daily", "env", "staging"));
    ManagedBackupsTest.table(db, "Logs", Map.of());
    BackupPlan plan = plans.create("prod", List.of(daily(60, 30)), null);
    select(
        plan.id(),
        new BackupSelection.Tag("backup", "daily"),
        List.of("arn:aws:dynamodb:*:*:table/Scr*"));
    for (int block = 0; block < 6; block++) {
      runUntil(START + (block + 1) * 10 * DAY);
      reopen();
      if (block == 2) {
        ManagedBackupsTest.table(db, "Invoices", Map.of("backup", "daily", "env", "production"));
      }
    }
    List<BackupJob> done = jobs("COMPLETED");
    // From Nov 19 05:00 to Jan 17 05:00: 60 runs of Orders, and Invoices from day 30 on.
    long orders = done.stream().filter(j -> j.resourceName().equals("Orders")).count();
    long invoices = done.stream().filter(j -> j.resourceName().equals("Invoices")).count();
    assertThat(orders).isEqualTo(60);
    assertThat(invoices).isEqualTo(30);
    assertThat(core.backupJobs(j -> true)).hasSize(90);
    assertThat(done)
        .allSatisfy(
            j -> {
              assertThat(j.createdBy().backupPlanId()).isEqualTo(plan.id());
              ZonedDateTime at = Instant.ofEpochMilli(j.startByMillis()).atZone(ZoneId.of("UTC"));
              assertThat(at.getHour()).isEqualTo(6);
              assertThat(at.getMinute()).isZero();
            });
    // Kept 30 days: the janitor removed every older point, exactly once.
    List<RecoveryPoint> points = core.points(p -> true);
    assertThat(points.stream().filter(p -> p.resourceName().equals("Orders"))).hasSize(30);
    assertThat(backups.list().stream().filter(r -> r.type().equals("AWS_BACKUP")))
        .hasSize(points.size());
    assertThat(points)
        .allSatisfy(p -> assertThat(p.createdBy().backupRuleName()).isEqualTo("daily"));

    // A pass cut by a crash after its jobs but before its cursor: repeating it adds nothing.
    BackupPlan now = plans.get(plan.id());
    new MetaRecords<>(db.storage(), "plan", BackupPlan.class)
        .put(
            plan.id(),
            now.with(
                null,
                now.lastExecutionMillis(),
                now.versions(),
                Map.of(now.current().rules().get(0).ruleId(), clock.get() - 3 * DAY)));
    reopen();
    core.runOnce();
    assertThat(core.backupJobs(j -> true)).hasSize(90);
  }

  // The server is down across runs: one whose window is still open starts, older ones EXPIRE.
  @Test
  void runsMissedWhileDownStartIfTheirWindowIsOpenAndExpireOtherwise() throws Exception {
    ManagedBackupsTest.table(db, "Orders", Map.of("backup", "daily", "env", "prod"));
    BackupPlan plan = plans.create("prod", List.of(daily(120, null)), null);
    select(plan.id(), new BackupSelection.Tag("backup", "daily"), List.of());
    core.close();
    // Down from Nov 18 11:06 to Nov 22 06:30: runs of Nov 19, 20 and 21 are missed; Nov 22 05:00
    // is 90 minutes old, inside its 120-minute window.
    clock.set(ZonedDateTime.parse("2026-11-22T06:30:00Z").toInstant().toEpochMilli());
    reopen();
    core.runOnce();
    settle();
    assertThat(jobs("EXPIRED")).hasSize(3);
    assertThat(jobs("EXPIRED"))
        .allSatisfy(
            j ->
                assertThat(j.statusMessage())
                    .isEqualTo("The backup job did not start within its start window."));
    assertThat(jobs("COMPLETED")).hasSize(1);
    reopen();
    core.runOnce();
    assertThat(core.backupJobs(j -> true)).hasSize(4);
    assertThat(plans.get(plan.id()).lastExecutionMillis())
        .isEqualTo(ZonedDateTime.parse("2026-11-22T05:00:00Z").toInstant().toEpochMilli());
  }

  @Test
  void rulesAreRefusedAsAwsRefusesThem() {
    assertThatThrownBy(
            () ->
                plans.create(
                    "p",
                    List.of(
                        new BackupPlans.RuleInput(
                            "r1",
                            "Default",
                            "cron(0 5 * * * *)",
                            null,
                            null,
                            null,
                            null,
                            null,
                            false,
                            List.of())),
                    null))
        .hasMessage("Error in rule r1 : Invalid schedule expression: cron(0 5 * * * *)");
    assertThatThrownBy(() -> plans.create("p", List.of(daily(59, null)), null))
        .hasMessage("Error in rule daily : StartWindowMinutes must be at least 60 minutes.");
    assertThatThrownBy(() -> plans.create("p", List.of(daily(60, null), daily(60, null)), null))
        .hasMessage("Rule names must be unique within a backup plan: daily");
    BackupPlan p = plans.create("p", List.of(daily(60, null)), "req-1");
    assertThat(plans.create("p", List.of(daily(60, null)), "req-1").id()).isEqualTo(p.id());
    BackupPlan v2 = plans.update(p.id(), "p2", List.of(daily(120, null)));
    assertThat(v2.versions()).hasSize(2);
    assertThat(plans.version(v2, p.current().versionId()).name()).isEqualTo("p");
    BackupSelection s = select(p.id(), new BackupSelection.Tag("k", "v"), List.of());
    assertThatThrownBy(() -> plans.delete(p.id()))
        .hasMessage("Related backup plan selections must be deleted prior to backup plan deletion");
    plans.deleteSelection(p.id(), s.id());
    assertThat(plans.delete(p.id()).deletionMillis()).isNotNull();
    assertThat(plans.list(false)).isEmpty();
    assertThat(plans.list(true)).hasSize(1);
  }

  @Test
  void awsCronWithLastDaysWeekdaysNthDaysAndTimeZones() {
    ZoneId ny = ZoneId.of("America/New_York");
    // Monthly at 03:00 New York time on the last day of the month, for a year.
    Cron monthly = Cron.parse("cron(0 3 L * ? *)");
    List<String> runs = new ArrayList<>();
    Long t = START;
    for (int i = 0; i < 4; i++) {
      t = monthly.next(t, ny);
      runs.add(Instant.ofEpochMilli(t).atZone(ny).toString());
    }
    assertThat(runs)
        .containsExactly(
            "2026-11-30T03:00-05:00[America/New_York]",
            "2026-12-31T03:00-05:00[America/New_York]",
            "2027-01-31T03:00-05:00[America/New_York]",
            "2027-02-28T03:00-05:00[America/New_York]");
    ZoneId utc = ZoneId.of("UTC");
    // Second Tuesday of the month; the weekday nearest the 1st; the last Friday.
    assertThat(at(Cron.parse("cron(30 1 ? * TUE#2 *)").next(START, utc), utc))
        .isEqualTo("2026-12-08T01:30Z[UTC]");
    assertThat(at(Cron.parse("cron(0 0 1W * ? *)").next(START, utc), utc))
        .isEqualTo("2026-12-01T00:00Z[UTC]");
    assertThat(at(Cron.parse("cron(0 0 ? * 6L *)").next(START, utc), utc))
        .isEqualTo("2026-11-27T00:00Z[UTC]");
    // 02:30 does not exist on 2027-03-14 in New York: that day's run is right after the gap.
    Cron early = Cron.parse("cron(30 2 ? * SUN 2027)");
    long march13 =
        ZonedDateTime.parse("2027-03-13T00:00-05:00[America/New_York]").toInstant().toEpochMilli();
    assertThat(at(early.next(march13, ny), ny))
        .isEqualTo("2027-03-14T03:30-04:00[America/New_York]");
    assertThat(Cron.parse("cron(0/30 * ? * * *)").moreThanHourly()).isTrue();
    assertThatThrownBy(() -> Cron.parse("rate(1 day)"))
        .hasMessage("Invalid schedule expression: rate(1 day)");
  }

  static String at(long t, ZoneId zone) {
    return Instant.ofEpochMilli(t).atZone(zone).toString();
  }
}
