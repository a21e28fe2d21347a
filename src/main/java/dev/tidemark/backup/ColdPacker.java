package dev.tidemark.backup;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.luben.zstd.Zstd;
import dev.tidemark.storage.BulkLoader;
import dev.tidemark.tables.TableDefinition;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;

/**
 * Repacks one backup of a store, full or incremental, into a single full backup in another store:
 * the cold tier's form of a recovery point (docs/backup-format.md, §10). The base snapshot and
 * every delta layer are merged into the table as the backup restores it (so superseded item images
 * and objects shared with other backups are not carried along), cut into objects of {@link
 * #OBJECT_BYTES} entry bytes rather than the warm store's 1 MiB, and each object compressed (zstd)
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
   * the same table id and backup id. Every source object is verified as it is read, and every copy
   * object is read back and verified once written; the copy's manifest is written last, so a copy
   * cut short leaves only objects no manifest names.
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
   * them as compressed objects of about {@link #OBJECT_BYTES} entry bytes each. An object is
   * compressed, fingerprinted, encrypted, written and read back (decrypted, size and SHA-256
   * checked) on a transfer thread while the merge fills the next ({@link
   * BackupWriter#submitReadBack}, as many at once as the store takes): compression and the check
   * are the costliest steps of a repack and would otherwise hold up the merge on a single core.
   */
  private static final class ColdObjects implements BulkLoader {
    private final BackupWriter writer;
    private Entries entries;
    private int count;

    ColdObjects(BackupWriter writer) {
      this.writer = writer;
    }

    @Override
    public void add(byte[] key, byte[] value) {
      try {
        if (entries == null) {
          entries = new Entries();
        }
        TableChunks.writeVarint(entries, key.length);
        entries.write(key);
        TableChunks.writeVarint(entries, value.length);
        entries.write(value);
        if (entries.size() >= OBJECT_BYTES) {
          flush();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Hands the object being filled, if it holds anything, to the writer. */
    void flush() throws IOException {
      if (entries == null) {
        return;
      }
      Entries full = entries;
      entries = null;
      count++;
      writer.submitReadBack(String.format("cold-data-%06d", count), () -> compress(full));
    }

    @Override
    public void finish() {}

    @Override
    public void close() {}
  }

  /** One object's entries, uncompressed; its buffer is read in place. */
  static final class Entries extends ByteArrayOutputStream {
    Entries() {
      super(OBJECT_BYTES + (64 << 10));
    }

    byte[] array() {
      return buf;
    }
  }

  /**
   * zstd's level for cold objects. Level 1 compresses random-looking values exactly as densely as
   * level 3 (zstd's default; both code them with Huffman literals) and text within about 1% of it,
   * at two to three times its speed on this machine (docs/benchmarks.md, session 9): compression
   * was most of a move's CPU at level 3. Either compresses text far better than deflate's default
   * level, and inflates at the same speed, which is a restore from COLD's time.
   */
  static final int ZSTD_LEVEL = 1;

  /**
   * The object: the magic byte, the format ({@link TableChunks#ZSTD_FORMAT}), then the entries as
   * one zstd frame that records its content size. zlib (format 1, {@code java.util.zip}) is still
   * read, for cold copies written before; it compressed at a tenth of zstd's speed on this
   * machine's two cores, which made compression most of a move to the cold tier.
   */
  static ObjectSource compress(Entries entries) throws IOException {
    byte[] in = entries.array();
    int length = entries.size();
    byte[] out = new byte[2 + (int) Zstd.compressBound(length)];
    out[0] = (byte) TableChunks.COMPRESSED_MAGIC;
    out[1] = (byte) TableChunks.ZSTD_FORMAT;
    long n;
    try {
      n = Zstd.compressByteArray(out, 2, out.length - 2, in, 0, length, ZSTD_LEVEL);
    } catch (RuntimeException e) { // zstd-jni reports its errors as ZstdException
      throw new IOException("zstd could not compress a cold object: " + e.getMessage(), e);
    }
    if (Zstd.isError(n)) {
      throw new IOException("zstd could not compress a cold object: " + Zstd.getErrorName(n));
    }
    int size = 2 + (int) n;
    return () -> new ByteArrayInputStream(out, 0, size);
  }
}
