package dev.tidemark.managed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.backup.BackupRecord;
import dev.tidemark.backup.BackupService;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.KeySchema;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.TableDefinition;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Protects the AWS Backup core's promises on a clock the test moves by hand, without the worker
 * thread ({@link ManagedBackups#runOnce} is called when the test chooses): the job state machine
 * (ABORTED before start, EXPIRED after the start window, never stopped while running), the
 * lifecycle janitor deleting each point once at its DeleteAfterDays over three months of daily
 * backups with a restart in the middle, a crash during a job (FAILED without a point, or COMPLETED
 * when the snapshot reached the store), and AWS's lifecycle rules with their messages.
 */
class ManagedBackupsTest {
  static final long DAY = 86_400_000L;
  static final long START = CoreFixture.START;
  static final String ROLE = "arn:aws:iam::000000000000:role/backup";

  @TempDir Path dir;
  CoreFixture fixture;
  AtomicLong clock;
  Database db;
  BackupService backups;
  ManagedBackups core;
  String tableArn;

  @BeforeEach
  void open() throws Exception {
    fixture = new CoreFixture(dir.resolve("scratch"));
    clock = fixture.clock;
    db = fixture.db;
    backups = fixture.backups;
    Table t = table(db, "Orders", Map.of());
    tableArn = db.tableArn(t.name());
    core = new ManagedBackups(db, backups, clock::get);
    core.load();
  }

  /** A table with a string hash key, and tags. */
  static Table table(Database db, String name, Map<String, String> tags) {
    return db.catalog()
        .create(
            new TableDefinition(
                name,
                db.catalog().allocateId(),
                UUID.randomUUID().toString(),
                db.now(),
                new KeySchema("pk", AttributeValue.Type.S, null, null),
                Map.of("pk", AttributeValue.Type.S),
                TableDefinition.PAY_PER_REQUEST,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                false,
                0),
            tags);
  }

  @AfterEach
  void close() {
    core.close();
    fixture.close();
  }

  BackupJob start(long windowMinutes, Lifecycle lifecycle) {
    return core.startBackupJob(
        new ManagedBackups.BackupRequest(
            "Default", tableArn, ROLE, null, windowMinutes, null, lifecycle, Map.of()));
  }

  /** Runs the worker once and waits for the job's snapshot to finish. */
  BackupJob run(BackupJob j) throws Exception {
    core.runOnce();
    long deadline = System.currentTimeMillis() + 10_000;
    while (!core.backupJob(j.id()).isFinished() && System.currentTimeMillis() < deadline) {
      Thread.sleep(5);
    }
    return core.backupJob(j.id());
  }

  long storedPoints() {
    return backups.list().stream().filter(r -> r.type().equals("AWS_BACKUP")).count();
  }

  @Test
  void aJobStoppedBeforeItStartsIsAbortedAndNeverRuns() {
    BackupJob j = start(60, Lifecycle.NONE);
    assertThat(j.state()).isEqualTo("CREATED");
    core.stopBackupJob(j.id());
    core.runOnce();
    assertThat(core.backupJob(j.id()).state()).isEqualTo("ABORTED");
    assertThat(core.points(p -> true)).isEmpty();
    assertThatThrownBy(() -> core.stopBackupJob(j.id()))
        .isInstanceOf(DynamoException.class)
        .hasMessage("Backup job " + j.id() + " is ABORTED and cannot be stopped.")
        .extracting(e -> ((DynamoException) e).error())
        .isEqualTo(WireError.INVALID_REQUEST);
  }

  @Test
  void aJobThatCannotStartInsideItsWindowExpires() {
    assertThatThrownBy(() -> start(59, Lifecycle.NONE))
        .hasMessage("StartWindowMinutes must be at least 60 minutes.");
    BackupJob j = start(60, Lifecycle.NONE);
    clock.addAndGet(60 * 60_000L + 1);
    core.runOnce();
    BackupJob expired = core.backupJob(j.id());
    assertThat(expired.state()).isEqualTo("EXPIRED");
    assertThat(expired.statusMessage())
        .isEqualTo("The backup job did not start within its start window.");
    assertThat(storedPoints()).isZero();
  }

  @Test
  void aJobCompletesWithItsPointInTheStore() throws Exception {
    BackupJob j = start(60, Lifecycle.NONE);
    BackupJob done = run(j);
    assertThat(done.state()).isEqualTo("COMPLETED");
    RecoveryPoint p = core.point(done.recoveryPointArn());
    assertThat(p.status()).isEqualTo("COMPLETED");
    assertThat(backups.find(p.backupArn())).isPresent();
  }

  // Daily backups kept 30 days, for 90 days, with a restart on day 45: every point is deleted
  // exactly when its DeleteAfterDays is reached, once, together with its snapshot in the store.
  @Test
  void theJanitorDeletesEachPointOnceAtItsDeleteAfterDays() throws Exception {
    for (int day = 0; day < 90; day++) {
      clock.set(START + day * DAY);
      if (day == 45) {
        core.close();
        core = new ManagedBackups(db, backups, clock::get);
        core.load();
      }
      core.runOnce();
      BackupJob j = run(start(480, new Lifecycle(null, 30)));
      assertThat(j.state()).isEqualTo("COMPLETED");
      int expected = Math.min(day + 1, 30);
      assertThat(core.points(p -> true)).as("day " + day).hasSize(expected);
      assertThat(storedPoints()).as("day " + day).isEqualTo(expected);
      long oldest = core.points(p -> true).get(0).creationMillis();
      assertThat(oldest).isEqualTo(START + Math.max(0, day - 29) * DAY);
    }
    core.runOnce();
    assertThat(core.points(p -> true)).hasSize(30);
  }

  // kill -9 while a job ran, before its snapshot's manifest was written: FAILED, no point.
  @Test
  void aJobInterruptedBeforeItsSnapshotCompletedFailsWithoutAPoint() {
    String pointArn = "arn:aws:backup:us-east-1:000000000000:recovery-point:P1";
    crashedWhileRunning(pointArn, "arn:aws:dynamodb:us-east-1:000000000000:table/Orders/backup/x");
    core.close();
    core = new ManagedBackups(db, backups, clock::get);
    core.load();
    BackupJob j = core.backupJob("J1");
    assertThat(j.state()).isEqualTo("FAILED");
    assertThat(j.statusMessage())
        .isEqualTo(
            "The backup was interrupted by a server restart before its snapshot was complete; no"
                + " recovery point was created.");
    assertThat(core.points(p -> true)).isEmpty();
  }

  // kill -9 after the manifest was written but before the job's record said so: COMPLETED.
  @Test
  void aJobInterruptedAfterItsSnapshotReachedTheStoreCompletes() throws Exception {
    String id = "P2";
    Table t = db.catalog().find("Orders").orElseThrow();
    BackupRecord r = backups.create(t, "Default." + id, "AWS_BACKUP", null);
    assertThat(backups.awaitIdle(10_000)).isTrue();
    crashedWhileRunning("arn:aws:backup:us-east-1:000000000000:recovery-point:" + id, r.arn());
    core.close();
    core = new ManagedBackups(db, backups, clock::get);
    core.load();
    assertThat(core.backupJob("J1").state()).isEqualTo("COMPLETED");
    assertThat(core.point("arn:aws:backup:us-east-1:000000000000:recovery-point:" + id).status())
        .isEqualTo("COMPLETED");
  }

  private void crashedWhileRunning(String pointArn, String backupArn) {
    new MetaRecords<>(db.storage(), "backup-job", BackupJob.class)
        .put(
            "J1",
            new BackupJob(
                "J1",
                "Default",
                tableArn,
                "Orders",
                ROLE,
                null,
                "RUNNING",
                null,
                START,
                START + DAY,
                null,
                START,
                null,
                pointArn,
                Lifecycle.NONE,
                Map.of(),
                0,
                null));
    new MetaRecords<>(db.storage(), "point", RecoveryPoint.class)
        .put(
            pointArn.substring(pointArn.lastIndexOf(':') + 1),
            new RecoveryPoint(
                pointArn.substring(pointArn.lastIndexOf(':') + 1),
                pointArn,
                "Default",
                tableArn,
                "Orders",
                backupArn,
                "CREATING",
                START,
                null,
                0,
                Lifecycle.NONE,
                ROLE,
                "J1",
                Map.of(),
                null,
                null));
  }

  // Vault lock: jobs outside [min, max] fail, early deletes are refused, a governance lock can be
  // removed, a compliance lock is immutable from its lock date, and the lifecycle still deletes.
  @Test
  void aLockedVaultRefusesEarlyDeletesAndJobsOutsideItsRetentionRange() throws Exception {
    core.lockVault("Default", 7L, 30L, null);
    BackupJob tooLong = run(start(60, new Lifecycle(null, 60)));
    assertThat(tooLong.state()).isEqualTo("FAILED");
    assertThat(tooLong.statusMessage())
        .isEqualTo(
            "The recovery point's retention (60 days) is outside the range backup vault Default's"
                + " lock allows (7 days minimum, 30 days maximum).");
    assertThat(run(start(60, Lifecycle.NONE)).state()).isEqualTo("FAILED");
    BackupJob ok = run(start(60, new Lifecycle(null, 10)));
    assertThat(ok.state()).isEqualTo("COMPLETED");
    assertThatThrownBy(() -> core.deletePoint("Default", ok.recoveryPointArn()))
        .hasMessage(
            "Recovery point "
                + ok.recoveryPointArn()
                + " is in locked backup vault Default and cannot be deleted before its retention"
                + " ends.");
    // Governance: removable at any time, and then the point can go.
    core.unlockVault("Default");
    assertThat(core.vault("Default").lock()).isNull();
    // Compliance: changeable for 3 days, then immutable.
    core.lockVault("Default", 1L, null, 3L);
    core.lockVault("Default", 5L, null, 3L);
    clock.addAndGet(3 * DAY);
    assertThatThrownBy(() -> core.lockVault("Default", 1L, null, 3L))
        .hasMessage(
            "Vault Lock configuration of backup vault Default is immutable: its lock date has"
                + " passed.");
    assertThatThrownBy(() -> core.unlockVault("Default"))
        .extracting(e -> ((DynamoException) e).error())
        .isEqualTo(WireError.INVALID_REQUEST);
    assertThatThrownBy(() -> core.deletePoint("Default", ok.recoveryPointArn()))
        .isInstanceOf(DynamoException.class);
    // The lifecycle deletes the point at its DeleteAfterDays, lock or not.
    clock.set(core.point(ok.recoveryPointArn()).deleteAt());
    core.runOnce();
    assertThat(core.points(p -> true)).isEmpty();
  }

  @Test
  void lifecycleRulesAreAwsRulesWithAwsMessages() {
    assertThatThrownBy(() -> new Lifecycle(30, 119))
        .hasMessage(
            "Invalid lifecycle. DeleteAfterDays cannot be less than 90 days apart from"
                + " MoveToColdStorageAfterDays");
    assertThatThrownBy(() -> new Lifecycle(null, 0))
        .hasMessage(
            "Invalid lifecycle. DeleteAfterDays cannot be less than 1 or more than 36500 days");
    assertThatThrownBy(() -> new Lifecycle(null, 36501))
        .hasMessage(
            "Invalid lifecycle. DeleteAfterDays cannot be less than 1 or more than 36500 days");
    Lifecycle ok = new Lifecycle(30, 120);
    assertThat(ok.moveToColdStorageAt(START)).isEqualTo(START + 30 * DAY);
    assertThat(ok.deleteAt(START)).isEqualTo(START + 120 * DAY);
  }
}
