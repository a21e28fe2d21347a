package dev.tidemark.managed;

import dev.tidemark.backup.BackupMetadata;
import dev.tidemark.backup.BackupRecord;
import dev.tidemark.backup.BackupWriter;
import dev.tidemark.backup.DataObjectRef;
import dev.tidemark.backup.Manifest;
import dev.tidemark.backup.VerifyResult;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The destination side of a copy: turns an offered recovery point into a recovery point of one of
 * this server's vaults. The point's data is written as a new backup in this server's store, under
 * this server's master key and a data key of its own (so the copy is readable with this server's
 * key alone, whatever key the source uses), and verified by reading every object back from the
 * store before the point is COMPLETED.
 *
 * <p>A copy from another server arrives in steps ({@link #begin}, {@link #chunk} per piece of each
 * object, {@link #commit}). Objects may arrive in any order and several at once: each takes its
 * manifest entry's place in the writer at {@code begin} ({@link BackupWriter#reserve}), is held in
 * memory until whole, checked against the offered SHA-256 and stored (re-encrypted) before its last
 * piece is answered; the sender bounds how many are in flight, so neither side holds a point in
 * memory. Copies of one source table incarnation share a table id here ({@code copy-<hash>}), so
 * successive copies of it share unchanged objects as its own backups do. A copy between vaults of
 * this server ({@link #copyLocal}) writes a manifest that references the source's objects: the same
 * bytes, counted by the store's garbage collector for both points, so deleting either leaves the
 * other whole.
 *
 * <p>Crashes: a record {@code aws-backup/copy-in/<point id>} exists from {@code begin} until the
 * point is COMPLETED. At start ({@link #load}), a copy still recorded there was never acknowledged
 * to its source: its backup (if its manifest was written) is deleted with its point, and its
 * orphaned objects are collected. The source then starts the copy again; the destination point's id
 * derives from the copy job, so the retry makes the same point, and a begin for a point already
 * COMPLETED answers with it instead of copying again.
 */
public final class CopyReceiver implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CopyReceiver.class);

  private final ManagedBackups core;
  private final VaultAccessPolicies policies;

  /** Where earlier versions spooled incoming objects; cleared at start. */
  private final Path spoolRoot;

  private final MetaRecords<IncomingCopy> incoming;
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();

  /** A copy being received, from begin until its point is COMPLETED. */
  record IncomingCopy(String pointId, String tableId, String backupId, long startedMillis) {}

  /**
   * What a source offers.
   *
   * @param manifest the source point's manifest: metadata, incremental structure and, per object,
   *     label, size and SHA-256 (the source's data key never travels)
   * @param lifecycle the destination point's lifecycle
   */
  public record Offer(
      String copyJobId,
      String sourceRegion,
      String sourceAccount,
      String sourceVaultArn,
      String sourcePointArn,
      String destinationVaultArn,
      Lifecycle lifecycle,
      String resourceArn,
      String resourceName,
      Manifest manifest) {}

  /**
   * The answer to {@link #begin}.
   *
   * @param sessionId null when the point was completed by an earlier attempt
   */
  public record Begun(String sessionId, String pointArn, long sizeBytes) {}

  /** A completed copy: the destination point and its size. */
  public record Done(String pointArn, long sizeBytes) {}

  private static final class Session {
    final String id;
    final Offer offer;
    final RecoveryPoint point;
    final String tableId;
    final String backupId;
    final BackupWriter writer;
    final int[] dupOf;
    final DataObjectRef[] refs;

    /** Each manifest entry's place in the writer; null for a copy between vaults of this server. */
    final BackupWriter.Place[] places;

    /** Objects some of whose pieces have arrived. */
    final Map<Integer, Partial> partial = new HashMap<>();

    final boolean[] storing;
    int stored;
    boolean closed;

    Session(
        Offer offer,
        RecoveryPoint point,
        String tableId,
        String backupId,
        BackupWriter writer,
        boolean reserve) {
      this.id = UUID.randomUUID().toString();
      this.offer = offer;
      this.point = point;
      this.tableId = tableId;
      this.backupId = backupId;
      this.writer = writer;
      this.dupOf = duplicates(offer.manifest().objects());
      this.refs = new DataObjectRef[dupOf.length];
      this.storing = new boolean[dupOf.length];
      this.places = reserve ? new BackupWriter.Place[dupOf.length] : null;
      if (reserve) {
        for (int i = 0; i < places.length; i++) {
          places[i] = writer.reserve();
        }
      }
    }
  }

  /** An object being received in several pieces. */
  private static final class Partial {
    final byte[] bytes;
    int have;

    Partial(int size) {
      this.bytes = new byte[size];
    }
  }

  public CopyReceiver(ManagedBackups core, VaultAccessPolicies policies, Path spoolRoot) {
    this.core = core;
    this.policies = policies;
    this.spoolRoot = spoolRoot;
    this.incoming = new MetaRecords<>(core.db().storage(), "copy-in", IncomingCopy.class);
  }

  /**
   * For each manifest entry, the index of the first earlier entry naming the same object, or -1.
   * Sender and receiver both use it: a repeated object is sent once.
   */
  public static int[] duplicates(List<DataObjectRef> objects) {
    int[] out = new int[objects.size()];
    Map<String, Integer> first = new HashMap<>();
    for (int i = 0; i < out.length; i++) {
      Integer f = first.putIfAbsent(objects.get(i).name(), i);
      out[i] = f == null ? -1 : f;
    }
    return out;
  }

  /** Settles copies a crash interrupted; after {@link ManagedBackups#load}. */
  public void load() {
    deleteTree(spoolRoot);
    for (IncomingCopy c : incoming.all()) {
      RecoveryPoint p;
      synchronized (core) {
        p = core.anyPoint(core.arnPrefix() + "recovery-point:" + c.pointId());
        if (p != null
            && RecoveryPoint.COMPLETED.equals(p.status())
            && p.sourceBackupVaultArn() != null) {
          // Completed and verified; only the record's removal was cut off.
          incoming.delete(c.pointId());
          continue;
        }
        if (p != null) {
          core.unfilePoint(p);
        }
      }
      discard(c);
      LOG.warn(
          "The copy into recovery point {} was interrupted before it was verified; what it had"
              + " written was removed, and its source starts it again",
          c.pointId());
    }
  }

  /** Removes an unacknowledged copy's backup and objects, then its record. */
  private void discard(IncomingCopy c) {
    var backups = core.backups();
    for (BackupRecord r : backups.list()) {
      if (c.tableId().equals(r.tableUuid()) && r.backupId().equals(c.backupId())) {
        try {
          backups.delete(r);
        } catch (IOException | RuntimeException e) {
          LOG.warn("The partial copy {} could not be deleted yet", r.arn(), e);
          return;
        }
      }
    }
    try {
      backups.repository().collectOrphans(c.tableId());
    } catch (IOException e) {
      LOG.warn("Objects of the partial copy into {} could not be collected yet", c.pointId(), e);
    }
    synchronized (core) {
      incoming.delete(c.pointId());
    }
  }

  /** The table id copies of one source table incarnation share here. */
  static String copyTableId(String sourceRegion, String sourceAccount, String sourceTableId) {
    return "copy-"
        + HexFormat.of()
            .formatHex(sha256(sourceRegion + "|" + sourceAccount + "|" + sourceTableId), 0, 16);
  }

  /** The destination point's id: the same for every attempt of one copy job. */
  static String pointId(String sourceRegion, String sourceAccount, String copyJobId) {
    return UUID.nameUUIDFromBytes(
            ("copy|" + sourceRegion + "|" + sourceAccount + "|" + copyJobId)
                .getBytes(StandardCharsets.UTF_8))
        .toString()
        .toUpperCase(Locale.ROOT);
  }

  /** Opens a copy from another server. */
  public Begun begin(Offer offer) {
    String tableId =
        copyTableId(offer.sourceRegion(), offer.sourceAccount(), offer.manifest().tableId());
    return open(offer, tableId, true);
  }

  private Begun open(Offer offer, String tableId, boolean remote) {
    String pointId = pointId(offer.sourceRegion(), offer.sourceAccount(), offer.copyJobId());
    String arn = core.arnPrefix() + "recovery-point:" + pointId;
    RecoveryPoint point;
    String backupId;
    synchronized (core) {
      String prefix = core.vaultArn("");
      if (!offer.destinationVaultArn().startsWith(prefix)) {
        // A --copy-peer or --peer URL naming the wrong server must not file the copy in another
        // account's (or region's) vault.
        throw new DynamoException(
            WireError.INVALID_PARAMETER_VALUE,
            "Backup vault "
                + offer.destinationVaultArn()
                + " is not on this server (region "
                + core.region()
                + ", account "
                + core.account()
                + "): check the source server's --copy-peer (or --peer) URL for it.");
      }
      Vault v = core.vault(offer.destinationVaultArn().substring(prefix.length()));
      String refusal = policies.refusesCopy(v, offer.sourceAccount());
      if (refusal != null) {
        throw new DynamoException(WireError.ACCESS_DENIED, refusal);
      }
      String violation = ManagedBackups.lockViolation(v, offer.lifecycle());
      if (violation != null) {
        throw new DynamoException(WireError.INVALID_REQUEST, violation);
      }
      RecoveryPoint existing = core.anyPoint(arn);
      if (existing != null && RecoveryPoint.COMPLETED.equals(existing.status())) {
        return new Begun(null, arn, existing.sizeBytes());
      }
      abandon(pointId);
      if (existing != null) {
        core.unfilePoint(existing);
      }
      backupId =
          String.format(
              Locale.ROOT,
              "%014d-%08x",
              offer.manifest().metadata().creationTimeMillis(),
              ThreadLocalRandom.current().nextInt());
      incoming.put(pointId, new IncomingCopy(pointId, tableId, backupId, core.now()));
      point =
          new RecoveryPoint(
              pointId,
              arn,
              v.name(),
              offer.resourceArn(),
              offer.resourceName(),
              null,
              RecoveryPoint.CREATING,
              offer.manifest().metadata().creationTimeMillis(),
              null,
              0,
              offer.lifecycle(),
              null,
              null,
              Map.of(),
              null,
              offer.sourceVaultArn());
      core.filePoint(point);
    }
    BackupWriter writer;
    try {
      writer = core.backups().repository().begin(tableId, backupId);
    } catch (IOException e) {
      throw new DynamoException(
          WireError.BACKUP_SERVICE_UNAVAILABLE,
          "The backup store cannot take the copy now: " + e.getMessage());
    }
    Session s = new Session(offer, point, tableId, backupId, writer, remote);
    sessions.put(s.id, s);
    return new Begun(s.id, arn, 0);
  }

  /** Closes an earlier attempt's session of the same point, if one is still open. */
  private void abandon(String pointId) {
    for (Session s : List.copyOf(sessions.values())) {
      if (s.point.id().equals(pointId)) {
        close(s);
      }
    }
  }

  private void close(Session s) {
    synchronized (s) {
      if (!s.closed) {
        s.closed = true;
        sessions.remove(s.id);
        s.partial.clear();
        s.writer.close();
      }
    }
  }

  /**
   * One piece of the object at {@code index}, starting at plaintext {@code offset}; {@code last}
   * ends the object, which is then checked against the offered size and SHA-256 and stored before
   * this returns. Objects may come in any order and several at once (each one's pieces in order); a
   * piece of an object already stored is a retry, and changes nothing.
   */
  public void chunk(String sessionId, int index, long offset, byte[] data, boolean last) {
    chunk(sessionId, index, offset, data, 0, data.length, last);
  }

  /**
   * As {@link #chunk(String, int, long, byte[], boolean)}, for the piece that is {@code length}
   * bytes of {@code buffer} from {@code from} (a frame's body, taken where it lies).
   */
  public void chunk(
      String sessionId, int index, long offset, byte[] buffer, int from, int length, boolean last) {
    Objects.checkFromIndexSize(from, length, buffer.length);
    Session s = session(sessionId);
    DataObjectRef expected;
    byte[] whole;
    int wholeFrom = 0;
    synchronized (s) {
      if (s.closed) {
        throw lost(sessionId);
      }
      if (index < 0 || index >= s.dupOf.length || s.dupOf[index] >= 0 || s.places == null) {
        throw new DynamoException(
            WireError.INVALID_REQUEST,
            "Copy session " + sessionId + " has no object " + index + " to receive.");
      }
      if (s.refs[index] != null) {
        return; // a retried piece of an object already stored
      }
      if (s.storing[index]) {
        throw new DynamoException(
            WireError.INVALID_REQUEST,
            "Copy session " + sessionId + " is storing object " + index + " already.");
      }
      expected = s.offer.manifest().objects().get(index);
      if (expected.plaintextSize() > Integer.MAX_VALUE - 64) {
        fail(s, "object " + index + " is too large to copy (" + expected.plaintextSize() + " B)");
      }
      Partial p = s.partial.get(index);
      int have = p == null ? 0 : p.have;
      if (offset < have && offset + length <= have) {
        return; // a retried piece
      }
      if (offset != have) {
        throw new DynamoException(
            WireError.INVALID_REQUEST,
            "Copy session " + sessionId + " holds " + have + " bytes of object " + index + ".");
      }
      if (have + (long) length > expected.plaintextSize()
          || last && have + length != expected.plaintextSize()) {
        fail(
            s,
            "object "
                + index
                + " arrived with "
                + (have + (long) length)
                + (last ? "" : " or more")
                + " bytes, not "
                + expected.plaintextSize());
      }
      if (last && have == 0) {
        whole = buffer; // the usual case: a whole object in one piece
        wholeFrom = from;
      } else {
        if (p == null) {
          p = new Partial((int) expected.plaintextSize());
          s.partial.put(index, p);
        }
        System.arraycopy(buffer, from, p.bytes, have, length);
        p.have += length;
        if (!last) {
          return;
        }
        whole = p.bytes;
        s.partial.remove(index);
      }
      s.storing[index] = true;
    }
    // Stored outside the session's monitor, so that several objects are stored at once.
    DataObjectRef stored;
    try {
      stored =
          s.places[index].store(
              expected.label(),
              whole,
              wholeFrom,
              (int) expected.plaintextSize(),
              expected.sha256());
    } catch (BackupWriter.UnexpectedContent e) {
      synchronized (s) {
        fail(s, "object " + index + " arrived with other content than its source's SHA-256");
      }
      return;
    } catch (IOException e) {
      synchronized (s) {
        if (s.closed) {
          throw lost(sessionId);
        }
        close(s);
      }
      throw new DynamoException(
          WireError.BACKUP_SERVICE_UNAVAILABLE,
          "Object " + index + " of the copy could not be stored: " + e.getMessage());
    }
    synchronized (s) {
      if (s.closed) {
        throw lost(sessionId);
      }
      s.refs[index] = stored;
      s.stored++;
      for (int i = index + 1; i < s.dupOf.length; i++) {
        if (s.dupOf[i] == index) {
          DataObjectRef entry = s.offer.manifest().objects().get(i);
          s.refs[i] =
              new DataObjectRef(
                  stored.name(),
                  entry.label(),
                  stored.plaintextSize(),
                  stored.storedSize(),
                  stored.sha256());
          s.places[i].same(s.refs[i]);
          s.stored++;
        }
      }
    }
  }

  private void fail(Session s, String why) {
    close(s);
    throw new DynamoException(WireError.INVALID_REQUEST, "The copy was abandoned: " + why + ".");
  }

  /** Writes the manifest, verifies every object, and completes the point. */
  public Done commit(String sessionId) {
    Session s = session(sessionId);
    synchronized (s) {
      if (s.closed) {
        throw lost(sessionId);
      }
      if (s.stored != s.dupOf.length) {
        throw new DynamoException(
            WireError.INVALID_REQUEST,
            "Copy session "
                + sessionId
                + " has "
                + s.stored
                + " of "
                + s.dupOf.length
                + " objects.");
      }
      s.closed = true;
      sessions.remove(s.id);
      return finish(s);
    }
  }

  private Done finish(Session s) {
    Manifest source = s.offer.manifest();
    BackupMetadata md = source.metadata();
    var backups = core.backups();
    Manifest written;
    try {
      written =
          s.writer.commit(
              new BackupMetadata(
                  "arn:aws:dynamodb:"
                      + core.region()
                      + ":"
                      + core.account()
                      + ":table/"
                      + md.tableName()
                      + "/backup/"
                      + s.backupId,
                  s.point.vaultName() + "." + s.point.id(),
                  ManagedBackups.BACKUP_TYPE,
                  md.tableName(),
                  s.tableId,
                  md.tableArn(),
                  md.tableSchema(),
                  md.position(),
                  md.itemCount(),
                  md.sizeBytes(),
                  md.creationTimeMillis()),
              source.incremental());
    } catch (IOException | RuntimeException e) {
      s.writer.close();
      throw new DynamoException(
          WireError.BACKUP_SERVICE_UNAVAILABLE,
          "The copy's manifest could not be written: " + e.getMessage());
    }
    BackupRecord r = backups.register(written);
    // Every object is read back from the store and checked before COMPLETED: a copy from a peer
    // had each object read back as soon as it was stored (BackupWriter.Place: the bytes sent,
    // compared one for one, or an object found stored already, decrypted and checked), while
    // others were still arriving, so the stored manifest, its key and the objects' presence are
    // what is left; a copy within this server references objects it never read.
    VerifyResult check =
        s.places != null
            ? backups.repository().verifyPresent(r.manifestName(), written)
            : backups.verify(r);
    if (!check.ok()) {
      try {
        backups.delete(r);
      } catch (IOException | RuntimeException e) {
        LOG.warn("The copy {} failed verification and could not be deleted yet", r.arn(), e);
      }
      synchronized (core) {
        core.unfilePoint(s.point);
        incoming.delete(s.point.id());
      }
      throw new DynamoException(
          WireError.INVALID_REQUEST,
          "The copy failed verification and was removed: " + check.summary());
    }
    synchronized (core) {
      RecoveryPoint done = s.point.completed(r.arn(), core.now(), md.sizeBytes());
      core.filePoint(done);
      incoming.delete(s.point.id());
      return new Done(done.arn(), done.sizeBytes());
    }
  }

  /**
   * A copy between two vaults of this server: a new backup whose manifest references the source's
   * objects (read after the writer is open, so garbage collection cannot take them meanwhile),
   * verified like any copy.
   */
  Done copyLocal(Offer offer, String sourceManifestName) {
    Begun b = open(offer, offer.manifest().tableId(), false);
    if (b.sessionId() == null) {
      return new Done(b.pointArn(), b.sizeBytes());
    }
    Session s = session(b.sessionId());
    synchronized (s) {
      s.closed = true;
      sessions.remove(s.id);
      try {
        Manifest current = core.backups().repository().readManifest(sourceManifestName);
        for (DataObjectRef ref : current.objects()) {
          s.writer.reference(ref);
        }
        s.stored = s.dupOf.length;
      } catch (IOException | RuntimeException e) {
        // Nothing was uploaded: the writer only referenced objects.
        s.writer.close();
        synchronized (core) {
          core.unfilePoint(s.point);
          incoming.delete(s.point.id());
        }
        throw new DynamoException(
            WireError.INVALID_REQUEST,
            "The source recovery point can no longer be read: " + e.getMessage());
      }
      return finish(s);
    }
  }

  /** Abandons every open session (their writers release the tables they hold). */
  @Override
  public void close() {
    for (Session s : List.copyOf(sessions.values())) {
      close(s);
    }
  }

  private Session session(String id) {
    Session s = id == null ? null : sessions.get(id);
    if (s == null) {
      throw lost(id);
    }
    return s;
  }

  private static DynamoException lost(String id) {
    return new DynamoException(
        WireError.RESOURCE_NOT_FOUND,
        "Copy session " + id + " is not open on this server (it may have restarted).");
  }

  /** The point a copy job made here, if it is COMPLETED. */
  Optional<RecoveryPoint> completed(String sourceRegion, String sourceAccount, String jobId) {
    RecoveryPoint p =
        core.anyPoint(
            core.arnPrefix() + "recovery-point:" + pointId(sourceRegion, sourceAccount, jobId));
    return Optional.ofNullable(p).filter(x -> RecoveryPoint.COMPLETED.equals(x.status()));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("Copy spool {} could not be removed", dir, e);
    }
  }
}
