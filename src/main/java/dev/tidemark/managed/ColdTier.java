package dev.tidemark.managed;

import dev.tidemark.backup.BackupRecord;
import dev.tidemark.backup.BackupRepository;
import dev.tidemark.backup.BackupService;
import dev.tidemark.backup.ColdPacker;
import dev.tidemark.backup.DataObjectRef;
import dev.tidemark.backup.Manifest;
import dev.tidemark.backup.SnapshotLoader;
import dev.tidemark.backup.VerifyResult;
import dev.tidemark.backup.store.NoSuchObjectException;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.storage.Storage;
import dev.tidemark.tables.RestoreSummary;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.TableDefinition;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cold tier ({@code --cold-backup-store}): a second backup store holding recovery points that
 * reached their {@code MoveToColdStorageAfterDays}, each repacked by {@link ColdPacker} into one
 * compacted, compressed full backup.
 *
 * <p>A move, crash-safe at every step: (1) a MOVING record is synced; (2) the copy is written to
 * the cold store, manifest last; (3) it is verified (every object read back, authenticated, size
 * and SHA-256 checked); (4) the COLD record is synced, which is the switch: from here the point is
 * COLD and restores read the copy; (5) the warm backup is deleted. A restart finding a MOVING
 * record removes whatever of the copy exists and drops the record, so the point is WARM, intact,
 * and its move starts again on the next pass; one finding a COLD point whose warm backup is still
 * in the warm store deletes it then. Never are both gone, and a half-written copy is never COLD.
 *
 * <p>The copy is written on this tier's own thread, so the API is never held up by a move; the
 * records are read and changed only under the {@link ManagedBackups} monitor, which calls in here.
 */
public final class ColdTier implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ColdTier.class);

  /** How long a move that failed (not one a crash cut) waits before it is tried again. */
  static final long RETRY_MILLIS = 3_600_000L;

  private final BackupService warm;
  private final BackupRepository cold;
  private final String description;
  private final MetaRecords<ColdCopy> records;
  private final Map<String, ColdCopy> copies = new HashMap<>();
  private final Map<String, Long> retryAt = new HashMap<>();
  private final Map<String, Outcome> finished = new HashMap<>();
  private final ExecutorService mover;

  /** What the mover thread found: the copy written and verified, or why not. */
  private record Outcome(ColdPacker.Packed packed, String failure) {}

  /**
   * @param storage where the tier's records live (the meta space, beside the recovery points')
   * @param warm the backup service of the warm store, whose backups the points are
   * @param cold the cold store, opened with the same master keys as the warm one
   * @param description where the cold store is, for logs
   */
  public ColdTier(Storage storage, BackupService warm, BackupRepository cold, String description) {
    this.warm = warm;
    this.cold = cold;
    this.description = description;
    this.records = new MetaRecords<>(storage, "cold-copy", ColdCopy.class);
    this.mover =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "tidemark-cold-tier");
              t.setDaemon(true);
              return t;
            });
  }

  public String description() {
    return description;
  }

  /** Reads the records and settles what a crash interrupted; {@code pointIds} are the points. */
  void load(Set<String> pointIds) {
    for (ColdCopy c : records.all()) {
      if (!pointIds.contains(c.pointId())) {
        // Its point is gone (a record left by a crash): so must the copy be.
        if (discard(c)) {
          records.delete(c.pointId());
        }
      } else if (c.isCold()) {
        copies.put(c.pointId(), c);
      } else {
        LOG.warn(
            "Recovery point {} was moving to cold storage when the server stopped; the partial"
                + " copy is removed and the move starts again (the point stays WARM until then)",
            c.pointId());
        if (discard(c)) {
          records.delete(c.pointId());
        } else {
          // Stays MOVING (so not restarted over the remains) until a pass removes them.
          copies.put(c.pointId(), c);
          finished.put(c.pointId(), new Outcome(null, null));
        }
      }
    }
  }

  /**
   * Cold copies in the cold store that no record names, as the backups they are: what a new data
   * directory over an old cold store finds. Unreadable ones are logged and left alone.
   */
  List<BackupRecord> unrecorded() {
    Set<String> known = new java.util.HashSet<>();
    copies.values().forEach(c -> known.add(c.manifestName()));
    List<BackupRecord> out = new java.util.ArrayList<>();
    try {
      for (String name : cold.listManifests()) {
        if (known.contains(name)) {
          continue;
        }
        try {
          BackupRecord r = BackupService.fromManifest(cold.readManifest(name));
          if (ManagedBackups.BACKUP_TYPE.equals(r.type())) {
            out.add(r);
          }
        } catch (IOException | RuntimeException e) {
          LOG.error("Cold copy {} in {} cannot be read: {}", name, description, e.toString());
        }
      }
    } catch (IOException e) {
      LOG.error("The cold store {} cannot be listed: {}", description, e.toString());
    }
    return out;
  }

  /** Files an unrecorded cold copy as the COLD data of point {@code pointId}. */
  void adopt(String pointId, BackupRecord r, long now) throws IOException {
    Manifest m = cold.readManifest(r.manifestName());
    ColdCopy c =
        new ColdCopy(pointId, ColdCopy.MOVING, r.manifestName(), now, null, 0, 0)
            .cold(now, m.objectNames().size(), m.storedBytes());
    records.put(pointId, c);
    copies.put(pointId, c);
  }

  /**
   * Removes an unrecorded cold copy of a point that is WARM here: its move was cut before the
   * switch in a data directory since lost, so it was never verified; the move is made again.
   */
  void discardUnrecorded(BackupRecord r) {
    discard(new ColdCopy("unrecorded", ColdCopy.MOVING, r.manifestName(), 0, null, 0, 0));
  }

  /** {@code COLD} once the point's copy is its data, else {@code WARM} (also while moving). */
  String storageClass(String pointId) {
    ColdCopy c = copies.get(pointId);
    return c != null && c.isCold() ? "COLD" : "WARM";
  }

  boolean isCold(String pointId) {
    ColdCopy c = copies.get(pointId);
    return c != null && c.isCold();
  }

  boolean isMoving(String pointId) {
    ColdCopy c = copies.get(pointId);
    return c != null && !c.isCold();
  }

  /** The point's cold copy record, if it has one. */
  Optional<ColdCopy> copy(String pointId) {
    return Optional.ofNullable(copies.get(pointId));
  }

  /**
   * One pass over the points: starts the move of each COMPLETED WARM point whose cold date has come
   * (and whose deletion has not), and deletes the warm backup of COLD points that still have one,
   * except for points whose warm data a job reads ({@code restoring}: a restore or a copy), which
   * wait for a later pass: a copy reads only warm data, and must not lose it mid-transfer.
   */
  void pass(List<RecoveryPoint> points, long now, Set<String> restoring, Runnable whenPacked) {
    for (RecoveryPoint p : points) {
      if (!RecoveryPoint.COMPLETED.equals(p.status()) || p.backupArn() == null) {
        continue;
      }
      if (isCold(p.id())) {
        if (!restoring.contains(p.arn())) {
          dropWarm(p);
        }
        continue;
      }
      Long moveAt = p.lifecycle().moveToColdStorageAt(p.creationMillis());
      Long deleteAt = p.deleteAt();
      if (moveAt == null
          || moveAt > now
          || (deleteAt != null && deleteAt <= now)
          || isMoving(p.id())
          || restoring.contains(p.arn())
          || retryAt.getOrDefault(p.id(), Long.MIN_VALUE) > now) {
        continue;
      }
      Optional<BackupRecord> r =
          warm.find(p.backupArn()).filter(b -> "AVAILABLE".equals(b.status()));
      if (r.isPresent()) {
        startMove(p, r.get(), now, whenPacked);
      }
    }
  }

  private void startMove(RecoveryPoint p, BackupRecord source, long now, Runnable whenPacked) {
    ColdCopy moving = new ColdCopy(p.id(), ColdCopy.MOVING, source.manifestName(), now, null, 0, 0);
    records.put(p.id(), moving);
    copies.put(p.id(), moving);
    LOG.info(
        "Recovery point {} reached its MoveToColdStorageAfterDays: moving it to the cold store {}",
        p.arn(),
        description);
    mover.execute(
        () -> {
          Outcome outcome;
          try {
            outcome = pack(source);
          } catch (IOException | RuntimeException e) {
            LOG.error("The cold copy of recovery point {} failed: {}", p.arn(), e.toString(), e);
            outcome = new Outcome(null, e.toString());
          }
          synchronized (finished) {
            finished.put(p.id(), outcome);
          }
          whenPacked.run();
        });
  }

  /**
   * Writes the copy, every object read back as it is written, then checks the whole. Runs on the
   * mover thread.
   */
  private Outcome pack(BackupRecord source) throws IOException {
    String name = source.manifestName();
    if (cold.store().exists(name)) {
      // A copy this tier wrote and lost track of (a record lost with a data directory): redo it.
      cold.deleteBackup(name);
    }
    ColdPacker.Packed packed = ColdPacker.pack(warm.repository(), name, cold);
    // Each object was read back, decrypted and checked against its entry as soon as it was
    // written (ColdPacker), while the merge went on; what is left of a verification is the
    // manifest as stored, its data key, and every object still there at its size.
    VerifyResult check = cold.verifyPresent(name, packed.manifest());
    if (!check.ok()) {
      return new Outcome(null, "the cold copy failed verification: " + check.summary());
    }
    if (packed.itemCount() != source.itemCount()) {
      return new Outcome(
          null,
          "the cold copy holds "
              + packed.itemCount()
              + " items where the recovery point recorded "
              + source.itemCount());
    }
    return new Outcome(packed, null);
  }

  /**
   * Finishes the moves whose copies are written: COLD if the copy checked out (then the warm backup
   * goes), otherwise the copy is removed and the move is tried again after {@link #RETRY_MILLIS}.
   * Called under the {@link ManagedBackups} monitor.
   */
  void settle(Map<String, RecoveryPoint> pointsById, long now, Set<String> restoring) {
    Map<String, Outcome> done;
    synchronized (finished) {
      done = new HashMap<>(finished);
      finished.clear();
    }
    for (Map.Entry<String, Outcome> e : done.entrySet()) {
      ColdCopy c = copies.get(e.getKey());
      RecoveryPoint p = pointsById.get(e.getKey());
      if (c == null || c.isCold()) {
        continue;
      }
      Outcome o = e.getValue();
      if (o.packed() != null && p != null) {
        ColdCopy done1 = c.cold(now, o.packed().objects(), o.packed().manifest().storedBytes());
        records.put(c.pointId(), done1);
        copies.put(c.pointId(), done1);
        LOG.info(
            "Recovery point {} is COLD: {} objects, {} bytes in the cold store (verified)",
            p.arn(),
            done1.objects(),
            done1.storedBytes());
        if (!restoring.contains(p.arn())) {
          dropWarm(p);
        }
      } else {
        if (o.failure() != null) {
          LOG.warn(
              "Recovery point {} stays WARM: {}; the move is tried again in an hour",
              c.pointId(),
              o.failure());
        }
        retryAt.put(c.pointId(), now + RETRY_MILLIS);
        if (discard(c)) {
          records.delete(c.pointId());
          copies.remove(c.pointId());
        }
      }
    }
  }

  /** Deletes the warm backup of a COLD point, if it still has one. */
  private void dropWarm(RecoveryPoint p) {
    Optional<BackupRecord> r = warm.any(p.backupArn());
    if (r.isEmpty() || !"AVAILABLE".equals(r.get().status())) {
      return;
    }
    try {
      warm.delete(r.get());
      LOG.info("Recovery point {}: its warm backup {} is deleted", p.arn(), p.backupArn());
    } catch (IOException | RuntimeException e) {
      LOG.warn("Recovery point {}: its warm backup could not be deleted yet", p.arn(), e);
    }
  }

  /** Removes a copy (or what there is of one) from the cold store; false if that failed. */
  private boolean discard(ColdCopy c) {
    try {
      try {
        cold.deleteBackup(c.manifestName());
      } catch (NoSuchObjectException gone) {
        // Cut before its manifest: only objects, which no manifest names.
      }
      cold.collectOrphans(
          dev.tidemark.backup.BackupLayout.parseManifestName(c.manifestName()).tableId());
      return true;
    } catch (IOException | RuntimeException e) {
      LOG.warn("The cold copy of recovery point {} could not be removed yet", c.pointId(), e);
      return false;
    }
  }

  /**
   * Deletes a point's cold copy and its record, for the point's deletion; true when nothing of it
   * is left (also when it never had one). Repeating it after a crash is harmless.
   */
  boolean delete(RecoveryPoint p) {
    ColdCopy c = copies.get(p.id());
    if (c == null) {
      return true;
    }
    try {
      cold.deleteBackup(c.manifestName());
      LOG.info("Recovery point {}: its cold copy is deleted", p.arn());
    } catch (NoSuchObjectException gone) {
      // Deleted before a crash; the record was not.
    } catch (IOException | RuntimeException e) {
      LOG.warn("Recovery point {}: its cold copy could not be deleted yet", p.arn(), e);
      return false;
    }
    records.delete(p.id());
    copies.remove(p.id());
    return true;
  }

  /** The COLD point's backup as its cold copy describes it (schema, counts), for a restore. */
  BackupRecord record(RecoveryPoint p) throws IOException {
    return BackupService.fromManifest(cold.readManifest(copies.get(p.id()).manifestName()));
  }

  /**
   * Restores a COLD point into a new table straight from its cold copy, every object verified as it
   * is read, as a warm restore is; the table is CREATING until complete and dropped on failure.
   */
  Table restore(BackupRecord r, TableDefinition target, Runnable whenDone) {
    Manifest m;
    try {
      m = cold.readManifest(r.manifestName());
      for (DataObjectRef ref : m.objects()) {
        if (cold.store().size(ref.name()).isEmpty()) {
          throw DynamoException.validation(
              "Recovery point cannot be restored: cold object " + ref.name() + " is missing");
        }
      }
    } catch (IOException e) {
      throw DynamoException.validation(
          "Recovery point cannot be restored from the cold store: " + e.getMessage());
    }
    return warm.startRestore(
        target,
        new RestoreSummary(r.arn(), r.tableArn(), r.creationMillis()),
        loader ->
            SnapshotLoader.loadBackup(
                cold, m, SnapshotLoader.newOverlay(), target, Set.of(), loader),
        whenDone);
  }

  /** Waits until the copies started so far are written and settled, for tests. */
  public boolean awaitIdle(long timeoutMillis) throws InterruptedException {
    try {
      // One thread: a task queued now runs after every move queued before it.
      mover.submit(() -> {}).get(timeoutMillis, TimeUnit.MILLISECONDS);
      return true;
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return false;
    }
  }

  @Override
  public void close() {
    mover.shutdownNow();
    try {
      mover.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
