package dev.tidemark.backup;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.storage.BulkLoader;
import dev.tidemark.tables.TableDefinition;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * Repacks one backup of a store, full or incremental, into a single full backup in another store:
 * the cold tier's form of a recovery point (docs/backup-format.md, §10). The base snapshot and
 * every delta layer are merged into the table as the backup restores it (so superseded item images
 * and objects shared with other backups are not carried along), cut into objects of {@link
 * #OBJECT_BYTES} entry bytes rather than the warm store's 1 MiB, and each object compressed (zlib)
 * before it is encrypted and checksummed like any data object. The copy is an ordinary format-1
 * manifest, so it restores and verifies with the code every backup uses.
 */
public final class ColdPacker {
  /** Uncompressed entry bytes per cold object (the last one may hold fewer). */
  public static final int OBJECT_BYTES = 16 << 20;

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .findAndAddModules()
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .build();

  private ColdPacker() {}

  /** What a repack wrote. */
  public record Packed(Manifest manifest, int objects, long itemCount) {}

  /**
   * Writes the cold copy of {@code manifestName} (a backup in {@code from}) into {@code to} under
   * the same table id and backup id. Every source object is verified as it is read; the copy's
   * manifest is written last, so a copy cut short leaves only objects no manifest names.
   */
  public static Packed pack(BackupRepository from, String manifestName, BackupRepository to)
      throws IOException {
    Manifest source = from.readManifest(manifestName);
    BackupMetadata md = source.metadata();
    JsonNode definition = md.tableSchema().get("definition");
    if (definition == null) {
      throw new ManifestFormatException(manifestName, "its table schema has no definition");
    }
    TableDefinition table = JSON.treeToValue(definition, TableDefinition.class);
    try (BackupWriter writer = to.begin(md.tableId(), source.backupId())) {
      ColdObjects sink = new ColdObjects(writer);
      SnapshotLoader.Result merged;
      try {
        merged =
            SnapshotLoader.loadBackup(
                from, source, SnapshotLoader.newOverlay(), table, Set.of(), sink);
        sink.flush();
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      ObjectNode schema = (ObjectNode) md.tableSchema();
      ObjectNode stats = schema.putObject("indexStats");
      for (Map.Entry<Integer, long[]> e : merged.indexStats().entrySet()) {
        stats.putArray(Integer.toString(e.getKey())).add(e.getValue()[0]).add(e.getValue()[1]);
      }
      BackupMetadata cold =
          new BackupMetadata(
              md.backupArn(),
              md.backupName(),
              md.backupType(),
              md.tableName(),
              md.tableId(),
              md.tableArn(),
              schema,
              md.position(),
              merged.itemCount(),
              merged.sizeBytes(),
              md.creationTimeMillis());
      return new Packed(writer.commit(cold), sink.count, merged.itemCount());
    }
  }

  /**
   * Takes the merged table's entries in key order (as a restore's bulk loader would) and stores
   * them as compressed objects of about {@link #OBJECT_BYTES} each.
   */
  private static final class ColdObjects implements BulkLoader {
    private final BackupWriter writer;
    private final ByteArrayOutputStream entry = new ByteArrayOutputStream();
    private ByteArrayOutputStream compressed;
    private DeflaterOutputStream out;
    private Deflater deflater;
    private long entryBytes;
    private int count;

    ColdObjects(BackupWriter writer) {
      this.writer = writer;
    }

    @Override
    public void add(byte[] key, byte[] value) {
      try {
        if (out == null) {
          compressed = new ByteArrayOutputStream(1 << 20);
          compressed.write(TableChunks.COMPRESSED_MAGIC);
          compressed.write(1);
          deflater = new Deflater(Deflater.DEFAULT_COMPRESSION);
          out = new DeflaterOutputStream(compressed, deflater, 64 * 1024);
        }
        entry.reset();
        TableChunks.writeVarint(entry, key.length);
        entry.write(key);
        TableChunks.writeVarint(entry, value.length);
        entry.write(value);
        entry.writeTo(out);
        entryBytes += entry.size();
        if (entryBytes >= OBJECT_BYTES) {
          flush();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Stores the object being filled, if it holds anything. */
    void flush() throws IOException {
      if (out == null) {
        return;
      }
      out.finish();
      deflater.end();
      count++;
      writer.addObject(
          String.format("cold-data-%06d", count), ObjectSource.of(compressed.toByteArray()));
      out = null;
      compressed = null;
      entryBytes = 0;
    }

    @Override
    public void finish() {}

    @Override
    public void close() {
      if (deflater != null) {
        deflater.end();
      }
    }
  }
}
