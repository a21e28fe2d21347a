package dev.tidemark.backup;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.backup.crypto.WrappedKey;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Manifest JSON (schema in docs/backup-format.md). Written field by field rather than by reflection
 * so that renaming a Java accessor can never silently change the stored format. Readers ignore
 * unknown fields, so optional fields can be added without a version bump; anything a reader must
 * understand bumps {@code formatVersion}, which older readers refuse.
 */
public final class ManifestCodec {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ManifestCodec() {}

  public static byte[] encode(Manifest m) {
    BackupMetadata md = m.metadata();
    ObjectNode root = MAPPER.createObjectNode();
    root.put("formatVersion", m.formatVersion());
    root.put("backupId", m.backupId());
    root.put("backupArn", md.backupArn());
    root.put("backupName", md.backupName());
    root.put("backupType", md.backupType());
    root.put("creationTimeMillis", md.creationTimeMillis());
    root.put("tableName", md.tableName());
    root.put("tableId", md.tableId());
    root.put("tableArn", md.tableArn());
    root.set("tableSchema", md.tableSchema());
    ObjectNode pos = root.putObject("position");
    pos.put("seq", md.position().seq());
    pos.put("commitTimeMillis", md.position().commitTimeMillis());
    root.put("itemCount", md.itemCount());
    root.put("sizeBytes", md.sizeBytes());
    ObjectNode key = root.putObject("dataKey");
    key.put("wrappingKeyId", m.dataKey().wrappingKeyId());
    key.put("keyId", m.dataKey().keyId());
    key.put("ciphertext", m.dataKey().ciphertextBase64());
    ArrayNode objects = root.putArray("objects");
    for (DataObjectRef o : m.objects()) {
      ObjectNode n = objects.addObject();
      n.put("name", o.name());
      n.put("label", o.label());
      n.put("plaintextSize", o.plaintextSize());
      n.put("storedSize", o.storedSize());
      n.put("sha256", o.sha256());
    }
    Manifest.Incremental inc = m.incremental();
    if (inc != null) {
      ObjectNode i = root.putObject("incremental");
      i.put("baseBackupId", inc.baseBackupId());
      ObjectNode bp = i.putObject("basePosition");
      bp.put("seq", inc.basePosition().seq());
      bp.put("commitTimeMillis", inc.basePosition().commitTimeMillis());
      i.put("baseItemCount", inc.baseItemCount());
      i.put("baseSizeBytes", inc.baseSizeBytes());
      i.set("baseTableSchema", inc.baseTableSchema());
      i.put("baseObjects", inc.baseObjects());
      ArrayNode layers = i.putArray("layers");
      for (Manifest.Layer l : inc.layers()) {
        layers
            .addObject()
            .put("backupId", l.backupId())
            .put("afterSeq", l.afterSeq())
            .put("throughSeq", l.throughSeq())
            .put("objects", l.objects());
      }
    }
    try {
      return MAPPER.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }

  /**
   * @param manifestName for error messages
   */
  public static Manifest decode(byte[] json, String manifestName) throws IOException {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new ManifestFormatException(manifestName, "not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new ManifestFormatException(manifestName, "not a JSON object");
    }
    Reader r = new Reader(manifestName);
    int version = (int) r.integer(root, "formatVersion");
    if (version > Manifest.CURRENT_FORMAT_VERSION || version < 1) {
      throw new ManifestFormatException(
          manifestName,
          "format version "
              + version
              + " is not supported; this server reads versions 1 to "
              + Manifest.CURRENT_FORMAT_VERSION);
    }
    try {
      JsonNode pos = r.node(root, "position");
      JsonNode key = r.node(root, "dataKey");
      List<DataObjectRef> objects = new ArrayList<>();
      JsonNode array = r.node(root, "objects");
      if (!array.isArray()) {
        throw new ManifestFormatException(manifestName, "objects is not an array");
      }
      for (JsonNode n : array) {
        objects.add(
            new DataObjectRef(
                r.text(n, "name"),
                r.text(n, "label"),
                r.integer(n, "plaintextSize"),
                r.integer(n, "storedSize"),
                r.text(n, "sha256")));
      }
      BackupMetadata md =
          new BackupMetadata(
              r.text(root, "backupArn"),
              r.text(root, "backupName"),
              r.text(root, "backupType"),
              r.text(root, "tableName"),
              r.text(root, "tableId"),
              r.text(root, "tableArn"),
              r.node(root, "tableSchema"),
              new LogPosition(r.integer(pos, "seq"), r.integer(pos, "commitTimeMillis")),
              r.integer(root, "itemCount"),
              r.integer(root, "sizeBytes"),
              r.integer(root, "creationTimeMillis"));
      WrappedKey dataKey =
          WrappedKey.of(
              r.text(key, "wrappingKeyId"), r.text(key, "keyId"), r.text(key, "ciphertext"));
      Manifest.Incremental inc = null;
      if (version >= Manifest.INCREMENTAL_FORMAT_VERSION) {
        JsonNode i = r.node(root, "incremental");
        JsonNode bp = r.node(i, "basePosition");
        List<Manifest.Layer> layers = new ArrayList<>();
        JsonNode la = r.node(i, "layers");
        if (!la.isArray()) {
          throw new ManifestFormatException(manifestName, "layers is not an array");
        }
        for (JsonNode l : la) {
          layers.add(
              new Manifest.Layer(
                  r.text(l, "backupId"),
                  r.integer(l, "afterSeq"),
                  r.integer(l, "throughSeq"),
                  (int) r.integer(l, "objects")));
        }
        inc =
            new Manifest.Incremental(
                r.text(i, "baseBackupId"),
                new LogPosition(r.integer(bp, "seq"), r.integer(bp, "commitTimeMillis")),
                r.integer(i, "baseItemCount"),
                r.integer(i, "baseSizeBytes"),
                r.node(i, "baseTableSchema"),
                (int) r.integer(i, "baseObjects"),
                layers);
      }
      return new Manifest(version, r.text(root, "backupId"), md, dataKey, objects, inc);
    } catch (IllegalArgumentException e) {
      throw new ManifestFormatException(manifestName, e.getMessage());
    }
  }

  private record Reader(String manifestName) {
    JsonNode node(JsonNode parent, String field) throws ManifestFormatException {
      JsonNode n = parent.get(field);
      if (n == null || n.isNull()) {
        throw new ManifestFormatException(manifestName, "missing field " + field);
      }
      return n;
    }

    String text(JsonNode parent, String field) throws ManifestFormatException {
      JsonNode n = node(parent, field);
      if (!n.isTextual()) {
        throw new ManifestFormatException(manifestName, field + " is not a string");
      }
      return n.textValue();
    }

    long integer(JsonNode parent, String field) throws ManifestFormatException {
      JsonNode n = node(parent, field);
      if (!n.isIntegralNumber() || !n.canConvertToLong()) {
        throw new ManifestFormatException(manifestName, field + " is not an integer");
      }
      return n.longValue();
    }
  }
}
