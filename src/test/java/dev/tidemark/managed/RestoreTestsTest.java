package dev.tidemark.managed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.api.ItemKeys;
import dev.tidemark.backup.BackupService;
import dev.tidemark.backup.ContentDigest;
import dev.tidemark.backup.store.MemoryObjectStore;
import dev.tidemark.changelog.ChangeRecord;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.WritePath;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Protects restore testing on a simulated clock: a daily restore testing plan over three weeks,
 * with restarts at every phase of its tests and a pass repeated after a crash, tests each selected
 * table exactly once per scheduled run, chooses the latest (or a random) point of its window,
 * validates the restored table against the recovery point's manifest (item count and content
 * checksum), honours the caller's PutRestoreValidationResult, records the restore time and always
 * deletes the throw-away table. Negative controls: a restored table whose content differs from the
 * manifest, and a recovery point whose data was corrupted in the store, both end FAILED.
 */
class RestoreTestsTest {
  static final long HOUR = 3_600_000L;
  static final long DAY = 24 * HOUR;
  static final long START = CoreFixture.START;
  static final String ROLE = "arn:aws:iam::000000000000:role/restore-test";

  @TempDir Path dir;
  CoreFixture fixture;
  AtomicLong clock;
  Database db;
  BackupService backups;
  ManagedBackups core;
  BackupPlans plans;
  RestoreTests tests;
  Table orders;

  @BeforeEach
  void open() throws Exception {
    fixture = new CoreFixture(dir.resolve("scratch"));
    clock = fixture.clock;
    db = fixture.db;
    backups = fixture.backups;
    orders = ManagedBackupsTest.table(db, "Orders", Map.of("restore-test", "yes"));
    ManagedBackupsTest.table(db, "Scratch", Map.of("restore-test", "no"));
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
    // Checks run on the worker's thread here, so each pass is deterministic.
    tests = new RestoreTests(core, Runnable::run);
    tests.load();
  }

  @AfterEach
  void close() {
    core.close();
    fixture.close();
  }

  void put(Table t, String pk, long v) {
    Map<String, AttributeValue> item = new LinkedHashMap<>();
    item.put("pk", AttributeValue.s(pk));
    item.put("v", AttributeValue.n(v));
    db.writePath()
        .commit(
            List.of(
                new WritePath.ItemWrite(
                    t,
                    ItemKeys.storageKey(t.definition().keySchema(), Map.of("pk", item.get("pk"))),
                    Map.of("pk", item.get("pk")),
                    current -> item)),
            ChangeRecord.Origin.USER);
  }

  /** A daily backup at 05:00 of both tables, kept 30 days. */
  void dailyBackups() {
    BackupPlan plan =
        plans.create(
            "daily",
            List.of(
                new BackupPlans.RuleInput(
                    "daily",
                    "Default",
                    "cron(0 5 ? * * *)",
                    null,
                    60L,
                    null,
                    new Lifecycle(null, 30),
                    Map.of(),
                    false,
                    List.of())),
            null);
    plans.createSelection(
        new BackupSelection(
            "new",
            plan.id(),
            "all",
            ROLE,
            List.of("arn:aws:dynamodb:*:*:table/Orders", "arn:aws:dynamodb:*:*:table/Scratch"),
            List.of(),
            List.of(),
            Map.of(),
            null,
            0));
  }

  RestoreTestingPlan.PointSelection latest(int days) {
    return new RestoreTestingPlan.PointSelection(
        RestoreTestingPlan.LATEST, List.of("*"), List.of(), List.of("SNAPSHOT"), days);
  }

  RestoreTestingSelection selectTagged(String plan, long validationHours) {
    return tests.createSelection(
        plan,
        "tagged",
        new RestoreTests.SelectionInput(
            "DynamoDB",
            ROLE,
            List.of("*"),
            Map.of("StringEquals", List.of(new BackupSelection.Tag("restore-test", "yes"))),
            Map.of(),
            validationHours),
        null);
  }

  /** Advances the clock to {@code to} hour by hour, running the worker and letting jobs finish. */
  void runUntil(long to) throws Exception {
    while (clock.get() < to) {
      clock.set(Math.min(to, clock.get() + HOUR));
      core.runOnce();
      settle();
    }
  }

  /** Waits for running backups and for running restores' tables to become ACTIVE. */
  void settle() throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline && busy()) {
      Thread.sleep(2);
    }
  }

  boolean busy() {
    if (!core.backupJobs(j -> j.state().equals("RUNNING")).isEmpty()) {
      return true;
    }
    for (RestoreJob j : core.restoreJobs(j -> j.status().equals("RUNNING"))) {
      var t = db.catalog().find(j.metadata().get("targetTableName"));
      if (t.isPresent() && t.get().status().equals("CREATING")) {
        return true;
      }
    }
    return false;
  }

  List<String> throwAwayTables() {
    return db.catalog().names().stream()
        .filter(n -> n.startsWith(RestoreTests.TABLE_PREFIX))
        .toList();
  }

  // Three weeks of a daily 07:00 restore test of the tagged table (LATEST, 2-hour validation
  // window) beside a RANDOM plan on the same table, restarted every 31 hours (so at every phase
  // of the tests), and a pass repeated after a crash: one test per plan and day, every one
  // validated against its manifest, every throw-away table deleted.
  @Test
  void aDailyRestoreTestingPlanTestsOncePerRunValidatesAndAlwaysDeletesItsTable() throws Exception {
    dailyBackups();
    RestoreTestingPlan daily =
        tests.createPlan(
            "daily_check",
            new RestoreTests.PlanInput("cron(0 7 ? * * *)", null, 2L, latest(7)),
            null,
            Map.of());
    selectTagged("daily_check", 2);
    RestoreTestingPlan random =
        tests.createPlan(
            "random_check",
            new RestoreTests.PlanInput(
                "cron(30 8 ? * * *)",
                null,
                null,
                new RestoreTestingPlan.PointSelection(
                    RestoreTestingPlan.RANDOM,
                    List.of(core.vaultArn("Default")),
                    List.of(),
                    List.of("SNAPSHOT"),
                    7)),
            null,
            Map.of());
    tests.createSelection(
        "random_check",
        "explicit",
        new RestoreTests.SelectionInput(
            "DynamoDB", ROLE, List.of(tableArn()), null, Map.of("EncryptionType", "Default"), 0L),
        null);
    long end = START + 21 * DAY;
    long restartEvery = 31 * HOUR;
    for (long t = START; t < end; t += restartEvery) {
      put(orders, "item-" + t, t);
      runUntil(Math.min(end, t + restartEvery));
      reopen();
    }
    List<RestoreTest> all = tests.tests();
    List<RestoreTest> dailyTests =
        all.stream().filter(x -> x.planArn().equals(daily.arn())).toList();
    List<RestoreTest> randomTests =
        all.stream().filter(x -> x.planArn().equals(random.arn())).toList();
    // The first 07:00 and 08:30 runs (Nov 19) find the first backup (Nov 19 05:00): 21 runs each.
    assertThat(dailyTests).hasSize(21);
    assertThat(randomTests).hasSize(21);
    assertThat(dailyTests.stream().map(RestoreTest::scheduledMillis).distinct()).hasSize(21);
    assertThat(all)
        .allSatisfy(
            x -> {
              assertThat(x.phase()).isEqualTo(RestoreTest.DONE);
              assertThat(x.validationStatus()).as(x.validationMessage()).isEqualTo("SUCCESSFUL");
              assertThat(x.validationMessage()).contains("checksum match");
              assertThat(x.deletionStatus()).isEqualTo("SUCCESSFUL");
              // Simulated time: a restore finished by a restart at the same instant took 0 ms.
              assertThat(x.rtoMillis()).isNotNull().isNotNegative();
              assertThat(x.resourceArn()).isEqualTo(tableArn());
              RestoreJob job = core.restoreJob(x.jobId());
              assertThat(job.status()).isEqualTo("COMPLETED");
              assertThat(job.createdResourceArn()).endsWith(":table/" + x.targetTable());
              assertThat(x.targetTable()).startsWith(RestoreTests.TABLE_PREFIX);
            });
    assertThat(throwAwayTables()).isEmpty();
    // LATEST restores the point made at 05:00 the same day; RANDOM one of the last 7 days'.
    for (RestoreTest x : dailyTests) {
      RestoreJob job = core.restoreJob(x.jobId());
      assertThat(x.scheduledMillis() - job.recoveryPointCreationMillis()).isBetween(0L, 2 * HOUR);
    }
    for (RestoreTest x : randomTests) {
      RestoreJob job = core.restoreJob(x.jobId());
      assertThat(x.scheduledMillis() - job.recoveryPointCreationMillis()).isBetween(0L, 7 * DAY);
      assertThat(x.metadata()).containsEntry("encryptionType", "Default");
    }
    assertThat(randomTests.stream().map(RestoreTest::recoveryPointArn).distinct().count())
        .as("a random choice, not always the latest")
        .isGreaterThan(1);
    // The restore jobs carry the plan and are listed by it.
    assertThat(core.restoreTest(dailyTests.get(0).jobId()).orElseThrow().planArn())
        .isEqualTo(daily.arn());
    assertThat(core.restoreJobs(j -> true)).hasSize(42);

    // A pass cut by a crash after its tests but before its cursor: repeating it adds nothing.
    RestoreTestingPlan now = tests.plan("daily_check");
    new MetaRecords<>(db.storage(), "restore-testing-plan", RestoreTestingPlan.class)
        .put(now.name(), now.ranTo(clock.get() - 3 * DAY, now.lastExecutionMillis()));
    reopen();
    core.runOnce();
    assertThat(tests.tests()).hasSize(42);
    assertThat(core.restoreJobs(j -> true)).hasSize(42);
  }

  void minute() throws Exception {
    clock.addAndGet(60_000);
    core.runOnce();
    settle();
  }

  String tableArn() {
    return db.tableArn("Orders");
  }

  /**
   * Runs the plan's first run (Nov 19 07:00) and stops when its restored table is ACTIVE, before
   * the restore job is COMPLETED and checked.
   */
  RestoreTest restoredButNotChecked(long validationHours) throws Exception {
    dailyBackups();
    put(orders, "a", 1);
    put(orders, "b", 2);
    tests.createPlan(
        "p",
        new RestoreTests.PlanInput("cron(0 7 ? * * *)", null, null, latest(1)),
        null,
        Map.of());
    selectTagged("p", validationHours);
    // Nov 19: the backup at 05:00, the restore test at 07:00 (the pass at 07:06:40).
    runUntil(START + DAY - 4 * HOUR);
    assertThat(tests.tests()).hasSize(1);
    RestoreTest t = tests.tests().get(0);
    assertThat(core.restoreJob(t.jobId()).status()).isEqualTo("RUNNING");
    assertThat(db.catalog().find(t.targetTable()).orElseThrow().status()).isEqualTo("ACTIVE");
    return t;
  }

  // Negative control: the restored table's content differs from what the manifest records (one
  // item's value changed, same count), so the checksum comparison fails the test; the table is
  // kept for its validation window for inspection, then deleted.
  @Test
  void aRestoredTableWhoseContentDiffersFromTheManifestFailsValidation() throws Exception {
    RestoreTest t = restoredButNotChecked(1);
    Table restored = db.catalog().find(t.targetTable()).orElseThrow();
    put(restored, "a", 99);
    minute();
    minute();
    RestoreTest failed = core.restoreTest(t.jobId()).orElseThrow();
    assertThat(failed.validationStatus()).isEqualTo("FAILED");
    assertThat(failed.validationMessage()).startsWith("Checksum mismatch");
    assertThat(failed.checksFailed()).isTrue();
    assertThat(throwAwayTables()).containsExactly(t.targetTable());
    // The caller cannot overrule the checks; other verdicts are taken.
    assertThatThrownBy(() -> tests.putValidationResult(t.jobId(), "SUCCESSFUL", "looks fine"))
        .isInstanceOf(DynamoException.class)
        .extracting(e -> ((DynamoException) e).error())
        .isEqualTo(WireError.INVALID_REQUEST);
    runUntil(clock.get() + 2 * HOUR);
    RestoreTest done = core.restoreTest(t.jobId()).orElseThrow();
    assertThat(done.validationStatus()).isEqualTo("FAILED");
    assertThat(done.deletionStatus()).isEqualTo("SUCCESSFUL");
    assertThat(throwAwayTables()).isEmpty();
  }

  // Negative control: a data object of the recovery point is corrupted in the store; the restore
  // detects it (authenticated encryption), leaves no table, and the test is FAILED.
  @Test
  void aCorruptedRecoveryPointFailsItsRestoreTest() throws Exception {
    dailyBackups();
    put(orders, "a", 1);
    tests.createPlan(
        "p",
        new RestoreTests.PlanInput("cron(0 7 ? * * *)", null, null, latest(1)),
        null,
        Map.of());
    selectTagged("p", 0);
    runUntil(START + DAY - 5 * HOUR);
    MemoryObjectStore store = (MemoryObjectStore) backups.repository().store();
    List<String> data = store.list("tables/" + orders.definition().tableId() + "/data/");
    assertThat(data).isNotEmpty();
    for (String name : data) {
      byte[] raw = store.rawBytes(name);
      raw[raw.length / 2] ^= 0x5A;
      store.tamper(name, raw);
    }
    runUntil(START + DAY);
    RestoreTest t = tests.tests().get(0);
    assertThat(t.phase()).isEqualTo(RestoreTest.DONE);
    assertThat(t.validationStatus()).isEqualTo("FAILED");
    assertThat(t.validationMessage()).startsWith("The restore failed");
    assertThat(core.restoreJob(t.jobId()).status()).isEqualTo("FAILED");
    assertThat(throwAwayTables()).isEmpty();
  }

  // The caller's verdict ends the test at once (the table is deleted without waiting for the end
  // of the window); VALIDATING keeps it, and a window closing after VALIDATING is TIMED_OUT.
  @Test
  void putRestoreValidationResultEndsTheTestOrTimesOut() throws Exception {
    RestoreTest t = restoredButNotChecked(24);
    minute();
    minute();
    RestoreTest waiting = core.restoreTest(t.jobId()).orElseThrow();
    assertThat(waiting.phase()).isEqualTo(RestoreTest.VALIDATING);
    assertThat(waiting.validationStatus()).isEqualTo("VALIDATING");
    assertThat(waiting.validationMessage()).contains("checksum match");
    tests.putValidationResult(t.jobId(), "VALIDATING", "app checks running");
    runUntil(clock.get() + 3 * HOUR);
    assertThat(throwAwayTables()).containsExactly(t.targetTable());
    assertThatThrownBy(() -> tests.putValidationResult(t.jobId(), "DONE", null))
        .isInstanceOf(DynamoException.class)
        .extracting(e -> ((DynamoException) e).error())
        .isEqualTo(WireError.INVALID_PARAMETER_VALUE);
    runUntil(clock.get() + 22 * HOUR);
    RestoreTest timedOut = core.restoreTest(t.jobId()).orElseThrow();
    assertThat(timedOut.validationStatus()).isEqualTo("TIMED_OUT");
    assertThat(timedOut.deletionStatus()).isEqualTo("SUCCESSFUL");
    assertThat(db.catalog().find(t.targetTable())).isEmpty();
    assertThatThrownBy(() -> tests.putValidationResult(t.jobId(), "FAILED", null))
        .isInstanceOf(DynamoException.class)
        .hasMessageContaining("validation window has closed")
        .extracting(e -> ((DynamoException) e).error())
        .isEqualTo(WireError.INVALID_REQUEST);

    // The next day's test (Nov 20 07:00) waits too: a final verdict deletes its table at once.
    minute();
    RestoreTest next =
        tests.tests().stream().filter(x -> !x.jobId().equals(t.jobId())).findFirst().orElseThrow();
    assertThat(next.phase()).isEqualTo(RestoreTest.VALIDATING);
    assertThat(throwAwayTables()).containsExactly(next.targetTable());
    tests.putValidationResult(next.jobId(), "FAILED", "the application found a missing order");
    assertThat(core.restoreTest(next.jobId()).orElseThrow().validationStatus()).isEqualTo("FAILED");
    core.runOnce();
    RestoreTest ended = core.restoreTest(next.jobId()).orElseThrow();
    assertThat(ended.phase()).isEqualTo(RestoreTest.DONE);
    assertThat(ended.validationMessage()).isEqualTo("the application found a missing order");
    assertThat(throwAwayTables()).isEmpty();
  }

  // A crash after a test's record was written but before its restore job was: the restart files
  // the job (the record's id is the one the scheduler derives, so the repeated pass adds nothing),
  // and the test runs to its end, its table deleted.
  @Test
  void aTestWrittenWithoutItsJobGetsItsJobAfterARestart() throws Exception {
    dailyBackups();
    put(orders, "a", 1);
    RestoreTestingPlan plan =
        tests.createPlan(
            "p",
            new RestoreTests.PlanInput("cron(0 7 ? * * *)", null, null, latest(1)),
            null,
            Map.of());
    selectTagged("p", 0);
    runUntil(START + DAY - 5 * HOUR);
    RecoveryPoint point = core.points(x -> true).get(0);
    long run = START + DAY - 4 * HOUR - 6 * 60_000L - 40_000L;
    String id =
        java.util
            .UUID
            .nameUUIDFromBytes(
                (plan.arn() + "|tagged|" + run + "|" + tableArn())
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8))
            .toString()
            .toUpperCase(java.util.Locale.ROOT);
    new MetaRecords<>(db.storage(), "restore-test", RestoreTest.class)
        .put(
            id,
            new RestoreTest(
                id,
                "p",
                plan.arn(),
                "tagged",
                run,
                tableArn(),
                point.arn(),
                ROLE,
                Map.of("targetTableName", RestoreTests.TABLE_PREFIX + "crashed"),
                0,
                RestoreTest.RESTORING,
                null,
                null,
                false,
                null,
                null,
                null,
                null,
                null));
    clock.set(run + 60_000);
    reopen();
    runUntil(run + 3 * HOUR);
    assertThat(tests.tests()).hasSize(1);
    RestoreTest t = tests.tests().get(0);
    assertThat(t.jobId()).isEqualTo(id);
    assertThat(t.phase()).isEqualTo(RestoreTest.DONE);
    assertThat(t.validationStatus()).isEqualTo("SUCCESSFUL");
    assertThat(t.deletionStatus()).isEqualTo("SUCCESSFUL");
    assertThat(core.restoreJobs(j -> true)).hasSize(1);
    assertThat(throwAwayTables()).isEmpty();
  }

  // Plans and selections refuse what AWS refuses, and the digest is in the manifest of points.
  @Test
  void plansAndSelectionsAreValidatedAsAwsValidatesThem() throws Exception {
    RestoreTests.PlanInput ok = new RestoreTests.PlanInput(null, null, null, latest(30));
    assertThatThrownBy(() -> tests.createPlan("bad-name", ok, null, Map.of()))
        .extracting(e -> ((DynamoException) e).error())
        .isEqualTo(WireError.INVALID_PARAMETER_VALUE);
    assertThatThrownBy(
            () ->
                tests.createPlan(
                    "p", new RestoreTests.PlanInput(null, null, 169L, latest(30)), null, Map.of()))
        .hasMessageContaining("StartWindowHours");
    assertThatThrownBy(
            () ->
                tests.createPlan(
                    "p", new RestoreTests.PlanInput(null, null, null, latest(366)), null, Map.of()))
        .hasMessageContaining("SelectionWindowDays");
    RestoreTestingPlan p = tests.createPlan("p", ok, null, Map.of());
    assertThat(p.scheduleExpression()).isEqualTo("cron(0 5 ? * * *)");
    assertThat(p.startWindowHours()).isEqualTo(24);
    assertThat(p.arn())
        .matches("arn:aws:backup:us-east-1:000000000000:restore-testing-plan:p-.{36}");
    assertThatThrownBy(() -> tests.createPlan("p", ok, null, Map.of()))
        .extracting(e -> ((DynamoException) e).error())
        .isEqualTo(WireError.ALREADY_EXISTS);
    assertThatThrownBy(
            () ->
                tests.createSelection(
                    "p",
                    "s",
                    new RestoreTests.SelectionInput(
                        "DynamoDB", ROLE, List.of("*", tableArn()), null, null, null),
                    null))
        .hasMessageContaining("not both");
    assertThatThrownBy(
            () ->
                tests.createSelection(
                    "p",
                    "s",
                    new RestoreTests.SelectionInput(
                        "DynamoDB", ROLE, List.of("*"), null, Map.of("targetTableName", "x"), null),
                    null))
        .hasMessageContaining("cannot be overridden");
    assertThatThrownBy(
            () ->
                tests.createSelection(
                    "p",
                    "s",
                    new RestoreTests.SelectionInput("EBS", ROLE, List.of("*"), null, null, null),
                    null))
        .extracting(e -> ((DynamoException) e).error())
        .isEqualTo(WireError.INVALID_PARAMETER_VALUE);
    selectTagged("p", 0);
    assertThatThrownBy(() -> tests.deletePlan("p"))
        .extracting(e -> ((DynamoException) e).error())
        .isEqualTo(WireError.INVALID_REQUEST);
    tests.deleteSelection("p", "tagged");
    tests.deletePlan("p");
    assertThatThrownBy(() -> tests.plan("p"))
        .extracting(e -> ((DynamoException) e).error())
        .isEqualTo(WireError.RESOURCE_NOT_FOUND);

    // A recovery point's manifest records the digest of its items.
    put(orders, "a", 1);
    BackupJob job =
        core.startBackupJob(
            new ManagedBackups.BackupRequest(
                "Default", tableArn(), ROLE, null, 60L, null, Lifecycle.NONE, Map.of()));
    core.runOnce();
    settle();
    RecoveryPoint rp = core.point(core.backupJob(job.id()).recoveryPointArn());
    ContentDigest d = ContentDigest.fromSchema(backups.find(rp.backupArn()).orElseThrow().schema());
    assertThat(d).isNotNull();
    assertThat(d.itemCount()).isEqualTo(1);
    assertThat(d.algorithm()).isEqualTo(ContentDigest.ALGORITHM);
  }
}
