package dev.tidemark.managed;

import dev.tidemark.backup.BackupMetadata;
import dev.tidemark.backup.BackupRecord;
import dev.tidemark.backup.BackupWriter;
import dev.tidemark.backup.DataObjectRef;
import dev.tidemark.backup.Manifest;
import dev.tidemark.backup.ObjectSource;
import dev.tidemark.backup.VerifyResult;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * key alone, whatever key the source uses), and verified by reading every object back before the
 * point is COMPLETED.
 *
 * <p>A copy from another server arrives in steps ({@link #begin}, {@link #chunk} per piece of each
 * object in manifest order, {@link #commit}); each object is spooled to a scratch file as it
 * arrives and stored as soon as it is whole, so neither side holds a point in memory. Copies of one
 * source table incarnation share a table id here ({@code copy-<hash>}), so successive copies of it
 * share unchanged objects as its own backups do. A copy between vaults of this server ({@link
 * #copyLocal}) writes a manifest that references the source's objects: the same bytes, counted by
 * the store's garbage collector for both points, so deleting either leaves the other whole.
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
    final Path spool;
    final int[] dupOf;
    final DataObjectRef[] refs;
    int next;
    boolean closed;

    Session(
        Offer offer,
        RecoveryPoint point,
        String tableId,
        String backupId,
        BackupWriter writer,
        Path spool) {
      this.id = UUID.randomUUID().toString();
      this.offer = offer;
      this.point = point;
      this.tableId = tableId;
      this.backupId = backupId;
      this.writer = writer;
      this.spool = spool;
      this.dupOf = duplicates(offer.manifest().objects());
      this.refs = new DataObjectRef[dupOf.length];
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
    return open(offer, tableId);
  }

  private Begun open(Offer offer, String tableId) {
    String pointId = pointId(offer.sourceRegion(), offer.sourceAccount(), offer.copyJobId());
    String arn = core.arnPrefix() + "recovery-point:" + pointId;
    RecoveryPoint point;
    String backupId;
    synchronized (core) {
      String prefix = core.vaultArn("");
      if (!offer.destinationVaultArn().startsWith(prefix)) {
        // A --peer URL naming the wrong server must not file the copy in another account's vault.
        throw new DynamoException(
            WireError.INVALID_PARAMETER_VALUE,
            "Backup vault "
                + offer.destinationVaultArn()
                + " is not on this server (region "
                + core.region()
                + ", account "
                + core.account()
                + "): check the --peer URL of its region.");
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
    Session s = new Session(offer, point, tableId, backupId, writer, spoolRoot.resolve(pointId));
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
        s.writer.close();
        deleteTree(s.spool);
      }
    }
  }

  /**
   * One piece of the object at {@code index}, starting at plaintext {@code offset}; {@code last}
   * ends the object, which is then stored and checked against the offered size and SHA-256.
   */
  public void chunk(String sessionId, int index, long offset, byte[] data, boolean last) {
    Session s = session(sessionId);
    synchronized (s) {
      if (s.closed) {
        throw lost(sessionId);
      }
      if (index < s.next) {
        return; // a retried piece of an object already stored
      }
      if (index != s.next || s.dupOf[index] >= 0) {
        throw new DynamoException(
            WireError.INVALID_REQUEST,
            "Copy session " + sessionId + " expects object " + s.next + ", not " + index + ".");
      }
      DataObjectRef expected = s.offer.manifest().objects().get(index);
      try {
        Files.createDirectories(s.spool);
        Path file = s.spool.resolve(Integer.toString(index));
        long have = Files.exists(file) ? Files.size(file) : 0;
        if (offset < have && offset + data.length <= have) {
          return; // a retried piece
        }
        if (offset != have) {
          throw new DynamoException(
              WireError.INVALID_REQUEST,
              "Copy session " + sessionId + " holds " + have + " bytes of object " + index + ".");
        }
        Files.write(file, data, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        if (!last) {
          return;
        }
        if (Files.size(file) != expected.plaintextSize()) {
          fail(
              s,
              "object "
                  + index
                  + " arrived with "
                  + Files.size(file)
                  + " bytes, not "
                  + expected.plaintextSize());
        }
        DataObjectRef stored = s.writer.addObject(expected.label(), ObjectSource.of(file));
        if (!stored.sha256().equals(expected.sha256())) {
          fail(s, "object " + index + " arrived with other content than its source's SHA-256");
        }
        Files.delete(file);
        s.refs[index] = stored;
        s.next++;
        while (s.next < s.dupOf.length && s.dupOf[s.next] >= 0) {
          DataObjectRef first = s.refs[s.dupOf[s.next]];
          DataObjectRef entry = s.offer.manifest().objects().get(s.next);
          s.refs[s.next] =
              new DataObjectRef(
                  first.name(),
                  entry.label(),
                  first.plaintextSize(),
                  first.storedSize(),
                  first.sha256());
          s.writer.reference(s.refs[s.next]);
          s.next++;
        }
      } catch (IOException e) {
        close(s);
        throw new DynamoException(
            WireError.BACKUP_SERVICE_UNAVAILABLE,
            "Object " + index + " of the copy could not be stored: " + e.getMessage());
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
      if (s.next != s.dupOf.length) {
        throw new DynamoException(
            WireError.INVALID_REQUEST,
            "Copy session " + sessionId + " has " + s.next + " of " + s.dupOf.length + " objects.");
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
      deleteTree(s.spool);
      throw new DynamoException(
          WireError.BACKUP_SERVICE_UNAVAILABLE,
          "The copy's manifest could not be written: " + e.getMessage());
    } finally {
      deleteTree(s.spool);
    }
    BackupRecord r = backups.register(written);
    // Every object is read back, decrypted and checked against the manifest before COMPLETED.
    VerifyResult check = backups.verify(r);
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
    Begun b = open(offer, offer.manifest().tableId());
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
        s.next = s.dupOf.length;
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
