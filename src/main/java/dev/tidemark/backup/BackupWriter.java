package dev.tidemark.backup;

import dev.tidemark.backup.crypto.ContentFingerprint;
import dev.tidemark.backup.crypto.CorruptObjectException;
import dev.tidemark.backup.crypto.EncryptingOutputStream;
import dev.tidemark.backup.crypto.ObjectEncryption;
import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.store.ObjectAlreadyExistsException;
import dev.tidemark.backup.store.ObjectStore;
import dev.tidemark.backup.store.PendingObject;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

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
 * #addObject} may be called from several threads at once; {@link #submit} stores objects in the
 * background, a bounded number at a time, and {@link #commit} writes the manifest only once every
 * one of them is stored.
 */
public final class BackupWriter implements Closeable {
  private final ObjectStore store;
  private final SymmetricKey masterKey;
  private final int chunkSize;
  private final String tableId;
  private final String backupId;
  private final TableKeys.TableKey tableKey;
  private final Runnable unlock;

  /** The table's data objects the store holds: the deduplication and reference checks. */
  private final StoredDataObjects stored;

  /** The manifest's objects in the order they were added; submitted ones complete later. */
  private final List<CompletableFuture<DataObjectRef>> objects = new ArrayList<>();

  /** Bounds the submitted objects in flight, and so the plaintext they hold in memory. */
  private final Semaphore inFlight;

  private final int window;
  private final AtomicInteger uploaded = new AtomicInteger();
  private final AtomicInteger reused = new AtomicInteger();
  private volatile Throwable failed;
  private volatile boolean abandoned;
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
    this.stored = new StoredDataObjects(store, tableId);
    this.window = Math.max(1, store.transfersInFlight());
    this.inFlight = new Semaphore(window);
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
    CompletableFuture<DataObjectRef> slot = slot();
    try {
      DataObjectRef ref = store(label, source);
      slot.complete(ref);
      return ref;
    } catch (IOException | RuntimeException e) {
      slot.completeExceptionally(e);
      throw e;
    }
  }

  /**
   * Stores one data object like {@link #addObject} but in the background, with up to {@link
   * ObjectStore#transfersInFlight()} objects of this writer in flight: waits while that many are.
   * Its place in the manifest is this call's. {@link #commit} waits for every submitted object and
   * fails, writing no manifest, if any of them failed.
   *
   * @throws IOException if an object submitted earlier has failed already (the backup cannot
   *     succeed, so there is no point reading further)
   */
  public void submit(String label, ObjectSource source) throws IOException {
    inBackground(() -> store(label, source));
  }

  /** An object's content, made on the transfer thread that then stores it. */
  @FunctionalInterface
  public interface Content {
    ObjectSource make() throws IOException;
  }

  /**
   * As {@link #submit}, with the object's bytes made on the transfer thread too (compressed, say),
   * so that making one object overlaps the caller preparing the next. Its place in the manifest is
   * this call's.
   */
  public void submitMade(String label, Content content) throws IOException {
    inBackground(() -> store(label, content.make()));
  }

  /**
   * As {@link #submitMade}, for content the maker owns and never changes (so the upload does not
   * hash it a second time), and with the stored object then read back on the same transfer thread:
   * decrypted and its size and SHA-256 checked against its entry, as {@link BackupVerifier} checks
   * an object, before its place counts. A backup made this way has had every object verified by the
   * time {@link #commit} returns, each while later ones were still being made, rather than in a
   * second pass over the whole backup after it.
   */
  public void submitReadBack(String label, Content content) throws IOException {
    inBackground(
        () -> {
          DataObjectRef ref = store(label, content.make(), null, true);
          readBack(ref);
          return ref;
        });
  }

  /** Reads a stored object to its end through decryption and its manifest entry's checks. */
  private void readBack(DataObjectRef ref) throws IOException {
    byte[] buf = new byte[64 * 1024];
    InputStream raw = store.get(ref.name());
    try (InputStream in =
        new VerifyingInputStream(
            new dev.tidemark.backup.crypto.DecryptingInputStream(raw, tableKey.key(), ref.name()),
            ref)) {
      while (in.read(buf) >= 0) {
        // Reading to the end is the check.
      }
    }
    checkStoredSize(ref);
  }

  private void checkStoredSize(DataObjectRef ref) throws IOException {
    OptionalLong stored = store.size(ref.name());
    if (stored.isEmpty() || stored.getAsLong() != ref.storedSize()) {
      throw new IOException(
          "data object " + ref.name() + " does not have the size it was stored with");
    }
  }

  /** Refuses content whose SHA-256 is not {@code expected} (when one is expected). */
  private static void expect(ContentFingerprint.Result content, String expected)
      throws UnexpectedContent {
    if (expected != null && !expected.equals(content.sha256())) {
      throw new UnexpectedContent(
          "content of SHA-256 " + content.sha256() + " where " + expected + " was expected");
    }
  }

  /** The transfer behind one manifest entry; runs on a transfer thread. */
  @FunctionalInterface
  private interface Transfer {
    DataObjectRef run() throws IOException;
  }

  /** Takes the next manifest entry's place and runs its transfer on a transfer thread. */
  private void inBackground(Transfer transfer) throws IOException {
    throwIfFailed();
    try {
      inFlight.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted waiting for an object upload");
    }
    CompletableFuture<DataObjectRef> slot;
    try {
      slot = slot();
    } catch (RuntimeException e) {
      inFlight.release();
      throw e;
    }
    Transfers.POOL.execute(
        () -> {
          try {
            if (abandoned || failed != null) {
              slot.completeExceptionally(new IOException("backup abandoned"));
              return;
            }
            slot.complete(transfer.run());
          } catch (Throwable e) {
            if (failed == null) {
              failed = e;
            }
            slot.completeExceptionally(e);
          } finally {
            inFlight.release();
          }
        });
  }

  private synchronized CompletableFuture<DataObjectRef> slot() {
    checkOpen();
    CompletableFuture<DataObjectRef> slot = new CompletableFuture<>();
    objects.add(slot);
    return slot;
  }

  /** Rethrows the first failure of a submitted object (from its upload thread), if any. */
  private void throwIfFailed() throws IOException {
    Throwable e = failed;
    if (e instanceof IOException io) {
      throw io;
    }
    if (e instanceof RuntimeException re) {
      throw re;
    }
    if (e instanceof Error err) {
      throw err;
    }
  }

  /**
   * Takes the next manifest entry's place now, to be filled later from any thread: how a copy
   * stores objects that arrive out of order in their manifest's order. {@link #commit} waits until
   * every place is filled; a place never filled keeps it waiting, so fill or abandon (close) them
   * all.
   */
  public Place reserve() {
    return new Place(slot());
  }

  /** One reserved manifest entry; see {@link #reserve}. */
  public final class Place {
    private final CompletableFuture<DataObjectRef> slot;

    private Place(CompletableFuture<DataObjectRef> slot) {
      this.slot = slot;
    }

    /**
     * Stores {@code content}, which the caller owns and no longer changes, as this entry's object
     * (or finds it already stored), with up to {@link ObjectStore#transfersInFlight()} stores of
     * this writer at once, as for {@link #submit}. Its SHA-256 is compared with {@code sha256}
     * before anything is uploaded. Once stored, the object is read back from the store before its
     * place counts, so that a backup whose places were all filled has had every object verified: an
     * object this call uploaded must read back byte for byte as the ciphertext it sent, and its
     * header must open under this writer's data key ({@link #matchStored}); one the store held
     * already (or got from a concurrent writer first) was encrypted elsewhere, so it is decrypted
     * and checked against its entry as {@link #submitReadBack} checks an object.
     *
     * @throws UnexpectedContent if the content's SHA-256 is another (nothing was stored)
     */
    public DataObjectRef store(String label, byte[] content, String sha256) throws IOException {
      return store(label, content, 0, content.length, sha256);
    }

    /** As {@link #store(String, byte[], String)}, for {@code length} bytes from {@code from}. */
    public DataObjectRef store(String label, byte[] content, int from, int length, String sha256)
        throws IOException {
      java.util.Objects.checkFromIndexSize(from, length, content.length);
      try {
        inFlight.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted waiting for an object upload");
      }
      try {
        if (abandoned) {
          // close() set this before waiting for the stores in flight, so none lands after it.
          throw new IOException("backup " + manifestName() + " was abandoned");
        }
        Held held = storeHeld(label, content, from, length, sha256);
        if (held.ciphertext() != null) {
          matchStored(held.ref(), held.ciphertext());
        } else {
          readBack(held.ref());
        }
        DataObjectRef ref = held.ref();
        slot.complete(ref);
        return ref;
      } catch (IOException | RuntimeException e) {
        slot.completeExceptionally(e);
        throw e;
      } finally {
        inFlight.release();
      }
    }

    /** Fills this entry with an object this writer has stored already (a repeated entry). */
    public void same(DataObjectRef ref) {
      slot.complete(ref);
    }
  }

  /** Content whose SHA-256 is not the one expected; nothing was uploaded. */
  public static final class UnexpectedContent extends IOException {
    private static final long serialVersionUID = 1L;

    UnexpectedContent(String message) {
      super(message);
    }
  }

  private DataObjectRef store(String label, ObjectSource source) throws IOException {
    return store(label, source, null, false);
  }

  /**
   * Fingerprints, then uploads unless the store holds the content already. With {@code expected} (a
   * SHA-256) the content must have that hash: a mismatch uploads nothing. {@code owned} content
   * cannot change between the reads, so the upload does not hash it a second time.
   */
  private DataObjectRef store(String label, ObjectSource source, String expected, boolean owned)
      throws IOException {
    ContentFingerprint fp = new ContentFingerprint(tableKey.key());
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = source.open()) {
      for (int n; (n = in.read(buf)) >= 0; ) {
        fp.update(buf, 0, n);
      }
    }
    ContentFingerprint.Result content = fp.finish();
    expect(content, expected);
    String name = BackupLayout.dataObjectName(tableId, content.contentId());
    OptionalLong existing = stored.size(name);
    long storedSize;
    boolean wasUploaded = false;
    if (existing.isPresent()) {
      storedSize = existing.getAsLong();
    } else {
      OptionalLong size = upload(name, source, content, !owned);
      wasUploaded = size.isPresent();
      storedSize = wasUploaded ? size.getAsLong() : store.size(name).orElseThrow();
      stored.stored(name, storedSize);
    }
    (wasUploaded ? uploaded : reused).incrementAndGet();
    return new DataObjectRef(name, label, content.size(), storedSize, content.sha256());
  }

  /**
   * An object stored from memory: its entry, and the ciphertext this writer uploaded for it, or
   * null when the store held the object already (another writer encrypted it).
   */
  private record Held(DataObjectRef ref, ExposedBytes ciphertext) {}

  /**
   * As {@link #store(String, ObjectSource, String, boolean)} for content held whole in memory,
   * which is encrypted into memory first and then uploaded in one piece, so that the ciphertext the
   * store was sent is at hand for {@link #matchStored}.
   */
  private Held storeHeld(String label, byte[] content, int from, int length, String expected)
      throws IOException {
    ContentFingerprint fp = new ContentFingerprint(tableKey.key());
    fp.update(content, from, length);
    ContentFingerprint.Result fingerprint = fp.finish();
    expect(fingerprint, expected);
    String name = BackupLayout.dataObjectName(tableId, fingerprint.contentId());
    OptionalLong existing = stored.size(name);
    ExposedBytes sealed = null;
    long storedSize;
    if (existing.isPresent()) {
      storedSize = existing.getAsLong();
    } else {
      // Segments add 16 bytes each and the header a few hundred: room for both up front.
      ExposedBytes cipher = new ExposedBytes(length + (length / chunkSize + 2) * 16 + 1024);
      EncryptingOutputStream enc =
          new EncryptingOutputStream(cipher, tableKey.key(), name, chunkSize);
      enc.write(content, from, length);
      enc.finish();
      try (PendingObject out = store.create(name)) {
        // In pieces of a segment: a file store copies each write through a temporary direct
        // buffer, which it keeps for writes this small but maps afresh for a larger one.
        for (int at = 0; at < cipher.size(); at += chunkSize) {
          out.write(cipher.bytes(), at, Math.min(chunkSize, cipher.size() - at));
        }
        out.commit();
        sealed = cipher;
        storedSize = cipher.size();
      } catch (ObjectAlreadyExistsException e) {
        // Same name means same plaintext under the same table key: the other copy serves us.
        storedSize = store.size(name).orElseThrow();
      }
      stored.stored(name, storedSize);
    }
    (sealed != null ? uploaded : reused).incrementAndGet();
    return new Held(
        new DataObjectRef(name, label, fingerprint.size(), storedSize, fingerprint.sha256()),
        sealed);
  }

  /**
   * Reads an object this writer uploaded back from the store and checks that the store holds
   * exactly the ciphertext it was sent, every byte and no more, and that the object's header (read
   * from the store, through the same comparison) opens under this writer's data key. Decrypting the
   * body again would add nothing to what that proves about the store: the bytes are the ones the
   * encryption produced, and their segments' authentication tags are checked on every later read.
   */
  private void matchStored(DataObjectRef ref, ExposedBytes sent) throws IOException {
    byte[] buf = new byte[64 * 1024];
    try (MatchingInputStream in =
        new MatchingInputStream(store.get(ref.name()), ref.name(), sent)) {
      // The constructor reads the header and unwraps its keyset; the body is not decrypted.
      new dev.tidemark.backup.crypto.DecryptingInputStream(in, tableKey.key(), ref.name());
      while (in.read(buf) >= 0) {
        // Reading to the end is the check.
      }
    }
    checkStoredSize(ref);
  }

  /** A byte sink whose bytes are read in place rather than copied out. */
  private static final class ExposedBytes extends java.io.ByteArrayOutputStream {
    ExposedBytes(int capacity) {
      super(capacity);
    }

    byte[] bytes() {
      return buf;
    }
  }

  /**
   * Passes a stored object through, failing as soon as a byte differs from what was sent for it,
   * and at its end if it is shorter or longer.
   */
  private static final class MatchingInputStream extends java.io.FilterInputStream {
    private final String name;
    private final ExposedBytes sent;
    private long position;

    MatchingInputStream(InputStream stored, String name, ExposedBytes sent) {
      super(stored);
      this.name = name;
      this.sent = sent;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n < 0) {
        if (position != sent.size()) {
          throw new CorruptObjectException(
              name,
              CorruptObjectException.Reason.TRUNCATED,
              "reads back " + position + " bytes of the " + sent.size() + " stored");
        }
        return -1;
      }
      if (position + n > sent.size()
          || Arrays.mismatch(b, off, off + n, sent.bytes(), (int) position, (int) position + n)
              != -1) {
        throw new CorruptObjectException(
            name,
            CorruptObjectException.Reason.AUTHENTICATION_FAILED,
            "reads back other bytes than were stored, within bytes "
                + position
                + ".."
                + (position + n));
      }
      position += n;
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      // Every byte must pass through read to be compared.
      byte[] buf = new byte[(int) Math.min(n, 8192)];
      int got = read(buf, 0, buf.length);
      return Math.max(0, got);
    }

    @Override
    public boolean markSupported() {
      return false;
    }
  }

  /**
   * Lists an object an earlier backup of this table stored, without reading it: how an incremental
   * backup takes over its base's objects. The caller must have read the manifest naming it after
   * this writer was opened (so garbage collection cannot remove it until this backup is committed);
   * its presence and stored size are checked all the same, in the background like {@link #submit}:
   * a missing or different object fails {@link #commit}.
   */
  public void reference(DataObjectRef ref) throws IOException {
    checkOpen();
    if (!ref.name().startsWith(BackupLayout.dataPrefix(tableId))) {
      throw new IllegalArgumentException(ref.name() + " is not a data object of table " + tableId);
    }
    inBackground(
        () -> {
          OptionalLong size = stored.size(ref.name());
          if (size.isEmpty() || size.getAsLong() != ref.storedSize()) {
            throw new IOException(
                "data object "
                    + ref.name()
                    + (size.isEmpty() ? " is missing" : " has an unexpected size")
                    + "; it cannot be shared");
          }
          reused.incrementAndGet();
          return ref;
        });
  }

  /** Encrypts and uploads; empty if a concurrent writer stored the same content first. */
  private OptionalLong upload(
      String name, ObjectSource source, ContentFingerprint.Result expected, boolean recheck)
      throws IOException {
    MessageDigest sha = sha256();
    long count = 0;
    byte[] buf = new byte[64 * 1024];
    try (PendingObject out = store.create(name);
        InputStream in = source.open()) {
      EncryptingOutputStream enc = new EncryptingOutputStream(out, tableKey.key(), name, chunkSize);
      for (int n; (n = in.read(buf)) >= 0; ) {
        if (recheck) {
          sha.update(buf, 0, n);
        }
        enc.write(buf, 0, n);
        count += n;
      }
      // The name was derived from the first read; committing different bytes under it would
      // corrupt every backup that later dedups against it (content the caller guarantees
      // immutable cannot differ, and is not hashed twice).
      if (count != expected.size()
          || recheck && !HexFormat.of().formatHex(sha.digest()).equals(expected.sha256())) {
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
    List<DataObjectRef> refs = awaitObjects();
    Manifest manifest;
    synchronized (this) {
      checkOpen();
      if (objects.size() != refs.size()) {
        throw new IllegalStateException(
            "objects were added to " + manifestName() + " during commit");
      }
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
              refs,
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

  /**
   * Waits until every object is durably stored; the first failure fails the backup (and closes the
   * writer, so that no manifest can follow).
   */
  private List<DataObjectRef> awaitObjects() throws IOException {
    List<CompletableFuture<DataObjectRef>> slots;
    synchronized (this) {
      checkOpen();
      slots = List.copyOf(objects);
    }
    List<DataObjectRef> refs = new ArrayList<>(slots.size());
    try {
      for (CompletableFuture<DataObjectRef> slot : slots) {
        try {
          refs.add(slot.get());
        } catch (ExecutionException e) {
          throwIfFailed();
          throw new IOException("an object of backup " + manifestName() + " failed", e.getCause());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new InterruptedIOException("interrupted waiting for the objects of a backup");
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
    return refs;
  }

  /** Data objects uploaded by this writer. */
  public int uploadedObjects() {
    return uploaded.get();
  }

  /** Data objects that were already in the store and are only referenced. */
  public int reusedObjects() {
    return reused.get();
  }

  private void checkOpen() {
    if (committed || closed) {
      throw new IllegalStateException("backup writer for " + manifestName() + " is finished");
    }
  }

  /**
   * Releases the writer. Uploads still in flight are waited for first (those not started yet are
   * skipped), so that none lands after garbage collection, which this writer holds off, may run.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      abandoned = !committed;
    }
    inFlight.acquireUninterruptibly(window);
    inFlight.release(window);
    unlock.run();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
