package dev.tidemark.backup.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.backup.BackupLayout;
import dev.tidemark.backup.crypto.KeyWrap;
import dev.tidemark.backup.crypto.MasterKeys;
import dev.tidemark.backup.crypto.ObjectHeader;
import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.crypto.WrappedKey;
import dev.tidemark.backup.store.NoSuchObjectException;
import dev.tidemark.backup.store.ObjectAlreadyExistsException;
import dev.tidemark.backup.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The store's own record of its master keys (format in docs/backup-format.md §4a). Only key ids and
 * wrapped keys are stored, never a key in the clear:
 *
 * <pre>
 * keys/master/&lt;generation&gt;-&lt;keyId&gt;    which master key the store uses; the highest generation is current
 * keys/chain/&lt;newerId&gt;/&lt;olderId&gt;     an older master key wrapped under a newer one
 * </pre>
 *
 * Every object is written once (put-if-absent) and never changed, so a crash between any two puts
 * leaves the store readable with the keys it was readable with before.
 */
public final class StoreKeys {
  public static final String PREFIX = "keys/";
  static final String MASTERS = PREFIX + "master/";
  static final String CHAIN = PREFIX + "chain/";
  static final String CHAIN_CONTEXT = "master-key-chain";
  static final ObjectMapper JSON = new ObjectMapper();

  private StoreKeys() {}

  /**
   * One master key the store was told about.
   *
   * @param reason {@code first-start} (empty store), {@code adopted} (a store written before key
   *     records, whose key was configured), {@code rotation}, or {@code new-key} (started with
   *     {@code --new-backup-key}; older backups need their own key)
   * @param previousKeyId the key current before this one, or null
   */
  public record MasterRecord(
      int generation, String keyId, long createdMillis, String reason, String previousKeyId) {
    public MasterRecord {
      if (generation < 1 || generation > 999_999) {
        throw new IllegalArgumentException("generation out of range: " + generation);
      }
      if (keyId == null || !keyId.matches("[0-9a-f]{16}")) {
        throw new IllegalArgumentException("key id must be 16 hex digits: " + keyId);
      }
    }

    String objectName() {
      return MASTERS + String.format("%06d-%s", generation, keyId);
    }
  }

  /**
   * What the store holds, read from object names and cleartext key ids only.
   *
   * @param records the master key records, oldest generation first
   * @param manifests number of backups (manifests, PITR bases included)
   * @param pitrTables number of table incarnations with PITR objects
   * @param writtenWith for a store without records: ids of the keys its manifests and table keys
   *     were written with
   */
  public record Inspection(
      List<MasterRecord> records, int manifests, int pitrTables, Set<String> writtenWith) {
    public Inspection {
      records = List.copyOf(records);
      writtenWith = Set.copyOf(writtenWith);
    }

    public boolean hasContent() {
      return manifests > 0 || pitrTables > 0;
    }

    public Optional<MasterRecord> current() {
      return records.isEmpty() ? Optional.empty() : Optional.of(records.get(records.size() - 1));
    }

    public Optional<MasterRecord> record(String keyId) {
      return records.stream().filter(r -> r.keyId().equals(keyId)).findFirst();
    }

    /** The key ids a key must match to read the store's newest objects. */
    public Set<String> neededKeyIds() {
      return current().map(r -> Set.of(r.keyId())).orElse(writtenWith);
    }

    /** "3 backups and 1 PITR archive", for messages. */
    public String contents() {
      return plural(manifests, "backup") + " and " + plural(pitrTables, "PITR archive");
    }
  }

  static String plural(int n, String what) {
    return n + " " + what + (n == 1 ? "" : "s");
  }

  public static List<MasterRecord> records(ObjectStore store) throws IOException {
    List<MasterRecord> out = new ArrayList<>();
    for (String name : store.list(MASTERS)) {
      out.add(decodeRecord(store.getBytes(name), name));
    }
    out.sort(java.util.Comparator.comparingInt(MasterRecord::generation));
    return out;
  }

  public static Inspection inspect(ObjectStore store) throws IOException {
    List<MasterRecord> records = records(store);
    List<String> manifests = store.list(BackupLayout.MANIFESTS);
    Set<String> pitrTables = new TreeSet<>();
    for (String n : store.list("pitr/")) {
      int slash = n.indexOf('/', 5);
      if (slash > 5) {
        pitrTables.add(n.substring(5, slash));
      }
    }
    Set<String> writtenWith = new LinkedHashSet<>();
    if (records.isEmpty()) {
      for (String m : manifests) {
        try (InputStream in = store.get(m)) {
          writtenWith.add(ObjectHeader.keyIdOf(in, m));
        } catch (NoSuchObjectException | dev.tidemark.backup.crypto.CorruptObjectException e) {
          // Deleted meanwhile, or damaged: it names no key.
        }
      }
      for (String t : pitrTables) {
        tableKeyWrappingId(store, t).ifPresent(writtenWith::add);
      }
    }
    return new Inspection(records, manifests.size(), pitrTables.size(), writtenWith);
  }

  private static Optional<String> tableKeyWrappingId(ObjectStore store, String tableId)
      throws IOException {
    try {
      JsonNode n = JSON.readTree(store.getBytes(BackupLayout.tableKeyName(tableId)));
      String id = n.path("wrappingKeyId").asText("");
      return id.isEmpty() ? Optional.empty() : Optional.of(id);
    } catch (NoSuchObjectException | IllegalArgumentException e) {
      return Optional.empty();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return Optional.empty();
    }
  }

  /** Records a master key. Put-if-absent: a repeat of the same record is a no-op. */
  public static void putRecord(ObjectStore store, MasterRecord r) throws IOException {
    ObjectNode n = JSON.createObjectNode();
    n.put("formatVersion", 1);
    n.put("generation", r.generation());
    n.put("keyId", r.keyId());
    n.put("createdMillis", r.createdMillis());
    n.put("reason", r.reason());
    if (r.previousKeyId() != null) {
      n.put("previousKeyId", r.previousKeyId());
    }
    try {
      store.put(r.objectName(), JSON.writeValueAsBytes(n));
    } catch (ObjectAlreadyExistsException e) {
      MasterRecord existing = decodeRecord(store.getBytes(r.objectName()), r.objectName());
      if (!existing.keyId().equals(r.keyId())) {
        throw e;
      }
      // The same key at the same generation: an earlier, interrupted run recorded it.
    }
  }

  private static MasterRecord decodeRecord(byte[] json, String name) throws IOException {
    try {
      JsonNode n = JSON.readTree(json);
      if (n.path("formatVersion").asInt() != 1) {
        throw new IOException("master key record " + name + " has an unknown format version");
      }
      MasterRecord r =
          new MasterRecord(
              n.path("generation").asInt(),
              n.path("keyId").asText(),
              n.path("createdMillis").asLong(),
              n.path("reason").asText(),
              n.hasNonNull("previousKeyId") ? n.get("previousKeyId").asText() : null);
      if (!name.equals(r.objectName())) {
        throw new IOException("master key record " + name + " describes " + r.objectName());
      }
      return r;
    } catch (IllegalArgumentException e) {
      throw new IOException("master key record " + name + " is malformed: " + e.getMessage(), e);
    }
  }

  static String chainName(String newerId, String olderId) {
    return CHAIN + newerId + "/" + olderId;
  }

  /**
   * Makes everything {@code older} can read readable with {@code newer} too, by storing {@code
   * older} wrapped under {@code newer}. Safe to repeat.
   */
  public static void putChain(ObjectStore store, SymmetricKey newer, SymmetricKey older)
      throws IOException {
    String name = chainName(newer.id(), older.id());
    if (store.exists(name)) {
      return;
    }
    WrappedKey w = KeyWrap.wrap(newer, older, CHAIN_CONTEXT);
    ObjectNode n = JSON.createObjectNode();
    n.put("formatVersion", 1);
    n.put("wrappingKeyId", w.wrappingKeyId());
    n.put("keyId", w.keyId());
    n.put("ciphertext", w.ciphertextBase64());
    try {
      store.put(name, JSON.writeValueAsBytes(n));
    } catch (ObjectAlreadyExistsException e) {
      // An earlier, interrupted run wrote it.
    }
  }

  /**
   * The key ring a key opens: the key itself and every older key reachable through the chain. A
   * chain object that does not unwrap (damaged) is skipped; what it would have opened then reads as
   * "wrong key", naming the key.
   */
  public static MasterKeys ring(ObjectStore store, SymmetricKey key) throws IOException {
    Map<String, SymmetricKey> held = new HashMap<>();
    held.put(key.id(), key);
    Deque<SymmetricKey> todo = new ArrayDeque<>(List.of(key));
    while (!todo.isEmpty()) {
      SymmetricKey k = todo.pop();
      for (String name : store.list(CHAIN + k.id() + "/")) {
        String olderId = name.substring(name.lastIndexOf('/') + 1);
        if (held.containsKey(olderId)) {
          continue;
        }
        try {
          JsonNode n = JSON.readTree(store.getBytes(name));
          WrappedKey w =
              WrappedKey.of(
                  n.path("wrappingKeyId").asText(),
                  n.path("keyId").asText(),
                  n.path("ciphertext").asText());
          SymmetricKey older = KeyWrap.unwrap(k, w, CHAIN_CONTEXT, "key chain object " + name);
          if (older.id().equals(olderId)) {
            held.put(older.id(), older);
            todo.push(older);
          }
        } catch (IOException | IllegalArgumentException e) {
          org.slf4j.LoggerFactory.getLogger(StoreKeys.class)
              .error("key chain object {} cannot be read: {}", name, e.getMessage());
        }
      }
    }
    held.remove(key.id());
    return new MasterKeys(key, held.values());
  }

  /**
   * The store's current key record. A store written before key records gets one for {@code key}
   * first, provided its objects were written with it.
   *
   * @throws KeyRefusedException if the store's objects were written with other keys
   */
  public static MasterRecord currentOrAdopt(ObjectStore store, SymmetricKey key, long nowMillis)
      throws IOException {
    Inspection seen = inspect(store);
    if (seen.current().isPresent()) {
      return seen.current().get();
    }
    if (seen.hasContent() && !seen.writtenWith().contains(key.id())) {
      throw new KeyRefusedException(
          "key "
              + key.id()
              + " is not the key of this backup store (it was written with "
              + String.join(", ", seen.writtenWith())
              + "); nothing was changed");
    }
    MasterRecord r =
        new MasterRecord(
            1, key.id(), nowMillis, seen.hasContent() ? "adopted" : "first-start", null);
    putRecord(store, r);
    return r;
  }
}
