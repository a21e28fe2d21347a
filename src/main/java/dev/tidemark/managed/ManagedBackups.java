package dev.tidemark.managed;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tidemark.backup.BackupRecord;
import dev.tidemark.backup.BackupService;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.TableDefinition;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AWS Backup's core on Tidemark's tables: vaults, backup jobs, recovery points and restore jobs. It
 * knows no wire format. A recovery point is an on-demand backup of type {@code AWS_BACKUP} in the
 * backup store (so it outlives its table and this host), filed in a vault; the vaults, jobs and
 * points themselves are records in the meta space.
 *
 * <p>Jobs move only forward, and every move is synced before anything depends on it. One worker
 * ({@link #runOnce}, driven by an injectable clock) starts CREATED backup jobs inside their start
 * window or expires them, starts PENDING restores, finishes RUNNING restores once their table is
 * ACTIVE (or gone), and deletes recovery points whose lifecycle says so.
 *
 * <p>After a crash ({@link #load}): a backup job caught RUNNING is COMPLETED if its snapshot's
 * manifest reached the store (found by the backup's name, {@code <vault>.<recovery point id>}) and
 * FAILED otherwise, never half-written; a restore caught RUNNING has had its partial table dropped
 * by the backup service and is FAILED; a point caught DELETING is deleted again; and an {@code
 * AWS_BACKUP} backup in the store that no record names (a new host over an old store) is filed back
 * into its vault.
 */
public final class ManagedBackups implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ManagedBackups.class);
  private static final ObjectMapper JSON = JsonMapper.builder().findAndAddModules().build();

  /** The backup type recovery points have in the backup store. */
  public static final String BACKUP_TYPE = "AWS_BACKUP";

  /** AWS Backup's default and minimum start window. */
  public static final int DEFAULT_START_WINDOW_MINUTES = 480;

  public static final int MIN_START_WINDOW_MINUTES = 60;

  private static final Pattern TABLE_NAME = Pattern.compile("[a-zA-Z0-9_.\\-]{3,255}");
  private static final long IDEMPOTENCY_MILLIS = 24 * 3_600_000L;

  private final Database db;
  private final BackupService backups;
  private final LongSupplier clock;
  private final String arnPrefix;
  private final MetaRecords<Vault> vaultRecords;
  private final MetaRecords<RecoveryPoint> pointRecords;
  private final MetaRecords<BackupJob> jobRecords;
  private final MetaRecords<RestoreJob> restoreRecords;
  private final Map<String, Vault> vaults = new TreeMap<>();
  private final Map<String, RecoveryPoint> points = new LinkedHashMap<>();
  private final Map<String, BackupJob> jobs = new LinkedHashMap<>();
  private final Map<String, RestoreJob> restores = new LinkedHashMap<>();
  private final List<java.util.function.LongConsumer> schedulers = new ArrayList<>();
  private final List<java.util.function.Supplier<java.util.Set<String>>> warmReaders =
      new ArrayList<>();
  private ScheduledExecutorService worker;
  private RestoreTests restoreTests;
  private ColdTier cold;
  private JobRoles roles = JobRoles.RECORDED_ONLY;

  public ManagedBackups(Database db, BackupService backups, LongSupplier clock) {
    this.db = db;
    this.backups = backups;
    this.clock = clock;
    this.arnPrefix = "arn:aws:backup:" + db.region() + ":" + db.account() + ":";
    this.vaultRecords = new MetaRecords<>(db.storage(), "vault", Vault.class);
    this.pointRecords = new MetaRecords<>(db.storage(), "point", RecoveryPoint.class);
    this.jobRecords = new MetaRecords<>(db.storage(), "backup-job", BackupJob.class);
    this.restoreRecords = new MetaRecords<>(db.storage(), "restore-job", RestoreJob.class);
  }

  public String region() {
    return db.region();
  }

  public String account() {
    return db.account();
  }

  public String vaultArn(String name) {
    return arnPrefix + "backup-vault:" + name;
  }

  /**
   * Moves points to {@code tier} at their MoveToColdStorageAfterDays; call before {@link #load}.
   * Without a cold tier that setting is ignored, as AWS Backup ignores it for resource types that
   * cannot move to cold storage: points stay WARM until their DeleteAfterDays.
   */
  public synchronized void useColdTier(ColdTier tier) {
    this.cold = tier;
  }

  /** How jobs' IAM roles are decided ({@code --auth iam}); by default they are only recorded. */
  public synchronized void useJobRoles(JobRoles jobRoles) {
    this.roles = jobRoles;
  }

  synchronized JobRoles jobRoles() {
    return roles;
  }

  /** The point's StorageClass: COLD once its cold copy is its data, else WARM. */
  public synchronized String storageClass(RecoveryPoint p) {
    return cold == null ? "WARM" : cold.storageClass(p.id());
  }

  /**
   * The lifecycle the point actually follows, for CalculatedLifecycle: without a cold tier there is
   * no move to cold storage to announce.
   */
  public synchronized Lifecycle effectiveLifecycle(RecoveryPoint p) {
    Lifecycle l = p.lifecycle();
    return cold != null || l.moveToColdStorageAfterDays() == null
        ? l
        : new Lifecycle(null, l.deleteAfterDays());
  }

  /** Reads every record, creates the Default vault, and settles what a crash interrupted. */
  public synchronized void load() {
    vaultRecords.all().forEach(v -> vaults.put(v.name(), v));
    pointRecords.all().forEach(p -> points.put(p.arn(), p));
    if (cold != null) {
      // Before the points are settled: a point caught DELETING deletes its cold copy too.
      cold.load(points.values().stream().map(RecoveryPoint::id).collect(Collectors.toSet()));
    }
    byCreation(jobRecords.all(), BackupJob::creationMillis).forEach(j -> jobs.put(j.id(), j));
    byCreation(restoreRecords.all(), RestoreJob::creationMillis)
        .forEach(j -> restores.put(j.id(), j));
    long now = clock.getAsLong();
    if (!vaults.containsKey(Vault.DEFAULT)) {
      putVault(new Vault(Vault.DEFAULT, vaultArn(Vault.DEFAULT), now, null, null, Map.of(), null));
    }
    Map<String, BackupRecord> inStore = new HashMap<>();
    for (BackupRecord r : backups.list()) {
      if (BACKUP_TYPE.equals(r.type()) && "AVAILABLE".equals(r.status())) {
        inStore.put(pointIdOf(r.name()), r);
      }
    }
    for (BackupJob j : List.copyOf(jobs.values())) {
      if (BackupJob.RUNNING.equals(j.state())) {
        RecoveryPoint p = points.get(j.recoveryPointArn());
        BackupRecord r = inStore.get(idOf(j.recoveryPointArn()));
        if (r != null && p != null) {
          complete(j, p, r, now);
        } else {
          if (p != null) {
            removePoint(p);
          }
          putJob(
              j.finished(
                  BackupJob.FAILED,
                  "The backup was interrupted by a server restart before its snapshot was"
                      + " complete; no recovery point was created.",
                  now,
                  0));
        }
      }
    }
    for (RestoreJob j : List.copyOf(restores.values())) {
      if (RestoreJob.RUNNING.equals(j.status())) {
        settleRestore(j, now);
      }
    }
    for (RecoveryPoint p : List.copyOf(points.values())) {
      if (RecoveryPoint.DELETING.equals(p.status())) {
        finishDelete(p);
      } else if (RecoveryPoint.CREATING.equals(p.status())) {
        removePoint(p);
      }
    }
    for (Map.Entry<String, BackupRecord> e : inStore.entrySet()) {
      String arn = arnPrefix + "recovery-point:" + e.getKey();
      if (!points.containsKey(arn)) {
        adopt(arn, e.getValue(), now);
      }
    }
    if (cold != null) {
      adoptCold(now);
    }
  }

  /**
   * Cold copies no record names (a new data directory over an old cold store) become COLD points;
   * the point is filed first, so a crash in between finds it without warm data and files the copy
   * then. A point that has its warm backup keeps it, and the unverified copy goes.
   */
  private void adoptCold(long now) {
    for (BackupRecord r : cold.unrecorded()) {
      String arn = arnPrefix + "recovery-point:" + pointIdOf(r.name());
      RecoveryPoint p = points.get(arn);
      if (p != null && p.backupArn() != null && backups.find(p.backupArn()).isPresent()) {
        cold.discardUnrecorded(r);
        continue;
      }
      if (p == null) {
        adopt(arn, r, now);
      }
      try {
        cold.adopt(idOf(arn), r, now);
      } catch (IOException e) {
        LOG.error("Cold copy {} could not be filed back: {}", r.manifestName(), e.toString());
      }
    }
  }

  /** A backup in the store no record names: a new data directory over an old backup store. */
  private void adopt(String arn, BackupRecord r, long now) {
    String vault = r.name().substring(0, r.name().lastIndexOf('.'));
    if (!vaults.containsKey(vault)) {
      putVault(new Vault(vault, vaultArn(vault), now, null, null, Map.of(), null));
    }
    RecoveryPoint p =
        new RecoveryPoint(
            idOf(arn),
            arn,
            vault,
            r.tableArn(),
            r.tableName(),
            r.arn(),
            RecoveryPoint.COMPLETED,
            r.creationMillis(),
            r.creationMillis(),
            r.sizeBytes(),
            Lifecycle.NONE,
            null,
            null,
            Map.of(),
            null,
            null);
    putPoint(p);
    LOG.warn(
        "Recovery point {} of {} was found in the backup store without a record; filed back into"
            + " vault {} (its lifecycle and tags were kept in the lost record and are not"
            + " restored)",
        arn,
        r.tableArn(),
        vault);
  }

  /** Runs the worker every {@code periodMillis}, and at once whenever {@link #kick} is called. */
  public synchronized void startWorker(long periodMillis) {
    worker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "tidemark-aws-backup");
              t.setDaemon(true);
              return t;
            });
    worker.scheduleWithFixedDelay(this::runQuietly, 0, periodMillis, TimeUnit.MILLISECONDS);
  }

  private synchronized void kick() {
    if (worker != null && !worker.isShutdown()) {
      worker.execute(this::runQuietly);
    }
  }

  private void runQuietly() {
    try {
      runOnce();
    } catch (RuntimeException e) {
      LOG.error("The AWS Backup worker failed; it runs again shortly", e);
    }
  }

  /** One pass of the worker: job starts and expiries, restore progress, lifecycle deletions. */
  public synchronized void runOnce() {
    long now = clock.getAsLong();
    for (java.util.function.LongConsumer s : schedulers) {
      s.accept(now);
    }
    for (BackupJob j : List.copyOf(jobs.values())) {
      if (BackupJob.CREATED.equals(j.state())) {
        startBackup(j, now);
      }
    }
    for (RestoreJob j : List.copyOf(restores.values())) {
      if (RestoreJob.PENDING.equals(j.status())) {
        startRestore(j, now);
      } else if (RestoreJob.RUNNING.equals(j.status())) {
        settleRestore(j, now);
      }
    }
    for (RecoveryPoint p : List.copyOf(points.values())) {
      Long deleteAt = p.deleteAt();
      if (RecoveryPoint.COMPLETED.equals(p.status())
          && deleteAt != null
          && deleteAt <= now
          && (cold == null || !cold.isMoving(p.id()))) {
        LOG.info("Recovery point {} reached its DeleteAfterDays and is deleted", p.arn());
        delete(p);
      }
    }
    if (cold != null) {
      coldPacked();
      cold.pass(List.copyOf(points.values()), now, restoring(), this::coldPacked);
    }
  }

  /** Settles the cold moves whose copies are written (from the cold tier's thread). */
  private synchronized void coldPacked() {
    Map<String, RecoveryPoint> byId = new HashMap<>();
    points.values().forEach(p -> byId.put(p.id(), p));
    cold.settle(byId, clock.getAsLong(), restoring());
  }

  /** Whether the point's move to cold storage has started and not yet switched it to COLD. */
  synchronized boolean isMovingToCold(RecoveryPoint p) {
    return cold != null && cold.isMoving(p.id());
  }

  /**
   * Recovery points whose warm data a job still reads: a PENDING or RUNNING restore, or what
   * another part registered ({@link #addWarmReaders}, copy jobs). The cold tier neither starts to
   * move them nor deletes their warm backup meanwhile.
   */
  private java.util.Set<String> restoring() {
    java.util.Set<String> out = new java.util.HashSet<>();
    for (RestoreJob j : restores.values()) {
      if (RestoreJob.PENDING.equals(j.status()) || RestoreJob.RUNNING.equals(j.status())) {
        out.add(j.recoveryPointArn());
      }
    }
    for (java.util.function.Supplier<java.util.Set<String>> readers : warmReaders) {
      out.addAll(readers.get());
    }
    return out;
  }

  /**
   * Registers more readers of warm data: {@code readers} answers, under this object's monitor, the
   * ARNs of the recovery points being read.
   */
  synchronized void addWarmReaders(java.util.function.Supplier<java.util.Set<String>> readers) {
    warmReaders.add(readers);
  }

  /** Runs {@code scheduler} at the start of every pass, under this object's monitor. */
  synchronized void addScheduler(java.util.function.LongConsumer scheduler) {
    schedulers.add(scheduler);
  }

  Database db() {
    return db;
  }

  BackupService backups() {
    return backups;
  }

  /** Restore testing, which renders its fields into restore jobs; set once by its constructor. */
  synchronized void attach(RestoreTests tests) {
    restoreTests = tests;
  }

  public synchronized RestoreTests restoreTests() {
    if (restoreTests == null) {
      throw new IllegalStateException("restore testing is not set up on this server");
    }
    return restoreTests;
  }

  /** The restore test a restore job belongs to, if a restore testing plan started it. */
  public synchronized Optional<RestoreTest> restoreTest(String restoreJobId) {
    return restoreTests == null ? Optional.empty() : restoreTests.test(restoreJobId);
  }

  /** Files a restore job a restore testing plan scheduled, unless one with its id exists. */
  synchronized boolean addScheduledRestore(RestoreJob job) {
    if (restores.containsKey(job.id())) {
      return false;
    }
    putRestore(job);
    return true;
  }

  synchronized RestoreJob findRestore(String id) {
    return restores.get(id);
  }

  long now() {
    return clock.getAsLong();
  }

  String arnPrefix() {
    return arnPrefix;
  }

  /** A point in any state, CREATING and DELETING included, or null; for copies. */
  RecoveryPoint anyPoint(String arn) {
    return points.get(arn);
  }

  /** Files (or refiles) a point a copy makes; the caller holds this object's monitor. */
  void filePoint(RecoveryPoint p) {
    putPoint(p);
  }

  /** Forgets a point whose copy did not complete; its backup, if any, is the caller's. */
  void unfilePoint(RecoveryPoint p) {
    removePoint(p);
  }

  /**
   * Files a job a plan scheduled, unless one with its id exists: ids are derived from the plan,
   * rule, scheduled time and table, so a pass repeated after a crash adds nothing twice.
   */
  synchronized boolean addScheduledJob(BackupJob job) {
    if (jobs.containsKey(job.id())) {
      return false;
    }
    putJob(job);
    return true;
  }

  String newPointArn() {
    return arnPrefix + "recovery-point:" + UUID.randomUUID().toString().toUpperCase(Locale.ROOT);
  }

  // ---- vaults ----

  public synchronized Vault createVault(
      String name, Map<String, String> tags, String encryptionKeyArn, String creatorRequestId) {
    if (name == null || !Vault.NAME.matcher(name).matches()) {
      throw new DynamoException(
          WireError.INVALID_PARAMETER_VALUE,
          "Backup vault name must be 2 to 50 characters: letters, digits, hyphens and"
              + " underscores.");
    }
    Vault existing = vaults.get(name);
    if (existing != null) {
      if (creatorRequestId != null && creatorRequestId.equals(existing.creatorRequestId())) {
        return existing;
      }
      throw alreadyExists(
          "Backup vault with the same name already exists",
          existing.creatorRequestId(),
          existing.arn());
    }
    Vault v =
        new Vault(
            name,
            vaultArn(name),
            clock.getAsLong(),
            creatorRequestId,
            encryptionKeyArn,
            tags,
            null);
    putVault(v);
    return v;
  }

  public synchronized Vault vault(String name) {
    Vault v = name == null ? null : vaults.get(name);
    if (v == null) {
      throw notFound("Backup vault " + name + " does not exist.");
    }
    return v;
  }

  public synchronized List<Vault> vaults() {
    return List.copyOf(vaults.values());
  }

  public synchronized int pointCount(String vault) {
    int n = 0;
    for (RecoveryPoint p : points.values()) {
      if (p.vaultName().equals(vault)) {
        n++;
      }
    }
    return n;
  }

  public synchronized void deleteVault(String name) {
    vault(name);
    if (pointCount(name) > 0) {
      throw new DynamoException(
          WireError.INVALID_REQUEST,
          "Backup vault cannot be deleted because it contains recovery points.");
    }
    vaults.remove(name);
    vaultRecords.delete(name);
  }

  // ---- vault lock ----

  /**
   * PutBackupVaultLockConfiguration. Without {@code changeableForDays} the lock is in governance
   * mode (changeable and removable); with it, in compliance mode, immutable from its lock date on.
   */
  public synchronized Vault lockVault(
      String name, Long minRetentionDays, Long maxRetentionDays, Long changeableForDays) {
    Vault v = vault(name);
    long now = clock.getAsLong();
    if (v.lock() != null && v.lock().immutableAt(now)) {
      throw immutableLock(name);
    }
    if (minRetentionDays != null && minRetentionDays < 1) {
      throw invalid("MinRetentionDays must be at least 1.");
    }
    if (maxRetentionDays != null && maxRetentionDays > 36500) {
      throw invalid("MaxRetentionDays must be at most 36500.");
    }
    if (minRetentionDays != null
        && maxRetentionDays != null
        && minRetentionDays > maxRetentionDays) {
      throw invalid("MinRetentionDays must not be greater than MaxRetentionDays.");
    }
    if (changeableForDays != null && (changeableForDays < 3 || changeableForDays > 36500)) {
      throw invalid("ChangeableForDays must be between 3 and 36500.");
    }
    Vault locked =
        v.withLock(
            new VaultLock(
                minRetentionDays == null ? null : minRetentionDays.intValue(),
                maxRetentionDays == null ? null : maxRetentionDays.intValue(),
                changeableForDays == null ? null : now + changeableForDays * 86_400_000L));
    putVault(locked);
    return locked;
  }

  /** DeleteBackupVaultLockConfiguration: only before a compliance lock's date. */
  public synchronized void unlockVault(String name) {
    Vault v = vault(name);
    if (v.lock() != null && v.lock().immutableAt(clock.getAsLong())) {
      throw immutableLock(name);
    }
    putVault(v.withLock(null));
  }

  private static DynamoException immutableLock(String name) {
    return new DynamoException(
        WireError.INVALID_REQUEST,
        "Vault Lock configuration of backup vault "
            + name
            + " is immutable: its lock date has passed.");
  }

  /** Why a job's retention breaks the vault's lock, or null when it does not. */
  static String lockViolation(Vault v, Lifecycle l) {
    VaultLock lock = v.lock();
    if (lock == null) {
      return null;
    }
    Integer days = l.deleteAfterDays();
    boolean tooShort =
        lock.minRetentionDays() != null && days != null && days < lock.minRetentionDays();
    boolean tooLong =
        lock.maxRetentionDays() != null && (days == null || days > lock.maxRetentionDays());
    if (!tooShort && !tooLong) {
      return null;
    }
    return "The recovery point's retention ("
        + (days == null ? "always" : days + " days")
        + ") is outside the range backup vault "
        + v.name()
        + "'s lock allows ("
        + (lock.minRetentionDays() == null
            ? "no minimum"
            : lock.minRetentionDays() + " days minimum")
        + ", "
        + (lock.maxRetentionDays() == null
            ? "no maximum"
            : lock.maxRetentionDays() + " days maximum")
        + ").";
  }

  private static DynamoException invalid(String message) {
    return new DynamoException(WireError.INVALID_PARAMETER_VALUE, message);
  }

  // ---- tags (vaults and recovery points) ----

  public synchronized Map<String, String> tags(String arn) {
    Vault v = vaultByArn(arn);
    return v != null ? v.tags() : point(arn).tags();
  }

  public synchronized void tag(String arn, Map<String, String> add, List<String> remove) {
    Map<String, String> t = new TreeMap<>(tags(arn));
    t.putAll(add);
    remove.forEach(t::remove);
    Vault v = vaultByArn(arn);
    if (v != null) {
      putVault(v.withTags(t));
    } else {
      putPoint(point(arn).withTags(t));
    }
  }

  private Vault vaultByArn(String arn) {
    if (arn != null && arn.startsWith(arnPrefix + "backup-vault:")) {
      Vault v = vaults.get(arn.substring((arnPrefix + "backup-vault:").length()));
      if (v == null) {
        throw notFound("Resource " + arn + " does not exist.");
      }
      return v;
    }
    return null;
  }

  // ---- backup jobs ----

  /** What StartBackupJob asks for; validated by {@link #startBackupJob}. */
  public record BackupRequest(
      String vaultName,
      String resourceArn,
      String iamRoleArn,
      String idempotencyToken,
      Long startWindowMinutes,
      Long completeWindowMinutes,
      Lifecycle lifecycle,
      Map<String, String> recoveryPointTags) {}

  public synchronized BackupJob startBackupJob(BackupRequest req) {
    Vault vault = vault(req.vaultName());
    String table = tableOf(req.resourceArn());
    long startWindow =
        req.startWindowMinutes() == null ? DEFAULT_START_WINDOW_MINUTES : req.startWindowMinutes();
    if (startWindow < MIN_START_WINDOW_MINUTES) {
      throw new DynamoException(
          WireError.INVALID_PARAMETER_VALUE,
          "StartWindowMinutes must be at least " + MIN_START_WINDOW_MINUTES + " minutes.");
    }
    if (req.completeWindowMinutes() != null && req.completeWindowMinutes() < 1) {
      throw new DynamoException(
          WireError.INVALID_PARAMETER_VALUE, "CompleteWindowMinutes must be positive.");
    }
    long now = clock.getAsLong();
    if (req.idempotencyToken() != null) {
      for (BackupJob j : jobs.values()) {
        if (req.idempotencyToken().equals(j.idempotencyToken())
            && now - j.creationMillis() < IDEMPOTENCY_MILLIS) {
          return j;
        }
      }
    }
    if (db.catalog().find(table).filter(Table::isUsable).isEmpty()) {
      throw notFound("Resource " + req.resourceArn() + " does not exist.");
    }
    String pointId = UUID.randomUUID().toString().toUpperCase(Locale.ROOT);
    BackupJob job =
        new BackupJob(
            UUID.randomUUID().toString().toUpperCase(Locale.ROOT),
            vault.name(),
            req.resourceArn(),
            table,
            req.iamRoleArn(),
            req.idempotencyToken(),
            BackupJob.CREATED,
            null,
            now,
            now + startWindow * 60_000L,
            req.completeWindowMinutes() == null
                ? null
                : now + req.completeWindowMinutes() * 60_000L,
            null,
            null,
            arnPrefix + "recovery-point:" + pointId,
            req.lifecycle(),
            req.recoveryPointTags(),
            0,
            null);
    putJob(job);
    kick();
    return job;
  }

  private void startBackup(BackupJob j, long now) {
    if (now > j.startByMillis()) {
      putJob(
          j.finished(
              BackupJob.EXPIRED, "The backup job did not start within its start window.", now, 0));
      return;
    }
    Optional<Table> table = db.catalog().find(j.resourceName()).filter(Table::isUsable);
    if (table.isEmpty() || !db.tableArn(j.resourceName()).equals(j.resourceArn())) {
      putJob(
          j.finished(BackupJob.FAILED, "Resource " + j.resourceArn() + " does not exist.", now, 0));
      return;
    }
    if (!vaults.containsKey(j.vaultName())) {
      putJob(
          j.finished(
              BackupJob.FAILED, "Backup vault " + j.vaultName() + " does not exist.", now, 0));
      return;
    }
    String violation = lockViolation(vaults.get(j.vaultName()), j.lifecycle());
    if (violation != null) {
      putJob(j.finished(BackupJob.FAILED, violation, now, 0));
      return;
    }
    String denied =
        roles.refusal(
            j.iamRoleArn(),
            "backup",
            List.of(
                new dev.tidemark.auth.Check("dynamodb:DescribeTable", j.resourceArn()),
                new dev.tidemark.auth.Check("dynamodb:StartAwsBackupJob", j.resourceArn())));
    if (denied != null) {
      putJob(j.finished(BackupJob.FAILED, denied, now, 0));
      return;
    }
    String pointId = idOf(j.recoveryPointArn());
    BackupRecord started;
    try {
      // Finishing needs this monitor, so the callback waits until the records below are written.
      started =
          backups.create(
              table.get(),
              j.vaultName() + "." + pointId,
              BACKUP_TYPE,
              null,
              () -> backupFinished(j.id()));
    } catch (DynamoException e) {
      if (e.error() == WireError.LIMIT_EXCEEDED || e.error() == WireError.INTERNAL_SERVER_ERROR) {
        // Busy or out of space: it stays CREATED and is tried again until its window closes.
        LOG.info("Backup job {} waits to start: {}", j.id(), e.getMessage());
        return;
      }
      putJob(j.finished(BackupJob.FAILED, e.getMessage(), now, 0));
      return;
    }
    putPoint(
        new RecoveryPoint(
            pointId,
            j.recoveryPointArn(),
            j.vaultName(),
            j.resourceArn(),
            j.resourceName(),
            started.arn(),
            RecoveryPoint.CREATING,
            started.creationMillis(),
            null,
            0,
            j.lifecycle(),
            j.iamRoleArn(),
            j.id(),
            j.recoveryPointTags(),
            j.createdBy(),
            null));
    putJob(j.running(now));
  }

  private synchronized void backupFinished(String jobId) {
    BackupJob j = jobs.get(jobId);
    RecoveryPoint p = j == null ? null : points.get(j.recoveryPointArn());
    if (j == null || p == null || !BackupJob.RUNNING.equals(j.state())) {
      return;
    }
    long now = clock.getAsLong();
    Optional<BackupRecord> r =
        backups.find(p.backupArn()).filter(b -> "AVAILABLE".equals(b.status()));
    if (r.isPresent()) {
      complete(j, p, r.get(), now);
    } else {
      removePoint(p);
      putJob(
          j.finished(
              BackupJob.FAILED,
              "The snapshot could not be written to the backup store (see the server log); no"
                  + " recovery point was created.",
              now,
              0));
    }
  }

  private void complete(BackupJob j, RecoveryPoint p, BackupRecord r, long now) {
    putPoint(p.completed(r.arn(), now, r.sizeBytes()));
    putJob(j.finished(BackupJob.COMPLETED, null, now, r.sizeBytes()));
  }

  public synchronized BackupJob backupJob(String id) {
    BackupJob j = id == null ? null : jobs.get(id);
    if (j == null) {
      throw notFound("Backup job " + id + " does not exist.");
    }
    return j;
  }

  public synchronized List<BackupJob> backupJobs(Predicate<BackupJob> filter) {
    return jobs.values().stream().filter(filter).toList();
  }

  /**
   * StopBackupJob. A job that has not started is ABORTED; a DynamoDB backup that is running cannot
   * be cancelled, as on AWS; a finished job cannot be stopped.
   */
  public synchronized void stopBackupJob(String id) {
    BackupJob j = backupJob(id);
    if (BackupJob.CREATED.equals(j.state())) {
      putJob(j.finished(BackupJob.ABORTED, "Backup job was stopped by the user.", now(), 0));
      return;
    }
    if (BackupJob.RUNNING.equals(j.state())) {
      throw new DynamoException(
          WireError.INVALID_REQUEST,
          "Backup job " + id + " is RUNNING: a running DynamoDB backup cannot be stopped.");
    }
    throw new DynamoException(
        WireError.INVALID_REQUEST,
        "Backup job " + id + " is " + j.state() + " and cannot be stopped.");
  }

  // ---- recovery points ----

  public synchronized RecoveryPoint point(String arn) {
    RecoveryPoint p = arn == null ? null : points.get(arn);
    if (p == null || RecoveryPoint.DELETING.equals(p.status())) {
      throw notFound("Recovery point " + arn + " does not exist.");
    }
    return p;
  }

  /** The point, which must be filed in {@code vault}. */
  public synchronized RecoveryPoint point(String vault, String arn) {
    vault(vault);
    RecoveryPoint p = point(arn);
    if (!p.vaultName().equals(vault)) {
      throw notFound("Recovery point " + arn + " does not exist in backup vault " + vault + ".");
    }
    return p;
  }

  public synchronized List<RecoveryPoint> points(Predicate<RecoveryPoint> filter) {
    List<RecoveryPoint> out = new ArrayList<>();
    for (RecoveryPoint p : points.values()) {
      if (!RecoveryPoint.DELETING.equals(p.status()) && filter.test(p)) {
        out.add(p);
      }
    }
    out.sort(Comparator.comparingLong(RecoveryPoint::creationMillis));
    return out;
  }

  public synchronized void deletePoint(String vault, String arn) {
    RecoveryPoint p = point(vault, arn);
    if (!RecoveryPoint.COMPLETED.equals(p.status())) {
      throw new DynamoException(
          WireError.INVALID_RESOURCE_STATE,
          "Recovery point " + arn + " is " + p.status() + " and cannot be deleted yet.");
    }
    if (cold != null && cold.isMoving(p.id())) {
      throw new DynamoException(
          WireError.INVALID_RESOURCE_STATE,
          "Recovery point " + arn + " is being moved to cold storage and cannot be deleted yet.");
    }
    Vault v = vaults.get(vault);
    Long deleteAt = p.deleteAt();
    if (v.lock() != null && (deleteAt == null || deleteAt > clock.getAsLong())) {
      // A locked vault keeps every point until its lifecycle deletes it.
      throw new DynamoException(
          WireError.INVALID_REQUEST,
          "Recovery point "
              + arn
              + " is in locked backup vault "
              + vault
              + " and cannot be deleted before its retention ends.");
    }
    delete(p);
  }

  void delete(RecoveryPoint p) {
    RecoveryPoint deleting = p.withStatus(RecoveryPoint.DELETING);
    putPoint(deleting);
    finishDelete(deleting);
  }

  /** Removes the snapshot from the store, then the record; a crash in between repeats it. */
  private void finishDelete(RecoveryPoint p) {
    Optional<BackupRecord> r =
        p.backupArn() == null ? Optional.empty() : backups.any(p.backupArn());
    if (r.isPresent()) {
      try {
        backups.delete(r.get());
      } catch (IOException | RuntimeException e) {
        LOG.warn("Recovery point {}: its snapshot could not be deleted yet", p.arn(), e);
        return;
      }
    }
    if (cold != null && !cold.delete(p)) {
      return;
    }
    removePoint(p);
  }

  /** GetRecoveryPointRestoreMetadata: what a restore of this point needs, with defaults. */
  public synchronized Map<String, String> restoreMetadata(String vault, String arn) {
    RecoveryPoint p = point(vault, arn);
    Map<String, String> m = new TreeMap<>();
    m.put("originalTableName", p.resourceName());
    m.put("targetTableName", p.resourceName());
    m.put("encryptionType", "Default");
    m.put("deletionProtection", "false");
    return m;
  }

  // ---- restore jobs ----

  public synchronized RestoreJob startRestoreJob(
      String pointArn, Map<String, String> metadata, String iamRoleArn, String token) {
    RecoveryPoint p = point(pointArn);
    if (!RecoveryPoint.COMPLETED.equals(p.status())) {
      throw new DynamoException(
          WireError.INVALID_REQUEST,
          "Recovery point " + pointArn + " is " + p.status() + " and cannot be restored yet.");
    }
    String target = metadata.get("targetTableName");
    if (target == null) {
      throw new DynamoException(
          WireError.MISSING_PARAMETER_VALUE, "Restore metadata must contain targetTableName.");
    }
    if (!TABLE_NAME.matcher(target).matches()) {
      throw new DynamoException(
          WireError.INVALID_PARAMETER_VALUE,
          "targetTableName must be 3 to 255 characters: letters, digits, '_', '-' and '.'.");
    }
    String deletionProtection = metadata.get("deletionProtection");
    if (deletionProtection != null
        && !deletionProtection.equalsIgnoreCase("true")
        && !deletionProtection.equalsIgnoreCase("false")) {
      throw new DynamoException(
          WireError.INVALID_PARAMETER_VALUE, "deletionProtection must be true or false.");
    }
    long now = clock.getAsLong();
    if (token != null) {
      for (RestoreJob j : restores.values()) {
        if (token.equals(j.idempotencyToken()) && now - j.creationMillis() < IDEMPOTENCY_MILLIS) {
          return j;
        }
      }
    }
    RestoreJob job =
        new RestoreJob(
            UUID.randomUUID().toString().toUpperCase(Locale.ROOT),
            p.arn(),
            p.resourceArn(),
            p.vaultName(),
            iamRoleArn,
            token,
            metadata,
            RestoreJob.PENDING,
            null,
            now,
            null,
            null,
            null,
            p.sizeBytes(),
            p.creationMillis());
    putRestore(job);
    kick();
    return job;
  }

  private void startRestore(RestoreJob j, long now) {
    RecoveryPoint p = points.get(j.recoveryPointArn());
    boolean fromCold = p != null && cold != null && cold.isCold(p.id());
    Optional<BackupRecord> r;
    try {
      r =
          p == null || p.backupArn() == null
              ? Optional.empty()
              : fromCold ? Optional.of(cold.record(p)) : backups.find(p.backupArn());
    } catch (IOException e) {
      putRestore(
          j.with(
              RestoreJob.FAILED,
              "The cold copy of recovery point "
                  + j.recoveryPointArn()
                  + " cannot be read: "
                  + e.getMessage(),
              now,
              null,
              null));
      return;
    }
    if (r.isEmpty()) {
      putRestore(
          j.with(
              RestoreJob.FAILED,
              "Recovery point " + j.recoveryPointArn() + " no longer exists.",
              now,
              null,
              null));
      return;
    }
    String target = j.metadata().get("targetTableName");
    String denied =
        roles.refusal(
            j.iamRoleArn(),
            "restore",
            List.of(
                new dev.tidemark.auth.Check(
                    "dynamodb:RestoreTableFromAwsBackup", db.tableArn(target))));
    if (denied != null) {
      putRestore(j.with(RestoreJob.FAILED, denied, now, null, null));
      return;
    }
    Table table;
    try {
      synchronized (db.catalog()) {
        if (db.catalog().find(target).isPresent()) {
          putRestore(j.with(RestoreJob.FAILED, "Table already exists: " + target, now, null, null));
          return;
        }
        TableDefinition def = targetDefinition(r.get(), target, j.metadata());
        // The job settles on the pass its end kicks off, not up to a worker period later.
        table =
            fromCold
                ? cold.restore(r.get(), def, this::kick)
                : backups.restore(r.get(), def, this::kick);
      }
    } catch (DynamoException e) {
      if (e.error() == WireError.LIMIT_EXCEEDED) {
        return;
      }
      putRestore(j.with(RestoreJob.FAILED, e.getMessage(), now, null, null));
      return;
    }
    putRestore(j.with(RestoreJob.RUNNING, null, null, table.definition().tableId(), null));
  }

  /** A RUNNING restore is done when its table is ACTIVE, and failed when the table is gone. */
  private void settleRestore(RestoreJob j, long now) {
    String target = j.metadata().get("targetTableName");
    Optional<Table> t =
        db.catalog().find(target).filter(x -> x.definition().tableId().equals(j.tableId()));
    if (t.isPresent() && "CREATING".equals(t.get().status())) {
      return;
    }
    putRestore(
        t.isPresent()
            ? j.with(RestoreJob.COMPLETED, null, now, j.tableId(), db.tableArn(target))
            : j.with(
                RestoreJob.FAILED,
                "The restore did not complete (see the server log); no table was left behind.",
                now,
                j.tableId(),
                null));
  }

  /** The new table: the source's schema and indexes under the target name, nothing overwritten. */
  private TableDefinition targetDefinition(
      BackupRecord r, String target, Map<String, String> metadata) {
    TableDefinition s;
    try {
      s = JSON.treeToValue(r.schema().get("definition"), TableDefinition.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("recovery point " + r.arn() + " has no readable schema", e);
    }
    return new TableDefinition(
        target,
        db.catalog().allocateId(),
        UUID.randomUUID().toString(),
        db.now(),
        s.keySchema(),
        s.attributeDefinitions(),
        s.billingMode(),
        s.throughput(),
        s.localIndexes(),
        s.globalIndexes(),
        null,
        s.sseEnabled(),
        s.sseType(),
        s.kmsMasterKeyId(),
        s.tableClass(),
        "true".equalsIgnoreCase(metadata.get("deletionProtection")),
        0);
  }

  public synchronized RestoreJob restoreJob(String id) {
    RestoreJob j = id == null ? null : restores.get(id);
    if (j == null) {
      throw notFound("Restore job " + id + " does not exist.");
    }
    return j;
  }

  public synchronized List<RestoreJob> restoreJobs(Predicate<RestoreJob> filter) {
    return restores.values().stream().filter(filter).toList();
  }

  // ---- helpers ----

  /** The table name of a DynamoDB table ARN of this server's region and account. */
  private String tableOf(String resourceArn) {
    String prefix = "arn:aws:dynamodb:" + db.region() + ":" + db.account() + ":table/";
    if (resourceArn == null
        || !resourceArn.startsWith(prefix)
        || resourceArn.indexOf('/', prefix.length()) >= 0) {
      throw new DynamoException(
          WireError.INVALID_PARAMETER_VALUE,
          "Invalid resource ARN: "
              + resourceArn
              + ". Expected a DynamoDB table ARN of the form "
              + prefix
              + "<table name>.");
    }
    return resourceArn.substring(prefix.length());
  }

  private static String idOf(String pointArn) {
    return pointArn.substring(pointArn.lastIndexOf(':') + 1);
  }

  private static String pointIdOf(String backupName) {
    return backupName.substring(backupName.lastIndexOf('.') + 1);
  }

  private static <T> List<T> byCreation(List<T> all, java.util.function.ToLongFunction<T> time) {
    List<T> out = new ArrayList<>(all);
    out.sort(Comparator.comparingLong(time));
    return out;
  }

  private void putVault(Vault v) {
    vaultRecords.put(v.name(), v);
    vaults.put(v.name(), v);
  }

  private void putPoint(RecoveryPoint p) {
    pointRecords.put(p.id(), p);
    points.put(p.arn(), p);
  }

  private void removePoint(RecoveryPoint p) {
    pointRecords.delete(p.id());
    points.remove(p.arn());
  }

  private void putJob(BackupJob j) {
    jobRecords.put(j.id(), j);
    jobs.put(j.id(), j);
  }

  private void putRestore(RestoreJob j) {
    restoreRecords.put(j.id(), j);
    restores.put(j.id(), j);
  }

  static DynamoException notFound(String message) {
    return new DynamoException(WireError.RESOURCE_NOT_FOUND, message);
  }

  private static DynamoException alreadyExists(String message, String requestId, String arn) {
    com.fasterxml.jackson.databind.node.ObjectNode extra = JSON.createObjectNode();
    if (requestId != null) {
      extra.put("CreatorRequestId", requestId);
    }
    extra.put("Arn", arn);
    return new DynamoException(WireError.ALREADY_EXISTS, message, extra);
  }

  @Override
  public synchronized void close() {
    if (worker != null) {
      worker.shutdownNow();
    }
  }
}
