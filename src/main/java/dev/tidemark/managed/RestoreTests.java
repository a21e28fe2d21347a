package dev.tidemark.managed;

import dev.tidemark.backup.BackupRecord;
import dev.tidemark.backup.ContentDigest;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.storage.Cursor;
import dev.tidemark.storage.WriteSet;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.Table;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restore testing: plans, selections, and the tests they run. Everything runs under the {@link
 * ManagedBackups} monitor, like {@link BackupPlans}, except the comparison of a restored table with
 * its manifest, which reads the whole table and so runs on {@code checks}.
 *
 * <p>The scheduler keeps, per plan, the last scheduled run it dealt with. Each pass walks the runs
 * after it up to now; for each run and each resource a selection picks it chooses a recovery point
 * (the latest, or a random one, of the window), writes a {@link RestoreTest} and then files its
 * restore job with the core. Test and job ids derive from plan, selection, run and resource, so a
 * pass repeated after a crash adds nothing twice; the cursor is written last, so no run is lost. A
 * run whose start window closed while the server was down gets ABORTED jobs, so the history shows
 * it.
 *
 * <p>Each pass then moves every unfinished test on (see {@link RestoreTest} for the phases): a
 * completed restore is checked against the recovery point's manifest (its item count and, when the
 * manifest has one, its {@link ContentDigest}), waits its ValidationWindowHours for the caller's
 * result, and its table is deleted. Every step is recorded before the next, and a restart resumes
 * from the recorded phase, so the throw-away table is deleted however often the server stops.
 */
public final class RestoreTests implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RestoreTests.class);
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_]{1,50}");
  private static final long HOUR = 3_600_000L;
  private static final long DAY = 24 * HOUR;

  /** The prefix AWS gives restore tests' tables. */
  public static final String TABLE_PREFIX = "awsbackup-restore-test-";

  /** The restore metadata keys a selection may override (as AWS allows for DynamoDB). */
  static final Map<String, String> OVERRIDABLE =
      Map.of("encryptiontype", "encryptionType", "kmsmasterkeyarn", "kmsMasterKeyArn");

  private final ManagedBackups core;
  private final Executor checks;
  private final MetaRecords<RestoreTestingPlan> planRecords;
  private final MetaRecords<RestoreTestingSelection> selectionRecords;
  private final MetaRecords<RestoreTest> testRecords;
  private final Map<String, RestoreTestingPlan> plans = new TreeMap<>();
  private final Map<String, RestoreTestingSelection> selections = new TreeMap<>();
  private final Map<String, RestoreTest> tests = new LinkedHashMap<>();
  private final Set<String> checking = new HashSet<>();

  /** Restore testing with its own background thread for the checks of restored tables. */
  public RestoreTests(ManagedBackups core) {
    this(
        core,
        java.util.concurrent.Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "tidemark-restore-test-checks");
              t.setDaemon(true);
              return t;
            }));
  }

  /**
   * @param checks runs the comparisons of restored tables with their manifests (a background thread
   *     on a server; the caller's thread in tests)
   */
  public RestoreTests(ManagedBackups core, Executor checks) {
    this.core = core;
    this.checks = checks;
    this.planRecords =
        new MetaRecords<>(core.db().storage(), "restore-testing-plan", RestoreTestingPlan.class);
    this.selectionRecords =
        new MetaRecords<>(
            core.db().storage(), "restore-testing-selection", RestoreTestingSelection.class);
    this.testRecords = new MetaRecords<>(core.db().storage(), "restore-test", RestoreTest.class);
    core.attach(this);
    core.addScheduler(this::pass);
  }

  public void load() {
    synchronized (core) {
      planRecords.all().forEach(p -> plans.put(p.name(), p));
      selectionRecords.all().forEach(s -> selections.put(s.key(), s));
      List<RestoreTest> all = new ArrayList<>(testRecords.all());
      all.sort(Comparator.comparingLong(RestoreTest::scheduledMillis));
      all.forEach(t -> tests.put(t.jobId(), t));
    }
  }

  // ---- plans ----

  /** What a Create or Update of a plan gives; null members keep (or default) their value. */
  public record PlanInput(
      String scheduleExpression,
      String timezone,
      Long startWindowHours,
      RestoreTestingPlan.PointSelection pointSelection) {}

  public RestoreTestingPlan createPlan(
      String name, PlanInput in, String creatorRequestId, Map<String, String> tags) {
    synchronized (core) {
      if (name == null || !NAME.matcher(name).matches()) {
        throw invalid(
            "RestoreTestingPlanName must be 1 to 50 characters: letters, digits and underscores.");
      }
      if (in.pointSelection() == null) {
        throw missing("RestoreTestingPlan.RecoveryPointSelection");
      }
      RestoreTestingPlan existing = plans.get(name);
      if (existing != null) {
        throw alreadyExists(
            "Restore testing plan " + name + " already exists.",
            existing.creatorRequestId(),
            existing.arn());
      }
      long now = core.now();
      String schedule = schedule(in.scheduleExpression(), RestoreTestingPlan.DEFAULT_SCHEDULE);
      String zone = zone(in.timezone(), RestoreTestingPlan.DEFAULT_TIMEZONE);
      int window =
          startWindow(in.startWindowHours(), RestoreTestingPlan.DEFAULT_START_WINDOW_HOURS);
      RestoreTestingPlan p =
          new RestoreTestingPlan(
              name,
              core.arnPrefix()
                  + "restore-testing-plan:"
                  + name
                  + "-"
                  + UUID.randomUUID().toString(),
              schedule,
              zone,
              window,
              pointSelection(in.pointSelection()),
              creatorRequestId,
              tags,
              now,
              null,
              null,
              now);
      putPlan(p);
      return p;
    }
  }

  public RestoreTestingPlan plan(String name) {
    synchronized (core) {
      RestoreTestingPlan p = name == null ? null : plans.get(name);
      if (p == null) {
        throw ManagedBackups.notFound("Restore testing plan " + name + " does not exist.");
      }
      return p;
    }
  }

  public List<RestoreTestingPlan> plans() {
    synchronized (core) {
      return List.copyOf(plans.values());
    }
  }

  public RestoreTestingPlan updatePlan(String name, PlanInput in) {
    synchronized (core) {
      RestoreTestingPlan p = plan(name);
      long now = core.now();
      // Runs due under the old schedule are dealt with first; the new one counts from now.
      pass(now);
      p = plans.get(name);
      RestoreTestingPlan updated =
          p.updated(
              schedule(in.scheduleExpression(), p.scheduleExpression()),
              zone(in.timezone(), p.timezone()),
              startWindow(in.startWindowHours(), p.startWindowHours()),
              in.pointSelection() == null
                  ? p.pointSelection()
                  : pointSelection(in.pointSelection()),
              now);
      putPlan(updated.ranTo(Math.max(now, updated.cursorMillis()), updated.lastExecutionMillis()));
      return plans.get(name);
    }
  }

  /** Refused while the plan has selections, as on AWS; its tests already started run on. */
  public void deletePlan(String name) {
    synchronized (core) {
      plan(name);
      if (selections.values().stream().anyMatch(s -> s.planName().equals(name))) {
        throw new DynamoException(
            WireError.INVALID_REQUEST,
            "Restore testing plan "
                + name
                + " has restore testing selections; delete them before deleting the plan.");
      }
      plans.remove(name);
      planRecords.delete(name);
    }
  }

  // ---- selections ----

  /** What a Create or Update of a selection gives; null members keep their value. */
  public record SelectionInput(
      String resourceType,
      String iamRoleArn,
      List<String> resourceArns,
      Map<String, List<BackupSelection.Tag>> conditions,
      Map<String, String> metadataOverrides,
      Long validationWindowHours) {}

  public RestoreTestingSelection createSelection(
      String planName, String name, SelectionInput in, String creatorRequestId) {
    synchronized (core) {
      plan(planName);
      if (name == null || !NAME.matcher(name).matches()) {
        throw invalid(
            "RestoreTestingSelectionName must be 1 to 50 characters: letters, digits and"
                + " underscores.");
      }
      if (in.resourceType() == null || in.resourceType().isEmpty()) {
        throw missing("RestoreTestingSelection.ProtectedResourceType");
      }
      if (!"DynamoDB".equals(in.resourceType())) {
        throw invalid(
            "Invalid ProtectedResourceType: "
                + in.resourceType()
                + ". This server protects DynamoDB tables only.");
      }
      if (in.iamRoleArn() == null || in.iamRoleArn().isEmpty()) {
        throw missing("RestoreTestingSelection.IamRoleArn");
      }
      RestoreTestingSelection existing = selections.get(planName + "/" + name);
      if (existing != null) {
        throw alreadyExists(
            "Restore testing selection " + name + " already exists in plan " + planName + ".",
            existing.creatorRequestId(),
            plans.get(planName).arn());
      }
      RestoreTestingSelection s =
          checked(
              new RestoreTestingSelection(
                  planName,
                  name,
                  in.resourceType(),
                  in.iamRoleArn(),
                  in.resourceArns(),
                  in.conditions(),
                  overrides(in.metadataOverrides()),
                  validationWindow(in.validationWindowHours(), 0),
                  creatorRequestId,
                  core.now(),
                  null));
      putSelection(s);
      return s;
    }
  }

  public RestoreTestingSelection selection(String planName, String name) {
    synchronized (core) {
      plan(planName);
      RestoreTestingSelection s = name == null ? null : selections.get(planName + "/" + name);
      if (s == null) {
        throw ManagedBackups.notFound(
            "Restore testing selection " + name + " does not exist in plan " + planName + ".");
      }
      return s;
    }
  }

  public List<RestoreTestingSelection> selections(String planName) {
    synchronized (core) {
      plan(planName);
      return selections.values().stream().filter(s -> s.planName().equals(planName)).toList();
    }
  }

  public RestoreTestingSelection updateSelection(String planName, String name, SelectionInput in) {
    synchronized (core) {
      RestoreTestingSelection s = selection(planName, name);
      boolean arnsGiven = in.resourceArns() != null && !in.resourceArns().isEmpty();
      RestoreTestingSelection updated =
          checked(
              new RestoreTestingSelection(
                  planName,
                  name,
                  s.resourceType(),
                  in.iamRoleArn() == null ? s.iamRoleArn() : in.iamRoleArn(),
                  arnsGiven ? in.resourceArns() : s.resourceArns(),
                  in.conditions() == null ? s.conditions() : in.conditions(),
                  in.metadataOverrides() == null
                      ? s.metadataOverrides()
                      : overrides(in.metadataOverrides()),
                  validationWindow(in.validationWindowHours(), s.validationWindowHours()),
                  s.creatorRequestId(),
                  s.creationMillis(),
                  core.now()));
      putSelection(updated);
      return updated;
    }
  }

  public void deleteSelection(String planName, String name) {
    synchronized (core) {
      RestoreTestingSelection s = selection(planName, name);
      selections.remove(s.key());
      selectionRecords.delete(s.key());
    }
  }

  /**
   * GetRestoreTestingInferredMetadata: what a restore test of the point would restore with (the
   * table name is a fresh one each time).
   */
  public Map<String, String> inferredMetadata(String vaultName, String pointArn) {
    synchronized (core) {
      core.point(vaultName, pointArn);
      return inferred(TABLE_PREFIX + "<random>");
    }
  }

  // ---- restore tests ----

  Optional<RestoreTest> test(String jobId) {
    return Optional.ofNullable(tests.get(jobId));
  }

  public List<RestoreTest> tests() {
    synchronized (core) {
      return List.copyOf(tests.values());
    }
  }

  /**
   * PutRestoreValidationResult: the caller's verdict on a restored table, accepted while the table
   * is kept; a final one (anything but VALIDATING) ends the test and deletes the table.
   */
  public void putValidationResult(String jobId, String status, String message) {
    synchronized (core) {
      RestoreJob job = core.restoreJob(jobId);
      if (status == null || status.isEmpty()) {
        throw missing("ValidationStatus");
      }
      if (!RestoreTest.VALIDATION_STATUSES.contains(status)) {
        throw invalid(
            "Invalid ValidationStatus: "
                + status
                + ". Valid values are FAILED, SUCCESSFUL, TIMED_OUT and VALIDATING.");
      }
      RestoreTest t = tests.get(jobId);
      if (t == null) {
        throw new DynamoException(
            WireError.INVALID_REQUEST,
            "Restore job " + jobId + " was not started by a restore testing plan.");
      }
      boolean open =
          RestoreJob.COMPLETED.equals(job.status())
              && (RestoreTest.CHECKING.equals(t.phase())
                  || RestoreTest.VALIDATING.equals(t.phase()));
      if (!open) {
        throw new DynamoException(
            WireError.INVALID_REQUEST,
            "Restore job "
                + jobId
                + " is not awaiting validation: "
                + (RestoreJob.COMPLETED.equals(job.status())
                    ? "its validation window has closed."
                    : "it is " + job.status() + "."));
      }
      if (t.checksFailed() && "SUCCESSFUL".equals(status)) {
        throw new DynamoException(
            WireError.INVALID_REQUEST,
            "Restore job "
                + jobId
                + " failed its built-in validation ("
                + t.validationMessage()
                + "); it cannot be reported SUCCESSFUL.");
      }
      RestoreTest.Builder b = t.change().reported(status);
      if (RestoreTest.VALIDATING.equals(t.phase())) {
        b.validation(status, message);
        if (!"VALIDATING".equals(status)) {
          b.phase(RestoreTest.DELETING).deletion("DELETING", null);
        }
      }
      putTest(b.build());
    }
  }

  /** One pass of the worker: due runs become tests, and every unfinished test moves on. */
  void pass(long now) {
    for (RestoreTestingPlan p : List.copyOf(plans.values())) {
      schedulePlan(p, now);
    }
    for (RestoreTest t : List.copyOf(tests.values())) {
      if (!RestoreTest.DONE.equals(t.phase())) {
        advance(t, now);
      }
    }
  }

  private void schedulePlan(RestoreTestingPlan p, long now) {
    Cron cron = Cron.parse(p.scheduleExpression());
    ZoneId zone = ZoneId.of(p.timezone());
    long cursor = p.cursorMillis();
    List<Long> due = new ArrayList<>();
    for (Long t = cron.next(cursor, zone); t != null && t <= now; t = cron.next(t, zone)) {
      due.add(t);
      if (due.size() > BackupPlans.MAX_MISSED_RUNS) {
        due.remove(0);
      }
      cursor = t;
    }
    if (due.isEmpty()) {
      return;
    }
    Long lastExecution = p.lastExecutionMillis();
    for (long t : due) {
      boolean open = now < t + p.startWindowHours() * HOUR;
      for (RestoreTestingSelection s : selections.values()) {
        if (s.planName().equals(p.name())) {
          runSelection(p, s, t, open, now);
        }
      }
      if (open) {
        lastExecution = t;
      } else {
        LOG.warn(
            "Restore testing plan {}: the run of {} was missed while the server was down and its"
                + " start window has closed; its restore jobs are ABORTED",
            p.name(),
            Instant.ofEpochMilli(t));
      }
    }
    putPlan(p.ranTo(cursor, lastExecution));
  }

  /** One run of one selection: a test of each resource it picks that has a point to restore. */
  private void runSelection(
      RestoreTestingPlan p, RestoreTestingSelection s, long run, boolean open, long now) {
    RestoreTestingPlan.PointSelection ps = p.pointSelection();
    if (!ps.recoveryPointTypes().contains("SNAPSHOT")) {
      // Tidemark's recovery points are all snapshots; DynamoDB has no continuous ones.
      return;
    }
    long from = now - ps.selectionWindowDays() * DAY;
    Map<String, List<RecoveryPoint>> byResource = new TreeMap<>();
    for (RecoveryPoint rp :
        core.points(
            x ->
                RecoveryPoint.COMPLETED.equals(x.status())
                    && x.creationMillis() >= from
                    && x.creationMillis() <= now
                    && ps.includes(core.vaultArn(x.vaultName())))) {
      byResource.computeIfAbsent(rp.resourceArn(), k -> new ArrayList<>()).add(rp);
    }
    for (Map.Entry<String, List<RecoveryPoint>> e : byResource.entrySet()) {
      if (!s.selects(e.getKey(), tagsOf(e.getKey()))) {
        continue;
      }
      String id =
          UUID.nameUUIDFromBytes(
                  (p.arn() + "|" + s.name() + "|" + run + "|" + e.getKey())
                      .getBytes(StandardCharsets.UTF_8))
              .toString()
              .toUpperCase(Locale.ROOT);
      if (tests.containsKey(id)) {
        continue;
      }
      List<RecoveryPoint> candidates = e.getValue();
      RecoveryPoint chosen =
          RestoreTestingPlan.LATEST.equals(ps.algorithm())
              ? candidates.get(candidates.size() - 1)
              // Seeded by the test's id: a pass repeated after a crash chooses the same point.
              : candidates.get(new Random(id.hashCode()).nextInt(candidates.size()));
      Map<String, String> metadata =
          inferred(TABLE_PREFIX + id.replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT));
      s.metadataOverrides().forEach(metadata::put);
      RestoreTest test =
          new RestoreTest(
              id,
              p.name(),
              p.arn(),
              s.name(),
              run,
              chosen.resourceArn(),
              chosen.arn(),
              s.iamRoleArn(),
              metadata,
              s.validationWindowHours(),
              open ? RestoreTest.RESTORING : RestoreTest.DONE,
              null,
              null,
              false,
              null,
              null,
              null,
              null,
              null);
      putTest(test);
      fileJob(test, chosen, open, now);
    }
  }

  /** The test's restore job, filed with the core (a no-op when it exists). */
  private void fileJob(RestoreTest t, RecoveryPoint p, boolean open, long now) {
    core.addScheduledRestore(
        new RestoreJob(
            t.jobId(),
            p.arn(),
            p.resourceArn(),
            p.vaultName(),
            t.iamRoleArn(),
            null,
            t.metadata(),
            open ? RestoreJob.PENDING : "ABORTED",
            open
                ? null
                : "The restore test did not start within its start window (StartWindowHours).",
            now,
            open ? null : now,
            null,
            null,
            p.sizeBytes(),
            p.creationMillis()));
  }

  private void advance(RestoreTest t, long now) {
    switch (t.phase()) {
      case RestoreTest.RESTORING -> restoring(t, now);
      case RestoreTest.CHECKING -> startCheck(t);
      case RestoreTest.VALIDATING -> validating(t, now);
      case RestoreTest.DELETING -> deleteTable(t);
      default -> throw new IllegalStateException("restore test phase " + t.phase());
    }
  }

  private void restoring(RestoreTest t, long now) {
    RestoreJob job = core.findRestore(t.jobId());
    if (job == null) {
      // The test was written but the server stopped before its job was: file it now.
      RecoveryPoint p =
          core.points(x -> x.arn().equals(t.recoveryPointArn())).stream().findFirst().orElse(null);
      if (p == null) {
        putTest(
            t.change()
                .phase(RestoreTest.DONE)
                .validation(
                    "FAILED", "Recovery point " + t.recoveryPointArn() + " no longer exists.")
                .build());
        return;
      }
      fileJob(t, p, true, now);
      return;
    }
    switch (job.status()) {
      case RestoreJob.COMPLETED -> {
        putTest(
            t.change()
                .phase(RestoreTest.CHECKING)
                .rto(job.completionMillis() - job.creationMillis())
                .build());
        startCheck(tests.get(t.jobId()));
      }
      case RestoreJob.FAILED -> {
        // The core leaves no table behind a failed restore; the test failed all the same.
        putTest(
            t.change()
                .phase(RestoreTest.DONE)
                .validation("FAILED", "The restore failed: " + job.statusMessage())
                .checksFailed(true)
                .build());
        LOG.warn(
            "Restore test {} of {} FAILED: the restore failed: {}",
            t.jobId(),
            t.recoveryPointArn(),
            job.statusMessage());
      }
      case "ABORTED" -> putTest(t.withPhase(RestoreTest.DONE));
      default -> {}
    }
  }

  /** Compares the restored table with its manifest on the checks executor. */
  private void startCheck(RestoreTest t) {
    if (!checking.add(t.jobId())) {
      return;
    }
    RestoreJob job = core.findRestore(t.jobId());
    RecoveryPoint p =
        core.points(x -> x.arn().equals(t.recoveryPointArn())).stream().findFirst().orElse(null);
    BackupRecord r =
        p == null || p.backupArn() == null ? null : core.backups().find(p.backupArn()).orElse(null);
    Database db = core.db();
    checks.execute(
        () -> {
          String failure;
          String passed = null;
          try {
            failure = null;
            Table table =
                db.catalog()
                    .find(t.targetTable())
                    .filter(x -> x.definition().tableId().equals(job.tableId()))
                    .orElse(null);
            if (table == null) {
              failure = "The restored table " + t.targetTable() + " no longer exists.";
            } else if (r == null) {
              failure = "Recovery point " + t.recoveryPointArn() + " no longer exists.";
            } else {
              ContentDigest restored;
              try (Cursor items =
                  db.storage()
                      .scan(
                          table.id(), ContentDigest.itemsFrom(), ContentDigest.itemsTo(), false)) {
                restored = ContentDigest.of(items);
              }
              ContentDigest recorded = ContentDigest.fromSchema(r.schema());
              if (restored.itemCount() != r.itemCount()) {
                failure =
                    "Item count mismatch: the recovery point's manifest records "
                        + r.itemCount()
                        + " items, the restored table holds "
                        + restored.itemCount()
                        + ".";
              } else if (recorded == null) {
                passed =
                    "Item count matches the manifest ("
                        + restored.itemCount()
                        + " items); its manifest predates content checksums, so the content was"
                        + " not compared.";
              } else if (!recorded.algorithm().equals(restored.algorithm())
                  || !recorded.sha256().equals(restored.sha256())) {
                failure =
                    "Checksum mismatch: the recovery point's manifest records "
                        + recorded.algorithm()
                        + " "
                        + recorded.sha256()
                        + ", the restored table's items hash to "
                        + restored.sha256()
                        + ".";
              } else {
                passed =
                    "Item count ("
                        + restored.itemCount()
                        + ") and "
                        + restored.algorithm()
                        + " checksum match the recovery point's manifest.";
              }
            }
          } catch (RuntimeException e) {
            LOG.error("Restore test {}: the restored table could not be checked", t.jobId(), e);
            failure = "The restored table could not be read: " + e;
          }
          checkDone(t.jobId(), failure, passed);
        });
  }

  private void checkDone(String jobId, String failure, String passed) {
    synchronized (core) {
      checking.remove(jobId);
      RestoreTest t = tests.get(jobId);
      if (t == null || !RestoreTest.CHECKING.equals(t.phase())) {
        return;
      }
      long now = core.now();
      RestoreTest.Builder b = t.change().deadline(now + t.validationWindowHours() * HOUR);
      if (failure != null) {
        LOG.warn(
            "Restore test {} of {} FAILED validation: {}", jobId, t.recoveryPointArn(), failure);
        b.validation("FAILED", failure).checksFailed(true);
      } else if (t.reportedStatus() != null) {
        // The caller reported while the checks ran.
        b.validation(t.reportedStatus(), passed);
      } else {
        b.validation(t.validationWindowHours() == 0 ? "SUCCESSFUL" : "VALIDATING", passed);
      }
      RestoreTest next = b.phase(RestoreTest.VALIDATING).build();
      putTest(next);
      validating(next, now);
    }
  }

  /** The table is kept until a final result is reported or its validation window closes. */
  private void validating(RestoreTest t, long now) {
    boolean reportedFinal = t.reportedStatus() != null && !"VALIDATING".equals(t.reportedStatus());
    boolean closed = t.validationDeadlineMillis() == null || now >= t.validationDeadlineMillis();
    if (!reportedFinal && !closed) {
      return;
    }
    RestoreTest.Builder b = t.change().phase(RestoreTest.DELETING).deletion("DELETING", null);
    if (!t.checksFailed() && !reportedFinal) {
      if ("VALIDATING".equals(t.reportedStatus())) {
        b.validation(
            "TIMED_OUT",
            "No final validation result was reported within "
                + t.validationWindowHours()
                + " hours.");
      } else {
        b.validation("SUCCESSFUL", t.validationMessage());
      }
    }
    RestoreTest next = b.build();
    putTest(next);
    deleteTable(next);
  }

  /** Deletes the throw-away table; a failure is recorded and the deletion tried again next pass. */
  private void deleteTable(RestoreTest t) {
    RestoreJob job = core.findRestore(t.jobId());
    Database db = core.db();
    try {
      synchronized (db.catalog()) {
        Optional<Table> table =
            db.catalog()
                .find(t.targetTable())
                .filter(x -> job != null && x.definition().tableId().equals(job.tableId()));
        if (table.isPresent() && !"CREATING".equals(table.get().status())) {
          Table victim = table.get();
          db.writePath().exclusive(() -> db.catalog().delete(victim, new WriteSet()));
        } else if (table.isPresent()) {
          return;
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("Restore test {}: table {} could not be deleted yet", t.jobId(), t.targetTable(), e);
      if (!"FAILED".equals(t.deletionStatus())) {
        putTest(
            t.change()
                .deletion(
                    "FAILED",
                    "The restored table could not be deleted yet: " + e + "; it is tried again.")
                .build());
      }
      return;
    }
    putTest(t.change().phase(RestoreTest.DONE).deletion("SUCCESSFUL", null).build());
    LOG.info(
        "Restore test {} of {}: validation {}, restore took {} ms, table {} deleted",
        t.jobId(),
        t.recoveryPointArn(),
        t.validationStatus(),
        t.rtoMillis(),
        t.targetTable());
  }

  @Override
  public void close() {
    if (checks instanceof java.util.concurrent.ExecutorService pool) {
      pool.shutdownNow();
    }
  }

  // ---- helpers ----

  private static Map<String, String> inferred(String table) {
    Map<String, String> m = new TreeMap<>();
    m.put("targetTableName", table);
    m.put("encryptionType", "Default");
    m.put("deletionProtection", "false");
    return m;
  }

  private Map<String, String> tagsOf(String tableArn) {
    Database db = core.db();
    String name = tableArn.substring(tableArn.lastIndexOf('/') + 1);
    if (!db.tableArn(name).equals(tableArn)) {
      return Map.of();
    }
    return db.catalog().find(name).map(t -> db.catalog().tags(t)).orElse(Map.of());
  }

  private static String schedule(String given, String otherwise) {
    String s = given == null ? otherwise : given;
    Cron.parse(s);
    return s;
  }

  private static String zone(String given, String otherwise) {
    String z = given == null ? otherwise : given;
    try {
      ZoneId.of(z);
    } catch (DateTimeException e) {
      throw invalid("Invalid ScheduleExpressionTimezone: " + z);
    }
    return z;
  }

  private static int startWindow(Long given, int otherwise) {
    if (given == null) {
      return otherwise;
    }
    if (given < 1 || given > RestoreTestingPlan.MAX_START_WINDOW_HOURS) {
      throw invalid(
          "StartWindowHours must be between 1 and "
              + RestoreTestingPlan.MAX_START_WINDOW_HOURS
              + " hours.");
    }
    return given.intValue();
  }

  private static int validationWindow(Long given, int otherwise) {
    if (given == null) {
      return otherwise;
    }
    if (given < 0 || given > RestoreTestingSelection.MAX_VALIDATION_WINDOW_HOURS) {
      throw invalid(
          "ValidationWindowHours must be between 0 and "
              + RestoreTestingSelection.MAX_VALIDATION_WINDOW_HOURS
              + " hours.");
    }
    return given.intValue();
  }

  private static RestoreTestingPlan.PointSelection pointSelection(
      RestoreTestingPlan.PointSelection in) {
    String algorithm = in.algorithm();
    if (algorithm == null || algorithm.isEmpty()) {
      throw missing("RecoveryPointSelection.Algorithm");
    }
    if (!algorithm.equals(RestoreTestingPlan.LATEST)
        && !algorithm.equals(RestoreTestingPlan.RANDOM)) {
      throw invalid(
          "Invalid RecoveryPointSelection.Algorithm: "
              + algorithm
              + ". Valid values are LATEST_WITHIN_WINDOW and RANDOM_WITHIN_WINDOW.");
    }
    if (in.includeVaults().isEmpty()) {
      throw missing("RecoveryPointSelection.IncludeVaults");
    }
    if (in.recoveryPointTypes().isEmpty()) {
      throw missing("RecoveryPointSelection.RecoveryPointTypes");
    }
    for (String type : in.recoveryPointTypes()) {
      if (!type.equals("SNAPSHOT") && !type.equals("CONTINUOUS")) {
        throw invalid(
            "Invalid RecoveryPointSelection.RecoveryPointTypes value: "
                + type
                + ". Valid values are SNAPSHOT and CONTINUOUS.");
      }
    }
    for (String v : in.includeVaults()) {
      vaultPattern(v, true);
    }
    for (String v : in.excludeVaults()) {
      vaultPattern(v, false);
    }
    int days = in.selectionWindowDays();
    if (days < 1 || days > 365) {
      throw invalid("RecoveryPointSelection.SelectionWindowDays must be between 1 and 365.");
    }
    return in;
  }

  private static void vaultPattern(String v, boolean starAllowed) {
    if (v.equals("*")
        ? !starAllowed
        : !v.startsWith("arn:aws:backup:") || !v.contains(":backup-vault:")) {
      throw invalid(
          "Invalid vault selector: "
              + v
              + ". Use backup vault ARNs, optionally with * wildcards"
              + (starAllowed ? ", or [\"*\"]." : "."));
    }
  }

  private RestoreTestingSelection checked(RestoreTestingSelection s) {
    List<String> arns = s.resourceArns();
    if (arns.isEmpty()) {
      throw invalid("ProtectedResourceArns must list table ARNs or be [\"*\"].");
    }
    if (arns.contains("*") && arns.size() > 1) {
      throw invalid(
          "ProtectedResourceArns can be specific ARNs or the wildcard [\"*\"], but not both.");
    }
    if (arns.size() > 30) {
      throw invalid("ProtectedResourceArns can list at most 30 resources.");
    }
    String tablePrefix = "arn:aws:dynamodb:";
    for (String a : arns) {
      if (!a.equals("*") && (!a.startsWith(tablePrefix) || !a.contains(":table/"))) {
        throw invalid(
            "Invalid ProtectedResourceArns value: " + a + ". Expected a DynamoDB table ARN.");
      }
    }
    if (!s.conditions().isEmpty() && !arns.contains("*")) {
      throw invalid(
          "ProtectedResourceConditions can only be used with ProtectedResourceArns [\"*\"].");
    }
    for (String op : s.conditions().keySet()) {
      if (!op.equals("StringEquals") && !op.equals("StringNotEquals")) {
        throw invalid("Invalid ProtectedResourceConditions operator: " + op + ".");
      }
    }
    return s;
  }

  /** Overrides by their canonical key; keys are case-insensitive and only some may be changed. */
  private static Map<String, String> overrides(Map<String, String> given) {
    Map<String, String> out = new TreeMap<>();
    if (given == null) {
      return out;
    }
    given.forEach(
        (k, v) -> {
          String canonical = OVERRIDABLE.get(k.toLowerCase(Locale.ROOT));
          if (canonical == null) {
            throw invalid(
                "RestoreMetadataOverrides key "
                    + k
                    + " cannot be overridden; DynamoDB restore tests allow encryptionType and"
                    + " kmsMasterKeyArn.");
          }
          out.put(canonical, v);
        });
    return out;
  }

  private void putPlan(RestoreTestingPlan p) {
    planRecords.put(p.name(), p);
    plans.put(p.name(), p);
  }

  private void putSelection(RestoreTestingSelection s) {
    selectionRecords.put(s.key(), s);
    selections.put(s.key(), s);
  }

  private void putTest(RestoreTest t) {
    testRecords.put(t.jobId(), t);
    tests.put(t.jobId(), t);
  }

  private static DynamoException invalid(String message) {
    return new DynamoException(WireError.INVALID_PARAMETER_VALUE, message);
  }

  private static DynamoException missing(String member) {
    return new DynamoException(
        WireError.MISSING_PARAMETER_VALUE, "Missing required parameter: " + member + ".");
  }

  private static DynamoException alreadyExists(String message, String requestId, String arn) {
    com.fasterxml.jackson.databind.node.ObjectNode extra =
        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    if (requestId != null) {
      extra.put("CreatorRequestId", requestId);
    }
    extra.put("Arn", arn);
    return new DynamoException(WireError.ALREADY_EXISTS, message, extra);
  }
}
