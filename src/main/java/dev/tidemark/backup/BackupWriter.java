package dev.tidemark.backup;

import dev.tidemark.backup.crypto.ContentFingerprint;
import dev.tidemark.backup.crypto.EncryptingOutputStream;
import dev.tidemark.backup.crypto.ObjectEncryption;
import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.store.ObjectAlreadyExistsException;
import dev.tidemark.backup.store.ObjectStore;
import dev.tidemark.backup.store.PendingObject;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;

/**
 * Writes one backup: data objects first, in any number, then the manifest, last. Obtained from
 * {@link BackupRepository#begin}.
 *
 * <pre>{@code
 * try (BackupWriter w = repo.begin(tableId, backupId)) {
 *   for (Path sst : checkpointFiles) w.addObject("items", ObjectSource.of(sst));
 *   Manifest m = w.commit(metadata);
 * }
 * }</pre>
 *
 * <p>Data objects are content-addressed, so one that the store already holds (from an earlier
 * backup of the same table, or earlier in this one) is referenced instead of uploaded again.
 * Closing without {@link #commit} abandons the backup: no manifest is written, so the backup never
 * existed; its uploaded objects stay until {@link BackupRepository#collectOrphans}. {@link
 * #addObject} may be called from several threads at once.
 */
public final class BackupWriter implements Closeable {
  private final ObjectStore store;
  private final SymmetricKey masterKey;
  private final int chunkSize;
  private final String tableId;
  private final String backupId;
  private final TableKeys.TableKey tableKey;
  private final Runnable unlock;
  private final List<DataObjectRef> objects = new ArrayList<>();
  private int uploaded;
  private int reused;
  private boolean committed;
  private boolean closed;

  BackupWriter(
      ObjectStore store,
      SymmetricKey masterKey,
      int chunkSize,
      String tableId,
      String backupId,
      TableKeys.TableKey tableKey,
      Runnable unlock) {
    this.store = store;
    this.masterKey = masterKey;
    this.chunkSize = chunkSize;
    this.tableId = tableId;
    this.backupId = backupId;
    this.tableKey = tableKey;
    this.unlock = unlock;
  }

  public String manifestName() {
    return BackupLayout.manifestName(tableId, backupId);
  }

  /**
   * Stores one data object (or finds it already stored) and records it for the manifest.
   *
   * @param label what the object holds, for the restore; see {@link DataObjectRef#label()}
   */
  public DataObjectRef addObject(String label, ObjectSource source) throws IOException {
    checkOpen();
    ContentFingerprint fp = new ContentFingerprint(tableKey.key());
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = source.open()) {
      for (int n; (n = in.read(buf)) >= 0; ) {
        fp.update(buf, 0, n);
      }
    }
    ContentFingerprint.Result content = fp.finish();
    String name = BackupLayout.dataObjectName(tableId, content.contentId());
    OptionalLong existing = store.size(name);
    long storedSize;
    boolean wasUploaded = false;
    if (existing.isPresent()) {
      storedSize = existing.getAsLong();
    } else {
      OptionalLong size = upload(name, source, content);
      wasUploaded = size.isPresent();
      storedSize = wasUploaded ? size.getAsLong() : store.size(name).orElseThrow();
    }
    DataObjectRef ref =
        new DataObjectRef(name, label, content.size(), storedSize, content.sha256());
    synchronized (this) {
      checkOpen();
      objects.add(ref);
      if (wasUploaded) {
        uploaded++;
      } else {
        reused++;
      }
    }
    return ref;
  }

  /**
   * Lists an object an earlier backup of this table stored, without reading it: how an incremental
   * backup takes over its base's objects. The caller must have read the manifest naming it after
   * this writer was opened (so garbage collection cannot remove it until this backup is committed);
   * its presence and stored size are checked here all the same.
   */
  public void reference(DataObjectRef ref) throws IOException {
    checkOpen();
    if (!ref.name().startsWith(BackupLayout.dataPrefix(tableId))) {
      throw new IllegalArgumentException(ref.name() + " is not a data object of table " + tableId);
    }
    OptionalLong size = store.size(ref.name());
    if (size.isEmpty() || size.getAsLong() != ref.storedSize()) {
      throw new IOException(
          "data object "
              + ref.name()
              + (size.isEmpty() ? " is missing" : " has an unexpected size")
              + "; it cannot be shared");
    }
    synchronized (this) {
      checkOpen();
      objects.add(ref);
      reused++;
    }
  }

  /** Encrypts and uploads; empty if a concurrent writer stored the same content first. */
  private OptionalLong upload(String name, ObjectSource source, ContentFingerprint.Result expected)
      throws IOException {
    MessageDigest sha = sha256();
    long count = 0;
    byte[] buf = new byte[64 * 1024];
    try (PendingObject out = store.create(name);
        InputStream in = source.open()) {
      EncryptingOutputStream enc = new EncryptingOutputStream(out, tableKey.key(), name, chunkSize);
      for (int n; (n = in.read(buf)) >= 0; ) {
        sha.update(buf, 0, n);
        enc.write(buf, 0, n);
        count += n;
      }
      // The name was derived from the first read; committing different bytes under it would
      // corrupt every backup that later dedups against it.
      if (count != expected.size()
          || !HexFormat.of().formatHex(sha.digest()).equals(expected.sha256())) {
        throw new IOException(
            "content for " + name + " changed while it was being backed up; upload abandoned");
      }
      enc.finish();
      out.commit();
      return OptionalLong.of(enc.storedBytes());
    } catch (ObjectAlreadyExistsException e) {
      // Same name means same plaintext under the same table key: the other copy serves us.
      return OptionalLong.empty();
    }
  }

  /**
   * Writes the manifest, making the backup exist, and releases the writer.
   *
   * @throws IOException if the manifest could not be written; the backup then does not exist,
   *     unless the store applied the write but failed to report it (check with {@link
   *     BackupRepository#readManifest})
   */
  public Manifest commit(BackupMetadata metadata) throws IOException {
    return commit(metadata, null);
  }

  /**
   * As {@link #commit(BackupMetadata)}; with {@code incremental} non-null the manifest is an
   * incremental one (format 2), whose objects must have been added base first, then each layer.
   */
  public Manifest commit(BackupMetadata metadata, Manifest.Incremental incremental)
      throws IOException {
    Manifest manifest;
    synchronized (this) {
      checkOpen();
      if (!metadata.tableId().equals(tableId)) {
        throw new IllegalArgumentException(
            "metadata is for table " + metadata.tableId() + ", writer is for " + tableId);
      }
      manifest =
          new Manifest(
              incremental == null
                  ? Manifest.FULL_FORMAT_VERSION
                  : Manifest.INCREMENTAL_FORMAT_VERSION,
              backupId,
              metadata,
              tableKey.wrapped(),
              objects,
              incremental);
      committed = true;
    }
    try {
      String name = manifestName();
      byte[] sealed =
          ObjectEncryption.encrypt(masterKey, name, ManifestCodec.encode(manifest), chunkSize);
      store.put(name, sealed);
      return manifest;
    } finally {
      close();
    }
  }

  /** Data objects uploaded by this writer. */
  public synchronized int uploadedObjects() {
    return uploaded;
  }

  /** Data objects that were already in the store and are only referenced. */
  public synchronized int reusedObjects() {
    return reused;
  }

  private void checkOpen() {
    if (committed || closed) {
      throw new IllegalStateException("backup writer for " + manifestName() + " is finished");
    }
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      unlock.run();
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
