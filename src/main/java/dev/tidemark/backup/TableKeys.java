package dev.tidemark.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.backup.crypto.KeyWrap;
import dev.tidemark.backup.crypto.MasterKeys;
import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.crypto.WrappedKey;
import dev.tidemark.backup.crypto.WrongKeyException;
import dev.tidemark.backup.store.ObjectAlreadyExistsException;
import dev.tidemark.backup.store.ObjectStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-table data key: one random key per table incarnation, wrapped by the master key and kept
 * in {@code tables/<tableId>/key}. One key per table (not per backup) is what lets identical data
 * objects of successive backups be stored once; see docs/backup-format.md for why that is the right
 * trade.
 *
 * <p>A key rotation never rewrites that object: it adds {@code
 * tables/<tableId>/keys/<masterKeyId>}, the same data key wrapped under the new master key. A
 * reader takes whichever copy a key it holds can unwrap, the current key's first.
 */
final class TableKeys {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private TableKeys() {}

  /** A table's data key, unwrapped, and its wrapped form for manifests. */
  record TableKey(SymmetricKey key, WrappedKey wrapped) {}

  static String context(String tableId) {
    return "table:" + tableId;
  }

  /** The re-wrapped copy of a table's key under one master key. */
  static String rewrappedName(String tableId, String masterKeyId) {
    return BackupLayout.TABLES + BackupLayout.checkId(tableId, "table id") + "/keys/" + masterKeyId;
  }

  static TableKey loadOrCreate(ObjectStore store, MasterKeys keys, String tableId)
      throws IOException {
    String name = BackupLayout.tableKeyName(tableId);
    if (!store.exists(name)) {
      SymmetricKey key = SymmetricKey.random();
      WrappedKey wrapped = KeyWrap.wrap(keys.current(), key, context(tableId));
      try {
        store.put(name, encode(tableId, wrapped));
        return new TableKey(key, wrapped);
      } catch (ObjectAlreadyExistsException e) {
        // A concurrent first backup of the same table won; use its key.
      }
    }
    return load(store, keys, tableId);
  }

  /**
   * Reads a table's existing key through any copy the held keys can unwrap.
   *
   * @throws WrongKeyException if no copy is wrapped under a held key
   */
  static TableKey load(ObjectStore store, MasterKeys keys, String tableId) throws IOException {
    List<String> copies = new ArrayList<>();
    String current = rewrappedName(tableId, keys.current().id());
    copies.add(current);
    for (String n : store.list(rewrappedName(tableId, ""))) {
      if (!n.equals(current)) {
        copies.add(n);
      }
    }
    copies.add(BackupLayout.tableKeyName(tableId));
    WrongKeyException wrong = null;
    for (String n : copies) {
      byte[] json;
      try {
        json = store.getBytes(n);
      } catch (dev.tidemark.backup.store.NoSuchObjectException e) {
        continue;
      }
      WrappedKey wrapped = decode(json, n, tableId);
      if (keys.find(wrapped.wrappingKeyId()).isEmpty()) {
        if (wrong == null) {
          wrong =
              new WrongKeyException(
                  "table key object " + n, wrapped.wrappingKeyId(), keys.current().id());
        }
        continue;
      }
      return new TableKey(keys.unwrap(wrapped, context(tableId), "table key object " + n), wrapped);
    }
    if (wrong != null) {
      throw wrong;
    }
    throw new dev.tidemark.backup.store.NoSuchObjectException(BackupLayout.tableKeyName(tableId));
  }

  /**
   * Adds a copy of a table's key wrapped under {@code newMaster} (a rotation step). Safe to repeat:
   * an existing copy is left as it is.
   */
  static void rewrap(ObjectStore store, MasterKeys keys, String tableId, SymmetricKey newMaster)
      throws IOException {
    String name = rewrappedName(tableId, newMaster.id());
    if (store.exists(name)) {
      return;
    }
    TableKey key = load(store, keys, tableId);
    try {
      store.put(name, encode(tableId, KeyWrap.wrap(newMaster, key.key(), context(tableId))));
    } catch (ObjectAlreadyExistsException e) {
      // An earlier, interrupted run of the same rotation wrote it.
    }
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
