package dev.tidemark.backup;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.backup.crypto.WrappedKey;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything needed to restore one backup, given the master key. Written last, so a backup exists
 * exactly when its manifest does.
 *
 * @param backupId the last segment of the manifest's name
 * @param dataKey the table's data key, wrapped under the master key; every data object listed is
 *     encrypted under it. A copy lives in the table's key object too, but restores use this one, so
 *     a manifest needs nothing but its data objects.
 * @param objects data objects in the order they were added; the same object may appear twice. In an
 *     incremental backup the first {@link Incremental#baseObjects()} are the full snapshot's table
 *     data objects and the rest are delta objects, in layer order.
 * @param incremental null for a full backup (format 1); for an incremental one (format 2), how its
 *     objects combine into the table
 */
public record Manifest(
    int formatVersion,
    String backupId,
    BackupMetadata metadata,
    WrappedKey dataKey,
    List<DataObjectRef> objects,
    Incremental incremental) {
  /** Full backups are still written as format 1, so servers that read only 1 can restore them. */
  public static final int FULL_FORMAT_VERSION = 1;

  /** Incremental backups need a reader that lays their deltas over the base objects. */
  public static final int INCREMENTAL_FORMAT_VERSION = 2;

  public static final int CURRENT_FORMAT_VERSION = INCREMENTAL_FORMAT_VERSION;

  public Manifest {
    if (formatVersion < 1 || formatVersion > CURRENT_FORMAT_VERSION) {
      throw new IllegalArgumentException("unsupported manifest format version " + formatVersion);
    }
    if ((incremental != null) != (formatVersion == INCREMENTAL_FORMAT_VERSION)) {
      throw new IllegalArgumentException(
          "format "
              + formatVersion
              + " manifests are "
              + (incremental == null ? "" : "not ")
              + "incremental");
    }
    BackupLayout.checkId(backupId, "backup id");
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(dataKey, "dataKey");
    objects = List.copyOf(objects);
    if (incremental != null) {
      int layered = incremental.baseObjects();
      for (Layer l : incremental.layers()) {
        layered += l.objects();
      }
      if (layered != objects.size()) {
        throw new IllegalArgumentException(
            "an incremental manifest's base and layers hold "
                + layered
                + " objects, but it lists "
                + objects.size());
      }
    }
  }

  /** A full backup's manifest. */
  public Manifest(
      int formatVersion,
      String backupId,
      BackupMetadata metadata,
      WrappedKey dataKey,
      List<DataObjectRef> objects) {
    this(formatVersion, backupId, metadata, dataKey, objects, null);
  }

  /**
   * How an incremental backup's objects make its table: the full snapshot it started from, then one
   * layer per backup since, each holding the final images (or deletions) of the items changed in
   * its range of the change log. Everything the restore needs about the base is copied here, so the
   * base backup may be deleted without breaking this one.
   *
   * @param baseBackupId the full backup whose data objects come first (it may no longer exist)
   * @param basePosition the change-log position of that full snapshot
   * @param baseItemCount its item count
   * @param baseSizeBytes its table size
   * @param baseTableSchema its {@code tableSchema} (definition and index counters), which says
   *     which index entries its objects hold
   * @param baseObjects how many of {@link #objects()}, from the start, are its data objects
   * @param layers the delta layers in the order they apply, the last one this backup's own
   */
  public record Incremental(
      String baseBackupId,
      LogPosition basePosition,
      long baseItemCount,
      long baseSizeBytes,
      JsonNode baseTableSchema,
      int baseObjects,
      List<Layer> layers) {
    public Incremental {
      BackupLayout.checkId(baseBackupId, "base backup id");
      Objects.requireNonNull(basePosition, "basePosition");
      Objects.requireNonNull(baseTableSchema, "baseTableSchema");
      if (baseItemCount < 0 || baseSizeBytes < 0 || baseObjects < 0) {
        throw new IllegalArgumentException("base counts must be non-negative");
      }
      baseTableSchema = baseTableSchema.deepCopy();
      layers = List.copyOf(layers);
      long after = basePosition.seq();
      for (Layer l : layers) {
        if (l.afterSeq() != after) {
          throw new IllegalArgumentException(
              "delta layers must follow each other: a layer starts after seq "
                  + l.afterSeq()
                  + " where the previous one ends at "
                  + after);
        }
        after = l.throughSeq();
      }
    }

    @Override
    public JsonNode baseTableSchema() {
      return baseTableSchema.deepCopy();
    }
  }

  /**
   * One delta layer: the items changed in {@code (afterSeq, throughSeq]}, as {@code objects} delta
   * objects ({@link TableChunks#DELTA_MAGIC}).
   */
  public record Layer(String backupId, long afterSeq, long throughSeq, int objects) {
    public Layer {
      BackupLayout.checkId(backupId, "layer backup id");
      if (afterSeq < 0 || throughSeq < afterSeq || objects < 0) {
        throw new IllegalArgumentException(
            "bad delta layer (" + afterSeq + ", " + throughSeq + "] of " + objects + " objects");
      }
    }
  }

  /** The full snapshot's table data objects (all of them in a full backup). */
  public List<DataObjectRef> baseObjects() {
    return incremental == null ? objects : objects.subList(0, incremental.baseObjects());
  }

  /** The delta objects, in the order they apply (none in a full backup). */
  public List<DataObjectRef> deltaObjects() {
    return incremental == null
        ? List.of()
        : objects.subList(incremental.baseObjects(), objects.size());
  }

  public String tableId() {
    return metadata.tableId();
  }

  public String manifestName() {
    return BackupLayout.manifestName(metadata.tableId(), backupId);
  }

  /** Distinct object names, in first-reference order. */
  public Set<String> objectNames() {
    Set<String> names = new LinkedHashSet<>();
    objects.forEach(o -> names.add(o.name()));
    return names;
  }

  /** Bytes the backup's distinct objects occupy in the store (shared ones counted fully). */
  public long storedBytes() {
    Set<String> seen = new LinkedHashSet<>();
    long total = 0;
    for (DataObjectRef o : objects) {
      if (seen.add(o.name())) {
        total += o.storedSize();
      }
    }
    return total;
  }
}
