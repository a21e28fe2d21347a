package dev.tidemark.backup;

import dev.tidemark.api.ItemKeys;
import dev.tidemark.backup.store.ObjectStore;
import dev.tidemark.changelog.ChangeLog;
import dev.tidemark.changelog.ChangeRecordCodec;
import dev.tidemark.storage.Cursor;
import dev.tidemark.storage.StorageSnapshot;
import dev.tidemark.tables.KeySchema;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.TreeSet;

/**
 * An incremental backup about to be written: the earlier backup it builds on and the items changed
 * since. {@link #decide} says whether one can be made; otherwise the backup is full.
 *
 * <p>The changed keys come from the change log as the backup's own snapshot holds it: every record
 * after the base's position up to the backup's. Where the data directory has trimmed part of that
 * range, the PITR archive may supply it ({@link ArchivedChanges}); if neither has all of it, the
 * backup is full. The images are read from the same snapshot, so the delta is exactly the table at
 * the backup's position wherever it differs from the base.
 */
final class IncrementalPlan {
  /** Limits that send a backup back to full. */
  record Limits(double maxDeltaFraction, int maxLayers) {
    /**
     * A restore holds the union of the deltas in memory and loads the base under it, so deltas stay
     * below half the base (a PITR restore's overlay can hold every item of the table, so this is
     * within what restores already need); 64 layers keep manifests small. Over a long run of
     * backups that each change 1% of the items, a full one every ~50 backups costs about one more
     * percent per backup.
     */
    static Limits defaults() {
      return new Limits(0.5, 64);
    }
  }

  final Manifest base;
  final NavigableSet<byte[]> changedKeys;

  private IncrementalPlan(Manifest base, NavigableSet<byte[]> changedKeys) {
    this.base = base;
    this.changedKeys = changedKeys;
  }

  /** The outcome of {@link #decide}: a plan, or why there is none. */
  record Decision(IncrementalPlan plan, String fullBecause) {}

  /**
   * Decides for a backup at {@code throughSeq} of table space {@code tableId}, read from {@code
   * snapshot}, whether it can be an incremental over {@code base} (the newest earlier backup of the
   * table, or null). {@code base} must have been read after the backup's writer was opened, so its
   * objects cannot be collected meanwhile.
   */
  static Decision decide(
      Manifest base,
      long tableId,
      KeySchema keySchema,
      long throughSeq,
      StorageSnapshot snapshot,
      ArchivedChanges archive,
      ObjectStore store,
      Limits limits)
      throws IOException {
    if (base == null) {
      return new Decision(null, "no earlier backup of this table");
    }
    int layers = base.incremental() == null ? 0 : base.incremental().layers().size();
    if (layers + 1 > limits.maxLayers()) {
      return new Decision(null, "the earlier backup already has " + layers + " delta layers");
    }
    long afterSeq = base.metadata().position().seq();
    if (afterSeq > throughSeq) {
      return new Decision(null, "the earlier backup is newer");
    }
    Optional<NavigableSet<byte[]>> keys =
        changedKeys(base.tableId(), tableId, keySchema, afterSeq, throughSeq, snapshot, archive);
    if (keys.isEmpty()) {
      return new Decision(
          null,
          "neither the change log nor the PITR archive holds every change since seq " + afterSeq);
    }
    long baseBytes = 0;
    for (DataObjectRef r : base.baseObjects()) {
      baseBytes += r.plaintextSize();
    }
    long deltaBytes = 0;
    for (DataObjectRef r : base.deltaObjects()) {
      deltaBytes += r.plaintextSize();
    }
    for (byte[] key : keys.get()) {
      byte[] value = snapshot.get(tableId, key);
      deltaBytes += key.length + (value == null ? 0 : value.length) + 4;
    }
    if (deltaBytes > limits.maxDeltaFraction() * baseBytes) {
      return new Decision(
          null,
          "the deltas ("
              + deltaBytes
              + " bytes) would pass "
              + limits.maxDeltaFraction()
              + " of the base ("
              + baseBytes
              + " bytes)");
    }
    // One listing rather than a size request per object: on S3 a thousand sequential HEADs took
    // most of a small incremental backup's time.
    Map<String, Long> stored = store.sizes(BackupLayout.dataPrefix(base.tableId()));
    for (DataObjectRef r : base.objects()) {
      Long size = stored.get(r.name());
      if (size == null || size != r.storedSize()) {
        return new Decision(null, "data object " + r.name() + " of the earlier backup is damaged");
      }
    }
    return new Decision(new IncrementalPlan(base, keys.get()), null);
  }

  /** Keys of the items changed in {@code (afterSeq, throughSeq]}, or empty if unknown. */
  static Optional<NavigableSet<byte[]>> changedKeys(
      String tableUuid,
      long tableId,
      KeySchema keySchema,
      long afterSeq,
      long throughSeq,
      StorageSnapshot snapshot,
      ArchivedChanges archive)
      throws IOException {
    NavigableSet<byte[]> keys = new TreeSet<>(Arrays::compareUnsigned);
    // Every record at or above the horizon is still in the snapshot's log.
    long localFrom = Math.max(afterSeq + 1, ChangeLog.trimmedBefore(snapshot, tableId));
    if (localFrom > throughSeq + 1) {
      localFrom = throughSeq + 1;
    }
    if (localFrom > afterSeq + 1) {
      // The horizon is one past a trimmed record of this table, so the archive must reach it.
      Optional<NavigableSet<byte[]>> archived =
          archive.changedKeys(tableUuid, keySchema, afterSeq, localFrom - 1);
      if (archived.isEmpty()) {
        return Optional.empty();
      }
      keys.addAll(archived.get());
    }
    try (Cursor c = snapshot.changes(tableId, localFrom, throughSeq + 1)) {
      while (c.next()) {
        keys.add(ItemKeys.storageKey(keySchema, ChangeRecordCodec.key(c.value())));
      }
    }
    return Optional.of(keys);
  }

  /** The changed items as of the snapshot, in key order; a deleted item's image is null. */
  Iterator<Map.Entry<byte[], byte[]>> images(StorageSnapshot snapshot, long tableId) {
    Iterator<byte[]> it = changedKeys.iterator();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public Map.Entry<byte[], byte[]> next() {
        if (!it.hasNext()) {
          throw new NoSuchElementException();
        }
        byte[] key = it.next();
        return new java.util.AbstractMap.SimpleImmutableEntry<>(key, snapshot.get(tableId, key));
      }
    };
  }

  /**
   * The manifest section of the incremental backup {@code backupId} at {@code throughSeq}, whose
   * own layer has {@code ownObjects} delta objects.
   */
  Manifest.Incremental section(String backupId, long throughSeq, int ownObjects) {
    Manifest.Incremental prior = base.incremental();
    List<Manifest.Layer> layers = new ArrayList<>();
    if (prior != null) {
      layers.addAll(prior.layers());
    }
    layers.add(
        new Manifest.Layer(backupId, base.metadata().position().seq(), throughSeq, ownObjects));
    BackupMetadata md = base.metadata();
    return prior != null
        ? new Manifest.Incremental(
            prior.baseBackupId(),
            prior.basePosition(),
            prior.baseItemCount(),
            prior.baseSizeBytes(),
            prior.baseTableSchema(),
            prior.baseObjects(),
            layers)
        : new Manifest.Incremental(
            base.backupId(),
            md.position(),
            md.itemCount(),
            md.sizeBytes(),
            md.tableSchema(),
            base.objects().size(),
            layers);
  }
}
