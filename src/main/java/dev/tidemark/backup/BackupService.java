package dev.tidemark.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.backup.store.NoSuchObjectException;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.indexes.IndexStats;
import dev.tidemark.storage.BulkLoader;
import dev.tidemark.storage.Cursor;
import dev.tidemark.storage.StorageFullException;
import dev.tidemark.storage.StorageSnapshot;
import dev.tidemark.storage.WriteSet;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.IndexDefinition;
import dev.tidemark.tables.RestoreSummary;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.TableCatalog;
import dev.tidemark.tables.TableDefinition;
import dev.tidemark.tables.WritePath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On-demand backups and restores. A backup is taken from a storage snapshot (so writers are never
 * blocked and the backup is one instant), split into content-defined data objects that the store
 * shares between backups of the same table, and becomes AVAILABLE when its manifest is written. A
 * restore checks the backup, fills a new table space by bulk loading, and only then makes the table
 * ACTIVE; a failed or interrupted restore leaves no table.
 *
 * <p>The store is the truth: on start the service lists every manifest, so a fresh server with an
 * empty data directory sees every backup.
 */
public final class BackupService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BackupService.class);
  private static final ObjectMapper JSON = JsonMapper.builder().findAndAddModules().build();
  private static final byte[] PENDING_PREFIX = "backup-pending/".getBytes(StandardCharsets.UTF_8);
  private static final int MAX_CONCURRENT_JOBS = 10;

  private final Database db;
  private final BackupRepository repository;
  private final Path scratchDir;
  private final Map<String, BackupRecord> byArn = new ConcurrentHashMap<>();
  private final Map<String, UnreadableBackup> unreadable = new ConcurrentHashMap<>();
  private final Set<String> deleting = ConcurrentHashMap.newKeySet();
  private final RestoreProgress progress = new RestoreProgress();
  private final ExecutorService jobs;
  private final AtomicInteger running = new AtomicInteger();
  private final SecureRandom random = new SecureRandom();
  private volatile ArchivedChanges archive = ArchivedChanges.NONE;
  private volatile JobObserver observer = JobObserver.NONE;
  private volatile IncrementalPlan.Limits limits = IncrementalPlan.Limits.defaults();

  public BackupService(Database db, BackupRepository repository, Path scratchDir) {
    this.db = db;
    this.repository = repository;
    this.scratchDir = scratchDir;
    this.jobs =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "tidemark-backup");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Told when a backup or restore ends, for metrics: its kind (a backup's type, USER, SYSTEM, PITR
   * base..., or {@code RESTORE}), whether it succeeded, how long it ran and how many bytes it
   * holds. Called on the job's thread; must be cheap and must not throw.
   */
  @FunctionalInterface
  public interface JobObserver {
    JobObserver NONE = (kind, succeeded, nanos, bytes) -> {};

    void finished(String kind, boolean succeeded, long nanos, long bytes);
  }

  public void observeJobs(JobObserver observer) {
    this.observer = java.util.Objects.requireNonNull(observer);
  }

  /** Backups and restores running now. */
  public int runningJobs() {
    return running.get();
  }

  public BackupRepository repository() {
    return repository;
  }

  /** Loads the catalog from the store and cleans up after backups a crash interrupted. */
  public void start() throws IOException {
    // Scratch files belong to restores, and none runs yet: anything here was cut by a crash.
    if (Files.isDirectory(scratchDir)) {
      try (var entries = Files.list(scratchDir)) {
        entries.forEach(BackupService::deleteQuietly);
      }
    }
    for (String manifestName : repository.listManifests()) {
      try {
        BackupRecord r = fromManifest(repository.readManifest(manifestName));
        byArn.put(r.arn(), r);
      } catch (NoSuchObjectException gone) {
        // Deleted since it was listed.
      } catch (IOException e) {
        // Shown, not hidden: an operator must see that the backup exists and why it is unusable.
        UnreadableBackup u = UnreadableBackup.of(manifestName, e, db::tableArn);
        unreadable.put(u.arn(), u);
      }
    }
    if (!unreadable.isEmpty()) {
      LOG.error(
          "{} of {} backups in the backup store cannot be read ({}); they are listed as"
              + " BackupName UNREADABLE.* and cannot be restored until the reason is fixed",
          unreadable.size(),
          unreadable.size() + byArn.size(),
          UnreadableBackup.causes(unreadable.values()));
    }
    List<byte[]> pending = new ArrayList<>();
    try (Cursor c = db.storage().scanMeta(PENDING_PREFIX)) {
      while (c.next()) {
        pending.add(c.key());
        ObjectNode marker = (ObjectNode) JSON.readTree(c.value());
        String arn = marker.get("arn").asText();
        if (!byArn.containsKey(arn)) {
          LOG.warn(
              "Backup {} was interrupted by a shutdown before it completed; it does not exist and"
                  + " its partial objects are being removed",
              arn);
          repository.collectOrphans(marker.get("tableUuid").asText());
        }
      }
    }
    WriteSet clear = new WriteSet();
    pending.forEach(clear::deleteMeta);
    if (!clear.isEmpty()) {
      db.storage().apply(clear);
      db.storage().sync();
    }
    LOG.info("{} backups in the backup store", byArn.size());
  }

  /** The AVAILABLE backup a manifest describes. */
  public static BackupRecord fromManifest(Manifest m) {
    BackupMetadata md = m.metadata();
    JsonNode schema = md.tableSchema();
    Long expiry = schema.hasNonNull("expiryMillis") ? schema.get("expiryMillis").asLong() : null;
    return new BackupRecord(
        md.backupArn(),
        md.backupName(),
        md.backupType(),
        "AVAILABLE",
        md.tableName(),
        md.tableId(),
        md.tableArn(),
        md.creationTimeMillis(),
        md.sizeBytes(),
        md.itemCount(),
        m.manifestName(),
        schema,
        md.position(),
        expiry);
  }

  /**
   * Adds a backup whose manifest was written into the store by another writer than {@link #create}
   * (a copy from another vault or region), as {@link #start} would find it.
   */
  public BackupRecord register(Manifest m) {
    BackupRecord r = fromManifest(m);
    byArn.put(r.arn(), r);
    return r;
  }

  /** The type of the base snapshots PITR keeps; they are not backups a user sees. */
  public static final String PITR_BASE = "PITR_BASE";

  /** A backup the API may show (PITR bases are internal). */
  public Optional<BackupRecord> find(String arn) {
    return Optional.ofNullable(byArn.get(arn)).filter(r -> !PITR_BASE.equals(r.type()));
  }

  /** The PITR base snapshots of one table incarnation, oldest first, including CREATING ones. */
  public List<BackupRecord> bases(String tableUuid) {
    List<BackupRecord> out = new ArrayList<>();
    for (BackupRecord r : all()) {
      if (PITR_BASE.equals(r.type()) && r.tableUuid().equals(tableUuid)) {
        out.add(r);
      }
    }
    return out;
  }

  /** Every backup the API may show, oldest first. */
  public List<BackupRecord> list() {
    List<BackupRecord> out = new ArrayList<>();
    for (BackupRecord r : all()) {
      if (!PITR_BASE.equals(r.type())) {
        out.add(r);
      }
    }
    return out;
  }

  /** Backups whose manifest this server cannot read (wrong key, damaged), oldest first. */
  public List<UnreadableBackup> unreadable() {
    List<UnreadableBackup> out = new ArrayList<>(unreadable.values());
    Comparator<UnreadableBackup> byTime =
        Comparator.comparingLong((UnreadableBackup u) -> u.creationMillis());
    out.sort(byTime.thenComparing((UnreadableBackup u) -> u.arn()));
    return out;
  }

  public Optional<UnreadableBackup> findUnreadable(String arn) {
    return Optional.ofNullable(unreadable.get(arn));
  }

  /** Looks a backup up by ARN, bases included; for PITR. */
  public Optional<BackupRecord> any(String arn) {
    return Optional.ofNullable(byArn.get(arn));
  }

  private List<BackupRecord> all() {
    List<BackupRecord> all = new ArrayList<>(byArn.values());
    all.sort(
        Comparator.comparingLong(BackupRecord::creationMillis).thenComparing(BackupRecord::arn));
    return all;
  }

  private void reserveJob() {
    if (running.incrementAndGet() > MAX_CONCURRENT_JOBS) {
      running.decrementAndGet();
      throw new DynamoException(
          WireError.LIMIT_EXCEEDED,
          "There is a limit of "
              + MAX_CONCURRENT_JOBS
              + " concurrent backup and restore operations; retry when some have completed");
    }
  }

  /**
   * Starts a backup of the table as of now. Returns the CREATING record at once; the data is
   * written in the background from a snapshot taken here.
   */
  public BackupRecord create(Table table, String name, String type, Long expiryMillis) {
    return create(table, name, type, expiryMillis, () -> {});
  }

  /**
   * As {@link #create(Table, String, String, Long)}, running {@code whenDone} once the backup has
   * finished or failed (a deleted table's space is dropped only then).
   */
  public BackupRecord create(
      Table table, String name, String type, Long expiryMillis, Runnable whenDone) {
    reserveJob();
    StorageSnapshot snapshot = null;
    try {
      long now = db.now();
      TableDefinition def = table.definition();
      String backupId = String.format("%014d-%08x", now, random.nextInt());
      String arn = db.tableArn(def.name()) + "/backup/" + backupId;
      // Snapshot and position together: the position's time is an instant the snapshot holds
      // exactly (every earlier commit in it, every later one stamped no earlier).
      StorageSnapshot[] taken = new StorageSnapshot[1];
      WritePath.Position[] at = new WritePath.Position[1];
      db.writePath()
          .exclusive(
              () -> {
                taken[0] = db.storage().snapshot();
                at[0] = db.writePath().capturePosition();
              });
      snapshot = taken[0];
      LogPosition position = new LogPosition(at[0].seq(), at[0].timeFloor());
      byte[] stats = snapshot.getMeta(TableCatalog.statsKey(def.id()));
      long itemCount = stats == null ? 0 : ByteBuffer.wrap(stats).getLong();
      long sizeBytes = stats == null ? 0 : ByteBuffer.wrap(stats).getLong(8);
      ObjectNode schema = JSON.createObjectNode();
      schema.set("definition", JSON.valueToTree(def));
      ObjectNode indexStats = schema.putObject("indexStats");
      for (IndexDefinition i : def.allIndexes()) {
        IndexStats st =
            IndexStats.decode(snapshot.getMeta(TableCatalog.indexStatsKey(def.id(), i.number())));
        indexStats.putArray(Integer.toString(i.number())).add(st.itemCount()).add(st.sizeBytes());
      }
      if (expiryMillis != null) {
        schema.put("expiryMillis", expiryMillis);
      }
      BackupRecord record =
          new BackupRecord(
              arn,
              name,
              type,
              "CREATING",
              def.name(),
              def.tableId(),
              db.tableArn(def.name()),
              now,
              sizeBytes,
              itemCount,
              BackupLayout.manifestName(def.tableId(), backupId),
              schema,
              position,
              expiryMillis);
      byte[] marker = markerKey(backupId);
      db.storage()
          .apply(
              new WriteSet()
                  .putMeta(
                      marker,
                      JSON.writeValueAsBytes(Map.of("arn", arn, "tableUuid", def.tableId()))));
      db.storage().sync();
      byArn.put(arn, record);
      StorageSnapshot source = snapshot;
      snapshot = null;
      jobs.execute(
          () -> {
            try {
              runBackup(record, def, source, marker);
            } finally {
              // The job counts as running until its caller has been told: awaitIdle then means
              // "every backup finished and every whenDone ran", which is what callers wait for.
              try {
                whenDone.run();
              } finally {
                running.decrementAndGet();
              }
            }
          });
      return record;
    } catch (IOException e) {
      running.decrementAndGet();
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      running.decrementAndGet();
      throw e;
    } finally {
      if (snapshot != null) {
        snapshot.close();
      }
    }
  }

  private static byte[] markerKey(String backupId) {
    return (new String(PENDING_PREFIX, StandardCharsets.UTF_8) + backupId)
        .getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The record with its items' {@link ContentDigest} in its schema (so in the manifest), for the
   * types it is recorded for; older readers ignore the field.
   */
  private static BackupRecord withContentDigest(
      BackupRecord record, StorageSnapshot snapshot, long tableId) {
    if (!ContentDigest.RECORDED_FOR.equals(record.type())) {
      return record;
    }
    ObjectNode schema = (ObjectNode) record.schema().deepCopy();
    try (Cursor items =
        snapshot.scan(tableId, ContentDigest.itemsFrom(), ContentDigest.itemsTo(), false)) {
      schema.set(ContentDigest.SCHEMA_FIELD, ContentDigest.of(items).toJson());
    }
    return record.withSchema(schema);
  }

  private void runBackup(
      BackupRecord record, TableDefinition def, StorageSnapshot snapshot, byte[] marker) {
    long tableId = def.id();
    long started = System.nanoTime();
    boolean succeeded = false;
    try (snapshot;
        BackupWriter writer = repository.begin(record.tableUuid(), record.backupId())) {
      record = withContentDigest(record, snapshot, tableId);
      BackupMetadata metadata =
          new BackupMetadata(
              record.arn(),
              record.name(),
              record.type(),
              record.tableName(),
              record.tableUuid(),
              record.tableArn(),
              record.schema(),
              record.position(),
              record.itemCount(),
              record.sizeBytes(),
              record.creationMillis());
      // The base is read with the writer open: garbage collection now waits for this backup, so
      // the base's objects cannot disappear before the manifest that shares them is written.
      IncrementalPlan.Decision decision =
          PITR_BASE.equals(record.type())
              ? new IncrementalPlan.Decision(null, "PITR base snapshots are always full")
              : IncrementalPlan.decide(
                  newestBase(record),
                  tableId,
                  def.keySchema(),
                  record.position().seq(),
                  snapshot,
                  archive,
                  repository.store(),
                  limits);
      IncrementalPlan plan = decision.plan();
      AtomicInteger part = new AtomicInteger();
      if (plan != null) {
        for (DataObjectRef ref : plan.base.objects()) {
          writer.reference(ref);
        }
        int layer =
            plan.base.incremental() == null ? 1 : plan.base.incremental().layers().size() + 1;
        TableChunks.splitDelta(
            plan.images(snapshot, tableId),
            (plaintext, entries) ->
                writer.submit(
                    String.format("delta-%03d-%06d", layer, part.incrementAndGet()),
                    ObjectSource.of(plaintext)));
        writer.commit(
            metadata, plan.section(record.backupId(), record.position().seq(), part.get()));
      } else {
        try (Cursor cursor = snapshot.scan(tableId, null, null, false)) {
          TableChunks.split(
              cursor,
              (plaintext, entries) ->
                  writer.submit(
                      String.format("table-data-%06d", part.incrementAndGet()),
                      ObjectSource.of(plaintext)));
        }
        writer.commit(metadata);
      }
      if (plan != null) {
        LOG.info(
            "Backup {} is incremental: {} changed items since {} ({} delta objects)",
            record.arn(),
            plan.changedKeys.size(),
            plan.base.backupId(),
            part.get());
      } else {
        LOG.info("Backup {} is full: {}", record.arn(), decision.fullBecause());
      }
      byArn.put(record.arn(), record.withStatus("AVAILABLE"));
      succeeded = true;
      LOG.info(
          "Backup {} is AVAILABLE ({} objects written, {} shared with earlier backups)",
          record.arn(),
          writer.uploadedObjects(),
          writer.reusedObjects());
    } catch (Exception e) {
      if (StorageFullException.isNoSpace(e)) {
        // Expected while the store is full, and said once by the free-space guard: no trace.
        db.space().storeWriteFailed(e);
        LOG.error(
            "Backup {} failed and was discarded: the backup store is full ({})",
            record.arn(),
            e.toString());
      } else {
        LOG.error("Backup {} failed and was discarded: {}", record.arn(), e.toString(), e);
      }
      try {
        // A manifest write can fail after the store applied it (an answer lost, then every retry
        // failing): the backup reported failed would come back, listed, at the next start.
        if (repository.store().exists(record.manifestName())) {
          repository.deleteBackup(record.manifestName());
          LOG.warn(
              "Backup {}: the store kept its manifest although writing it failed; removed",
              record.arn());
        }
        repository.collectOrphans(record.tableUuid());
      } catch (IOException cleanup) {
        LOG.warn("could not remove the partial objects of backup {}", record.arn(), cleanup);
      }
      // Only now: until its objects are gone the backup is still being taken down.
      byArn.remove(record.arn());
    } finally {
      try {
        db.storage().apply(new WriteSet().deleteMeta(marker));
      } catch (RuntimeException e) {
        LOG.warn("could not clear the marker of backup {}", record.arn(), e);
      }
      observer.finished(record.type(), succeeded, System.nanoTime() - started, record.sizeBytes());
    }
  }

  /**
   * The newest AVAILABLE backup of the same table incarnation at or before {@code record}'s
   * position, read from the store, or null. PITR bases qualify too: they are full snapshots of the
   * table like any other.
   */
  private Manifest newestBase(BackupRecord record) {
    BackupRecord best = null;
    for (BackupRecord r : byArn.values()) {
      if (r.tableUuid().equals(record.tableUuid())
          && !r.arn().equals(record.arn())
          && "AVAILABLE".equals(r.status())
          && r.position().seq() <= record.position().seq()
          && (best == null
              || r.position().seq() > best.position().seq()
              || (r.position().seq() == best.position().seq()
                  && r.creationMillis() > best.creationMillis()))) {
        best = r;
      }
    }
    if (best == null) {
      return null;
    }
    try {
      return repository.readManifest(best.manifestName());
    } catch (IOException e) {
      LOG.warn(
          "backup {} cannot serve as the base of an incremental backup: {}",
          best.arn(),
          e.toString());
      return null;
    }
  }

  /**
   * Lets incremental backups learn from the PITR archive which items changed where the local change
   * log has been trimmed.
   */
  public void useArchive(ArchivedChanges archive) {
    this.archive = java.util.Objects.requireNonNull(archive);
  }

  /**
   * When a backup is full instead of incremental: once its deltas would pass {@code
   * maxDeltaFraction} of the base snapshot's bytes, or {@code maxLayers} layers.
   */
  public void setIncrementalLimits(double maxDeltaFraction, int maxLayers) {
    this.limits = new IncrementalPlan.Limits(maxDeltaFraction, maxLayers);
  }

  /**
   * Deletes an AVAILABLE backup: its manifest, then the objects no other backup shares. The state
   * is decided here, not from {@code record} (which the caller read earlier and may be stale): a
   * backup still CREATING is refused with BackupInUse; one another request is deleting, or that is
   * already gone (from the catalog or, behind this server's back, from the store), is
   * BackupNotFound.
   */
  public BackupRecord delete(BackupRecord record) throws IOException {
    String arn = record.arn();
    // One delete per backup at a time: the loser of a race must not reach the store, where the
    // manifest the winner removed would surface as an internal error.
    if (!deleting.add(arn)) {
      throw notFound(arn);
    }
    try {
      BackupRecord current = byArn.get(arn);
      if (current == null) {
        throw notFound(arn);
      }
      if (!"AVAILABLE".equals(current.status())) {
        throw new DynamoException(
            WireError.BACKUP_IN_USE, "Backup is being created and cannot be deleted: " + arn);
      }
      try {
        repository.deleteBackup(current.manifestName());
      } catch (NoSuchObjectException gone) {
        byArn.remove(arn, current);
        throw notFound(arn);
      }
      // Removed before the claim is released, so a later delete finds nothing rather than racing.
      byArn.remove(arn, current);
      return current.withStatus("DELETED");
    } finally {
      deleting.remove(arn);
    }
  }

  /** DynamoDB's answer for a backup ARN that names no backup. */
  public static DynamoException notFound(String arn) {
    return new DynamoException(WireError.BACKUP_NOT_FOUND, "Backup not found: " + arn);
  }

  public VerifyResult verify(BackupRecord record) {
    return repository.verify(record.manifestName());
  }

  /**
   * Restores a backup into a new table, which is CREATING until every entry is loaded. {@code
   * target} is the new table's definition (new id and TableId, overrides applied); entries of
   * indexes it does not keep are left out.
   */
  public Table restore(BackupRecord backup, TableDefinition target) {
    return restore(backup, target, () -> {});
  }

  /** As {@link #restore(BackupRecord, TableDefinition)}, running {@code whenDone} once it ends. */
  public Table restore(BackupRecord backup, TableDefinition target, Runnable whenDone) {
    Manifest manifest = restorable(backup);
    return startRestore(
        target,
        new RestoreSummary(backup.arn(), backup.tableArn(), backup.creationMillis()),
        loader -> load(manifest, target, loader),
        whenDone);
  }

  /** Loads a backup whose manifest {@link #restorable} returned, shaped as {@code target}. */
  public SnapshotLoader.Result load(Manifest manifest, TableDefinition target, BulkLoader loader)
      throws IOException {
    return SnapshotLoader.loadBackup(
        repository, manifest, SnapshotLoader.newOverlay(), target, Set.of(), loader);
  }

  /**
   * The manifest of a backup whose every data object is in the store, or a ValidationException
   * naming what is missing, before any table is created.
   */
  public Manifest restorable(BackupRecord backup) {
    Manifest checked;
    try {
      checked = repository.readManifest(backup.manifestName());
      // One listing per directory of the manifest's objects (on S3 a request per thousand
      // objects) rather than one size request each, sent one after another before the restore
      // could start.
      Map<String, Map<String, Long>> listed = new java.util.HashMap<>();
      for (DataObjectRef ref : checked.objects()) {
        String dir = ref.name().substring(0, ref.name().lastIndexOf('/') + 1);
        Map<String, Long> stored = listed.get(dir);
        if (stored == null) {
          stored = repository.store().sizes(dir);
          listed.put(dir, stored);
        }
        if (!stored.containsKey(ref.name())) {
          throw DynamoException.validation(
              "Backup "
                  + backup.arn()
                  + " cannot be restored: data object "
                  + ref.name()
                  + " is missing");
        }
      }
    } catch (IOException e) {
      throw DynamoException.validation(
          "Backup " + backup.arn() + " cannot be restored: " + e.getMessage());
    }
    return checked;
  }

  /** The index counters a backup recorded, by index number. */
  public static Map<Integer, long[]> indexStats(JsonNode schema) {
    Map<Integer, long[]> out = new java.util.HashMap<>();
    JsonNode stats = schema.get("indexStats");
    if (stats != null) {
      stats
          .fields()
          .forEachRemaining(
              e ->
                  out.put(
                      Integer.parseInt(e.getKey()),
                      new long[] {e.getValue().get(0).asLong(), e.getValue().get(1).asLong()}));
    }
    return out;
  }

  /** Fills a table being restored; returns the counters it starts with. */
  @FunctionalInterface
  public interface Filler {
    SnapshotLoader.Result fill(BulkLoader loader) throws IOException;
  }

  /**
   * Creates a CREATING table for a restore and fills it in the background. The table becomes ACTIVE
   * only when complete; on any failure it is dropped (invariant I4).
   */
  public Table startRestore(TableDefinition target, RestoreSummary summary, Filler filler) {
    return startRestore(target, summary, filler, () -> {});
  }

  /**
   * As {@link #startRestore(TableDefinition, RestoreSummary, Filler)}, running {@code whenDone} on
   * the restore's thread once the table is ACTIVE or dropped (so that a caller tracking the
   * restore, AWS Backup's restore job, learns of it at once rather than at its next look).
   */
  public Table startRestore(
      TableDefinition target, RestoreSummary summary, Filler filler, Runnable whenDone) {
    // A restore bulk-loads a whole table into the data directory.
    db.space().checkDataWritable();
    reserveJob();
    Table table;
    try {
      table = db.catalog().createRestoring(target, summary);
    } catch (RuntimeException e) {
      running.decrementAndGet();
      throw e;
    }
    RestoreProgress.Progress measured = progress.begin(table.id());
    jobs.execute(
        () -> {
          RestoreProgress.bind(measured);
          try {
            runRestore(table, filler, summary.sourceTableArn(), whenDone);
          } finally {
            RestoreProgress.unbind();
          }
        });
    return table;
  }

  /** How far each running restore is (the console shows it while the new table is CREATING). */
  public RestoreProgress restoreProgress() {
    return progress;
  }

  private void runRestore(Table table, Filler filler, String source, Runnable whenDone) {
    Path scratch = scratchDir.resolve("restore-" + table.id());
    boolean done = false;
    long started = System.nanoTime();
    long bytes = 0;
    try (BulkLoader loader = db.storage().bulkLoader(table.id(), scratch)) {
      SnapshotLoader.Result result = filler.fill(loader);
      loader.finish();
      WriteSet stats = new WriteSet();
      for (Map.Entry<Integer, long[]> e : result.indexStats().entrySet()) {
        stats.putMeta(
            TableCatalog.indexStatsKey(table.id(), e.getKey()),
            new IndexStats(e.getValue()[0], e.getValue()[1]).encode());
      }
      db.catalog().activateRestored(table, result.itemCount(), result.sizeBytes(), stats);
      done = true;
      bytes = result.sizeBytes();
      // A snapshot taken while an index was being built restores it CREATING; finish it here.
      db.indexes().resumeBuilds(table);
      LOG.info("Table {} restored from {} is ACTIVE", table.name(), source);
    } catch (Exception e) {
      LOG.error(
          "Restore from {} into table {} failed; no table was created: {}",
          source,
          table.name(),
          e.toString(),
          e);
    } finally {
      if (!done) {
        try {
          db.catalog().abandonRestore(table);
        } catch (RuntimeException e) {
          LOG.warn("could not drop the partial restore of {}", table.name(), e);
        }
      }
      deleteQuietly(scratch);
      running.decrementAndGet();
      // Before whenDone: whoever learns the restore ended must not still see it in progress.
      progress.end(table.id());
      observer.finished("RESTORE", done, System.nanoTime() - started, bytes);
      whenDone.run();
    }
  }

  private static void deleteQuietly(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.debug("could not clean {}", dir, e);
    }
  }

  /** Waits for running jobs, for tests and orderly shutdown. */
  public boolean awaitIdle(long timeoutMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (running.get() > 0) {
      if (System.currentTimeMillis() > deadline) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }

  @Override
  public void close() {
    jobs.shutdownNow();
    try {
      jobs.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
