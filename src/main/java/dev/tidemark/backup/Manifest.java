package dev.tidemark.backup;

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
 * @param objects data objects in the order they were added; the same object may appear twice
 */
public record Manifest(
    int formatVersion,
    String backupId,
    BackupMetadata metadata,
    WrappedKey dataKey,
    List<DataObjectRef> objects) {
  public static final int CURRENT_FORMAT_VERSION = 1;

  public Manifest {
    if (formatVersion < 1 || formatVersion > CURRENT_FORMAT_VERSION) {
      throw new IllegalArgumentException("unsupported manifest format version " + formatVersion);
    }
    BackupLayout.checkId(backupId, "backup id");
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(dataKey, "dataKey");
    objects = List.copyOf(objects);
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
