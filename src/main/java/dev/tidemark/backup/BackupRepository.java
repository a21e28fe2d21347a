package dev.tidemark.backup;

import dev.tidemark.backup.crypto.DecryptingInputStream;
import dev.tidemark.backup.crypto.MasterKeys;
import dev.tidemark.backup.crypto.ObjectEncryption;
import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.crypto.WrongKeyException;
import dev.tidemark.backup.store.NoSuchObjectException;
import dev.tidemark.backup.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.StampedLock;

/**
 * The backup store as the rest of the server sees it: start backups, read manifests, open data
 * objects for a restore, verify, and delete. Create one per store and share it: it holds the
 * per-table locks that keep garbage collection from deleting objects an in-progress backup is about
 * to reference.
 *
 * <p>Locking: any number of {@link BackupWriter}s of a table run together; {@link #deleteBackup}
 * and {@link #collectOrphans} wait until none is open, and block new ones while they run. The locks
 * are not reentrant: a thread holding an open writer for a table must not delete backups of that
 * table. They cover this process only; one server owns a store.
 */
public final class BackupRepository {
  private final ObjectStore store;
  private final MasterKeys keys;
  private final int chunkSize;
  private final ConcurrentHashMap<String, StampedLock> tableLocks = new ConcurrentHashMap<>();

  public BackupRepository(ObjectStore store, SymmetricKey masterKey) {
    this(store, MasterKeys.of(masterKey), ObjectEncryption.DEFAULT_CHUNK_SIZE);
  }

  /** With the store's key ring: the current key writes, older ones (after rotations) read. */
  public BackupRepository(ObjectStore store, MasterKeys keys) {
    this(store, keys, ObjectEncryption.DEFAULT_CHUNK_SIZE);
  }

  /** With a non-default chunk size; tests use small ones to exercise many chunks cheaply. */
  public BackupRepository(ObjectStore store, SymmetricKey masterKey, int chunkSize) {
    this(store, MasterKeys.of(masterKey), chunkSize);
  }

  public BackupRepository(ObjectStore store, MasterKeys keys, int chunkSize) {
    this.store = Objects.requireNonNull(store);
    this.keys = Objects.requireNonNull(keys);
    this.chunkSize = chunkSize;
  }

  public MasterKeys keys() {
    return keys;
  }

  public ObjectStore store() {
    return store;
  }

  /**
   * Starts a backup of one table incarnation. Creates the table's data key on the first backup.
   * Close the writer in all cases; see {@link BackupWriter}.
   */
  public BackupWriter begin(String tableId, String backupId) throws IOException {
    String manifestName = BackupLayout.manifestName(tableId, backupId);
    StampedLock lock = lockFor(tableId);
    long stamp = lock.readLock();
    try {
      if (store.exists(manifestName)) {
        throw new IOException("backup " + manifestName + " already exists");
      }
      TableKeys.TableKey key = TableKeys.loadOrCreate(store, keys, tableId);
      return new BackupWriter(
          store, keys.current(), chunkSize, tableId, backupId, key, () -> lock.unlockRead(stamp));
    } catch (IOException | RuntimeException e) {
      lock.unlockRead(stamp);
      throw e;
    }
  }

  /** Names of every manifest in the store, sorted: the backups that exist. */
  public List<String> listManifests() throws IOException {
    return store.list(BackupLayout.MANIFESTS);
  }

  public List<String> listManifests(String tableId) throws IOException {
    return store.list(BackupLayout.manifestPrefix(tableId));
  }

  /**
   * Reads and decrypts a manifest.
   *
   * @throws NoSuchObjectException if the backup does not exist
   * @throws WrongKeyException naming the backup, if it was written under another master key
   * @throws dev.tidemark.backup.crypto.CorruptObjectException if it fails authentication
   * @throws ManifestFormatException if its content is not a manifest this server can read
   */
  public Manifest readManifest(String manifestName) throws IOException {
    return readManifest(store, keys, manifestName);
  }

  static Manifest readManifest(ObjectStore store, MasterKeys keys, String manifestName)
      throws IOException {
    BackupLayout.ManifestId id = BackupLayout.parseManifestName(manifestName);
    byte[] stored = store.getBytes(manifestName);
    byte[] json;
    try {
      json = keys.decrypt(manifestName, stored);
    } catch (WrongKeyException e) {
      throw e.withSubject("backup " + manifestName);
    }
    Manifest m = ManifestCodec.decode(json, manifestName);
    // The name is authenticated as associated data; the content must agree with it too.
    if (!m.tableId().equals(id.tableId()) || !m.backupId().equals(id.backupId())) {
      throw new ManifestFormatException(
          manifestName, "it describes backup " + m.manifestName() + " instead");
    }
    return m;
  }

  /**
   * Opens one data object of a backup for a restore: decrypted, authenticated chunk by chunk, and
   * checked against the manifest's size and SHA-256 when the stream reaches its end (which then
   * throws {@link dev.tidemark.backup.crypto.CorruptObjectException} on a mismatch).
   */
  public InputStream openObject(Manifest manifest, DataObjectRef ref) throws IOException {
    return openObject(store, keys, manifest, ref);
  }

  /**
   * The data key of a backup: from the manifest's own wrapped copy when a held key wrapped it, else
   * from the table's key objects (a rotation re-wraps those, never the immutable manifest).
   */
  static SymmetricKey dataKey(ObjectStore store, MasterKeys keys, Manifest manifest)
      throws IOException {
    String subject = "backup " + manifest.manifestName();
    if (keys.find(manifest.dataKey().wrappingKeyId()).isPresent()) {
      return keys.unwrap(manifest.dataKey(), TableKeys.context(manifest.tableId()), subject);
    }
    TableKeys.TableKey t;
    try {
      t = TableKeys.load(store, keys, manifest.tableId());
    } catch (WrongKeyException | NoSuchObjectException e) {
      throw new WrongKeyException(subject, manifest.dataKey().wrappingKeyId(), keys.current().id());
    }
    if (!t.key().id().equals(manifest.dataKey().keyId())) {
      throw new WrongKeyException(subject, manifest.dataKey().wrappingKeyId(), keys.current().id());
    }
    return t.key();
  }

  static InputStream openObject(
      ObjectStore store, MasterKeys keys, Manifest manifest, DataObjectRef ref) throws IOException {
    SymmetricKey key = dataKey(store, keys, manifest);
    InputStream raw = store.get(ref.name());
    try {
      return new VerifyingInputStream(new DecryptingInputStream(raw, key, ref.name()), ref);
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  /**
   * Stores an object that belongs to a table incarnation but is not backup data (PITR log segments,
   * window state), encrypted under the table's data key so it is readable from the store and the
   * master key alone. Names must not be under the backup data prefix, which the backup GC owns.
   */
  public void putTableObject(String tableId, String name, byte[] plaintext) throws IOException {
    if (name.startsWith(BackupLayout.dataPrefix(tableId))
        || name.startsWith(BackupLayout.MANIFESTS)) {
      throw new IllegalArgumentException(name + " is reserved for backups");
    }
    TableKeys.TableKey key = TableKeys.loadOrCreate(store, keys, tableId);
    store.put(name, ObjectEncryption.encrypt(key.key(), name, plaintext, chunkSize));
  }

  /** Reads and authenticates an object stored with {@link #putTableObject}. */
  public byte[] getTableObject(String tableId, String name) throws IOException {
    TableKeys.TableKey key = TableKeys.loadOrCreate(store, keys, tableId);
    return ObjectEncryption.decrypt(key.key(), name, store.getBytes(name));
  }

  /**
   * Reads objects stored with {@link #putTableObject} as {@link #getTableObject} does, with the
   * table's data key loaded once for all of them (for reading many, as a PITR replay does).
   */
  public Transfers.Fetch<String, byte[]> tableObjectReader(String tableId) throws IOException {
    TableKeys.TableKey key = TableKeys.loadOrCreate(store, keys, tableId);
    return name -> ObjectEncryption.decrypt(key.key(), name, store.getBytes(name));
  }

  /**
   * Adds a copy of a table's data key wrapped under {@code newMaster}; a key rotation step, safe to
   * repeat. Nothing existing is changed.
   */
  public void rewrapTableKey(String tableId, SymmetricKey newMaster) throws IOException {
    TableKeys.rewrap(store, keys, tableId, newMaster);
  }

  /** Reads and checks every object of a backup. See {@link BackupVerifier}. */
  public VerifyResult verify(String manifestName) {
    return BackupVerifier.verify(store, manifestName, keys);
  }

  /**
   * The checks left for a backup whose objects were each read back as they were written. See {@link
   * BackupVerifier#verifyPresent}.
   */
  public VerifyResult verifyPresent(String manifestName, Manifest written) {
    return BackupVerifier.verifyPresent(store, manifestName, keys, written);
  }

  /**
   * Deletes a backup: first its manifest (from then on the backup does not exist), then those of
   * its data objects that no other manifest of the table references. A crash in between leaves only
   * unreferenced objects, which {@link #collectOrphans} removes; never a manifest pointing at
   * missing data. If any other manifest of the table cannot be read, no data object is deleted,
   * since that manifest might reference it.
   *
   * @throws NoSuchObjectException if the backup does not exist
   */
  public DeleteResult deleteBackup(String manifestName) throws IOException {
    String tableId = BackupLayout.parseManifestName(manifestName).tableId();
    StampedLock lock = lockFor(tableId);
    long stamp = lock.writeLock();
    try {
      if (!store.exists(manifestName)) {
        throw new NoSuchObjectException(manifestName);
      }
      Manifest target = null;
      List<String> unreadable = new ArrayList<>();
      try {
        target = readManifest(manifestName);
      } catch (IOException e) {
        // An unreadable backup can still be deleted; its objects are left for collectOrphans.
        unreadable.add(manifestName);
      }
      Set<String> referenced = new HashSet<>();
      for (String other : listManifests(tableId)) {
        if (!other.equals(manifestName)) {
          try {
            referenced.addAll(readManifest(other).objectNames());
          } catch (IOException e) {
            unreadable.add(other);
          }
        }
      }
      store.delete(manifestName);
      List<String> deleted = new ArrayList<>();
      List<String> kept = new ArrayList<>();
      if (target != null) {
        for (String name : target.objectNames()) {
          if (!unreadable.isEmpty() || referenced.contains(name)) {
            kept.add(name);
          } else {
            store.delete(name);
            deleted.add(name);
          }
        }
      }
      return new DeleteResult(manifestName, deleted, kept, unreadable);
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /**
   * Deletes the data objects of a table that no manifest references: leftovers of backups that
   * failed before their manifest was written, or of a delete interrupted by a crash. Deletes
   * nothing if any manifest of the table cannot be read.
   */
  public DeleteResult collectOrphans(String tableId) throws IOException {
    StampedLock lock = lockFor(tableId);
    long stamp = lock.writeLock();
    try {
      Set<String> referenced = new HashSet<>();
      List<String> unreadable = new ArrayList<>();
      for (String m : listManifests(tableId)) {
        try {
          referenced.addAll(readManifest(m).objectNames());
        } catch (IOException e) {
          unreadable.add(m);
        }
      }
      List<String> deleted = new ArrayList<>();
      List<String> kept = new ArrayList<>();
      for (String name : store.list(BackupLayout.dataPrefix(tableId))) {
        if (!unreadable.isEmpty() || referenced.contains(name)) {
          kept.add(name);
        } else {
          store.delete(name);
          deleted.add(name);
        }
      }
      return new DeleteResult(null, deleted, kept, unreadable);
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  private StampedLock lockFor(String tableId) {
    return tableLocks.computeIfAbsent(tableId, t -> new StampedLock());
  }

  /**
   * What a delete did.
   *
   * @param manifestName the deleted manifest, or null for {@link #collectOrphans}
   * @param deletedObjects data objects removed from the store
   * @param keptObjects data objects left because another manifest references them (or might)
   * @param unreadableManifests manifests that could not be read; while there are any, no data
   *     object is deleted
   */
  public record DeleteResult(
      String manifestName,
      List<String> deletedObjects,
      List<String> keptObjects,
      List<String> unreadableManifests) {
    public DeleteResult {
      deletedObjects = List.copyOf(deletedObjects);
      keptObjects = List.copyOf(keptObjects);
      unreadableManifests = List.copyOf(unreadableManifests);
    }
  }
}
