package dev.tidemark.backup;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.storage.BulkLoader;
import dev.tidemark.tables.TableDefinition;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;
import java.util.zip.Deflater;

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
   * Bytes at the start of an object compressed both ways to choose how the whole object is. Items
   * are in key order, so the start of an object is as like the rest as any sample.
   */
  static final int SAMPLE_BYTES = 256 << 10;

  /**
   * The object: the magic byte, the format, then the entries as a zlib stream. Deflate's default
   * level, unless on a sample it saves less than a tenth over Huffman coding alone: then the whole
   * object is Huffman-coded only. Random-looking values (encrypted or hashed fields, base64 of
   * binary) give LZ77 almost nothing to match, yet matching is most of deflate's time (Huffman
   * coding alone runs several times faster there and is as dense); text-like values keep the
   * matching. Either way it is one zlib stream, which {@link TableChunks#read} inflates.
   */
  static ObjectSource compress(Entries entries) {
    byte[] in = entries.array();
    int length = entries.size();
    int strategy = strategy(in, length);
    ByteArrayOutputStream out = new ByteArrayOutputStream(length / 2 + 64);
    out.write(TableChunks.COMPRESSED_MAGIC);
    out.write(1);
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION);
    try {
      deflater.setStrategy(strategy);
      deflater.setInput(in, 0, length);
      deflater.finish();
      byte[] buf = new byte[64 << 10];
      while (!deflater.finished()) {
        out.write(buf, 0, deflater.deflate(buf));
      }
    } finally {
      deflater.end();
    }
    byte[] bytes = out.toByteArray();
    return () -> new ByteArrayInputStream(bytes);
  }

  /** {@link Deflater#DEFAULT_STRATEGY} or {@link Deflater#HUFFMAN_ONLY}, from a sample. */
  static int strategy(byte[] in, int length) {
    int sample = Math.min(length, SAMPLE_BYTES);
    long matched = deflatedSize(in, sample, Deflater.DEFAULT_STRATEGY);
    long huffman = deflatedSize(in, sample, Deflater.HUFFMAN_ONLY);
    return matched * 10 <= huffman * 9 ? Deflater.DEFAULT_STRATEGY : Deflater.HUFFMAN_ONLY;
  }

  private static long deflatedSize(byte[] in, int length, int strategy) {
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION);
    try {
      deflater.setStrategy(strategy);
      deflater.setInput(in, 0, length);
      deflater.finish();
      byte[] buf = new byte[64 << 10];
      long total = 0;
      while (!deflater.finished()) {
        total += deflater.deflate(buf);
      }
      return total;
    } finally {
      deflater.end();
    }
  }
}
