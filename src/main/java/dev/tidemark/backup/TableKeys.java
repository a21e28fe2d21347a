package dev.tidemark.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.backup.crypto.KeyWrap;
import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.crypto.WrappedKey;
import dev.tidemark.backup.store.ObjectAlreadyExistsException;
import dev.tidemark.backup.store.ObjectStore;
import java.io.IOException;

/**
 * The per-table data key: one random key per table incarnation, wrapped by the master key and kept
 * in {@code tables/<tableId>/key}. One key per table (not per backup) is what lets identical data
 * objects of successive backups be stored once; see docs/backup-format.md for why that is the right
 * trade.
 */
final class TableKeys {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private TableKeys() {}

  /** A table's data key, unwrapped, and its wrapped form for manifests. */
  record TableKey(SymmetricKey key, WrappedKey wrapped) {}

  static String context(String tableId) {
    return "table:" + tableId;
  }

  static TableKey loadOrCreate(ObjectStore store, SymmetricKey master, String tableId)
      throws IOException {
    String name = BackupLayout.tableKeyName(tableId);
    if (!store.exists(name)) {
      SymmetricKey key = SymmetricKey.random();
      WrappedKey wrapped = KeyWrap.wrap(master, key, context(tableId));
      try {
        store.put(name, encode(tableId, wrapped));
        return new TableKey(key, wrapped);
      } catch (ObjectAlreadyExistsException e) {
        // A concurrent first backup of the same table won; use its key.
      }
    }
    WrappedKey wrapped = decode(store.getBytes(name), name, tableId);
    SymmetricKey key =
        KeyWrap.unwrap(master, wrapped, context(tableId), "table key object " + name);
    return new TableKey(key, wrapped);
  }

  private static byte[] encode(String tableId, WrappedKey wrapped) throws IOException {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("formatVersion", 1);
    n.put("tableId", tableId);
    n.put("wrappingKeyId", wrapped.wrappingKeyId());
    n.put("keyId", wrapped.keyId());
    n.put("ciphertext", wrapped.ciphertextBase64());
    return MAPPER.writeValueAsBytes(n);
  }

  private static WrappedKey decode(byte[] json, String name, String tableId) throws IOException {
    try {
      JsonNode n = MAPPER.readTree(json);
      if (n.path("formatVersion").asInt() != 1 || !tableId.equals(n.path("tableId").asText())) {
        throw new IOException("table key object " + name + " has an unknown format or table id");
      }
      return WrappedKey.of(
          n.path("wrappingKeyId").asText(),
          n.path("keyId").asText(),
          n.path("ciphertext").asText());
    } catch (IllegalArgumentException e) {
      throw new IOException("table key object " + name + " is malformed: " + e.getMessage(), e);
    }
  }
}
