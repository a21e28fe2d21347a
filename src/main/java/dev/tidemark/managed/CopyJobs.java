package dev.tidemark.managed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.backup.BackupRecord;
import dev.tidemark.backup.BackupRepository;
import dev.tidemark.backup.DataObjectRef;
import dev.tidemark.backup.Manifest;
import dev.tidemark.backup.Transfers;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copy jobs, the source side: StartCopyJob and the CopyActions of plan rules (a copy job per action
 * once the rule's backup job is COMPLETED), each moving a recovery point into a vault of this
 * server or of another server: one of another account ({@code --copy-peer}, in any region) or of a
 * peer region ({@code --peer}). Records live in the meta space ({@code aws-backup/copy-job/<id>}),
 * each state change synced before anything depends on it.
 *
 * <p>Transfers run on their own threads, never under the core's monitor. A job is CREATED, then
 * RUNNING while a transfer runs, then COMPLETED once the destination has written and verified its
 * point, or FAILED with the reason (source gone, destination vault missing or locked against the
 * lifecycle, access policy, verification). A destination that cannot be reached leaves the job
 * RUNNING and is tried again with back-off, for up to a day. A job a restart finds RUNNING is
 * resumed from the start of its transfer: the destination point's id derives from the job, and a
 * destination that already completed it answers with that point.
 */
public final class CopyJobs implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CopyJobs.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern VAULT_ARN =
      Pattern.compile("arn:aws:backup:([a-z0-9-]+):(\\d{12}):backup-vault:([a-zA-Z0-9\\-_]{2,50})");
  private static final long IDEMPOTENCY_MILLIS = 24 * 3_600_000L;

  /** Plaintext bytes per frame to a peer (the copy endpoint takes bodies of up to 8 MiB). */
  static final int FRAME_BYTES = 4 << 20;

  /**
   * Objects of one copy sent to a peer at once. The destination stores each (fingerprint,
   * re-encryption, an fsync on a disk) before it answers, so one at a time left both sides idle in
   * turn; with a few in flight, reading here, storing there and the network overlap. Bounds memory:
   * each is held whole on both sides.
   */
  static final int OBJECTS_IN_FLIGHT = 4;

  /** How long an unreachable destination is tried before the job fails. */
  static final long GIVE_UP_MILLIS = 24 * 3_600_000L;

  private final ManagedBackups core;
  private final BackupPlans plans;
  private final CopyReceiver receiver;
  private final PeerChannel peers;
  private final MetaRecords<CopyJob> records;
  private final Map<String, CopyJob> jobs = new LinkedHashMap<>();
  private final Set<String> active = ConcurrentHashMap.newKeySet();
  private final Set<String> seenBackupJobs = new HashSet<>();
  private final ExecutorService transfers;
  private final ExecutorService senders =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "tidemark-copy-send");
            t.setDaemon(true);
            return t;
          });

  public CopyJobs(
      ManagedBackups core, BackupPlans plans, CopyReceiver receiver, PeerChannel peers) {
    this.core = core;
    this.plans = plans;
    this.receiver = receiver;
    this.peers = peers;
    this.records = new MetaRecords<>(core.db().storage(), "copy-job", CopyJob.class);
    this.transfers =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "tidemark-copy");
              t.setDaemon(true);
              return t;
            });
    core.addScheduler(this::pass);
    core.addWarmReaders(this::sourcesInFlight);
  }

  /** The recovery points that CREATED or RUNNING jobs copy; under the core's monitor. */
  private Set<String> sourcesInFlight() {
    Set<String> out = new HashSet<>();
    for (CopyJob j : jobs.values()) {
      if (CopyJob.CREATED.equals(j.state()) || CopyJob.RUNNING.equals(j.state())) {
        out.add(j.sourceRecoveryPointArn());
      }
    }
    return out;
  }

  public ManagedBackups core() {
    return core;
  }

  public void load() {
    synchronized (core) {
      List<CopyJob> all = new ArrayList<>(records.all());
      all.sort(Comparator.comparingLong(CopyJob::creationMillis));
      all.forEach(j -> jobs.put(j.id(), j));
      for (CopyJob j : all) {
        if (CopyJob.RUNNING.equals(j.state())) {
          LOG.info("Copy job {} was RUNNING at shutdown; its transfer starts again", j.id());
        }
      }
    }
  }

  /** Where a copy goes. */
  record Destination(String region, String account, String vaultName, String arn) {
    PeerChannel.Server server() {
      return new PeerChannel.Server(account, region);
    }
  }

  Destination destination(String arn) {
    Matcher m = arn == null ? null : VAULT_ARN.matcher(arn);
    if (m == null || !m.matches()) {
      throw new DynamoException(
          WireError.INVALID_PARAMETER_VALUE,
          "Invalid DestinationBackupVaultArn: "
              + arn
              + ". Expected arn:aws:backup:<region>:<account>:backup-vault:<name>.");
    }
    return new Destination(m.group(1), m.group(2), m.group(3), arn);
  }

  private boolean isLocal(Destination d) {
    return d.region().equals(core.region()) && d.account().equals(core.account());
  }

  /** What StartCopyJob asks for. */
  public record CopyRequest(
      String recoveryPointArn,
      String sourceVaultName,
      String destinationVaultArn,
      String iamRoleArn,
      String idempotencyToken,
      Lifecycle lifecycle) {}

  public CopyJob start(CopyRequest req) {
    synchronized (core) {
      RecoveryPoint p = core.point(req.sourceVaultName(), req.recoveryPointArn());
      Destination d = destination(req.destinationVaultArn());
      long now = core.now();
      if (req.idempotencyToken() != null) {
        for (CopyJob j : jobs.values()) {
          if (req.idempotencyToken().equals(j.idempotencyToken())
              && now - j.creationMillis() < IDEMPOTENCY_MILLIS) {
            return j;
          }
        }
      }
      checkCopyable(p, d);
      CopyJob job =
          newJob(
              UUID.randomUUID().toString().toUpperCase(Locale.ROOT),
              p,
              d,
              req.iamRoleArn(),
              req.idempotencyToken(),
              req.lifecycle(),
              null,
              null,
              now);
      put(job);
      submit(job);
      return job;
    }
  }

  private void checkCopyable(RecoveryPoint p, Destination d) {
    if (!RecoveryPoint.COMPLETED.equals(p.status())) {
      throw new DynamoException(
          WireError.INVALID_REQUEST,
          "Recovery point " + p.arn() + " is " + p.status() + " and cannot be copied yet.");
    }
    if ("COLD".equals(core.storageClass(p))) {
      // AWS: backups in cold storage cannot be copied (its exact error text is not published).
      throw new DynamoException(
          WireError.INVALID_REQUEST,
          "Recovery point "
              + p.arn()
              + " is in cold storage (StorageClass COLD): recovery points in cold storage cannot"
              + " be copied.");
    }
    if (core.isMovingToCold(p)) {
      // Its warm data goes once the cold copy is verified, possibly in the middle of a transfer.
      throw new DynamoException(
          WireError.INVALID_REQUEST,
          "Recovery point "
              + p.arn()
              + " is being moved to cold storage: recovery points in cold storage cannot be"
              + " copied.");
    }
    if (isLocal(d)) {
      core.vault(d.vaultName());
      if (d.vaultName().equals(p.vaultName())) {
        throw new DynamoException(
            WireError.INVALID_PARAMETER_VALUE,
            "The destination backup vault must differ from the source backup vault.");
      }
    } else if (!peers.reaches(d.server())) {
      throw new DynamoException(WireError.INVALID_PARAMETER_VALUE, unreachable(d));
    }
  }

  /**
   * Why a destination cannot be reached, naming the option that would reach it: a server of another
   * account is named by account and region; one of another region may also stand for every account
   * there as a peer region.
   */
  private String unreachable(Destination d) {
    String copyPeer = "--copy-peer " + d.account() + ":" + d.region() + "=URL";
    return "The server of account "
        + d.account()
        + " in region "
        + d.region()
        + ", which holds "
        + d.arn()
        + ", is not reachable from this server: name it with "
        + copyPeer
        + (d.region().equals(core.region())
            ? "."
            : ", or name a server of its region for every account there with --peer "
                + d.region()
                + "=URL.");
  }

  private CopyJob newJob(
      String id,
      RecoveryPoint p,
      Destination d,
      String role,
      String token,
      Lifecycle requested,
      CreatedBy by,
      String backupJobId,
      long now) {
    Lifecycle l = requested == null || requested.isEmpty() ? p.lifecycle() : requested;
    return new CopyJob(
        id,
        p.vaultName(),
        p.arn(),
        d.arn(),
        p.resourceArn(),
        p.resourceName(),
        role,
        token,
        l,
        CopyJob.CREATED,
        null,
        now,
        null,
        null,
        null,
        0,
        by,
        backupJobId,
        0,
        0);
  }

  public CopyJob job(String id) {
    synchronized (core) {
      CopyJob j = id == null ? null : jobs.get(id);
      if (j == null) {
        throw ManagedBackups.notFound("Copy job " + id + " does not exist.");
      }
      return j;
    }
  }

  public List<CopyJob> jobs(Predicate<CopyJob> filter) {
    synchronized (core) {
      return jobs.values().stream().filter(filter).toList();
    }
  }

  // ---- the worker ----

  /** One pass, under the core's monitor: copy actions of finished plan jobs, then due jobs. */
  void pass(long now) {
    for (BackupJob b :
        core.backupJobs(
            j -> BackupJob.COMPLETED.equals(j.state()) && !seenBackupJobs.contains(j.id()))) {
      seenBackupJobs.add(b.id());
      if (b.createdBy() != null) {
        copyActions(b, now);
      }
    }
    for (CopyJob j : List.copyOf(jobs.values())) {
      if (!j.isFinished() && !active.contains(j.id()) && j.retryAtMillis() <= now) {
        submit(j);
      }
    }
  }

  /** The copy jobs of the rule that made {@code b}: one per CopyAction, each made once. */
  private void copyActions(BackupJob b, long now) {
    if (plans == null) {
      return;
    }
    List<CopyAction> actions;
    try {
      BackupPlan plan = plans.get(b.createdBy().backupPlanId());
      actions =
          plans.version(plan, b.createdBy().backupPlanVersion()).rules().stream()
              .filter(r -> r.ruleId().equals(b.createdBy().backupRuleId()))
              .findFirst()
              .map(BackupRule::copyActions)
              .orElse(List.of());
    } catch (DynamoException e) {
      return;
    }
    RecoveryPoint p = core.anyPoint(b.recoveryPointArn());
    for (int i = 0; i < actions.size(); i++) {
      CopyAction a = actions.get(i);
      String id =
          UUID.nameUUIDFromBytes((b.id() + "|copy|" + i).getBytes(StandardCharsets.UTF_8))
              .toString()
              .toUpperCase(Locale.ROOT);
      if (jobs.containsKey(id) || p == null) {
        continue;
      }
      CopyJob job;
      try {
        Destination d = destination(a.destinationBackupVaultArn());
        job = newJob(id, p, d, b.iamRoleArn(), null, a.lifecycle(), b.createdBy(), b.id(), now);
        checkCopyable(p, d);
      } catch (DynamoException e) {
        job =
            newJob(
                    id,
                    p,
                    new Destination("", "", "", a.destinationBackupVaultArn()),
                    b.iamRoleArn(),
                    null,
                    a.lifecycle(),
                    b.createdBy(),
                    b.id(),
                    now)
                .finished(CopyJob.FAILED, e.getMessage(), now, null, 0);
      }
      put(job);
    }
  }

  private void submit(CopyJob j) {
    if (active.add(j.id())) {
      try {
        transfers.execute(() -> run(j.id()));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        active.remove(j.id());
      }
    }
  }

  private void run(String id) {
    try {
      transfer(id);
    } catch (RuntimeException e) {
      LOG.error("Copy job {} failed unexpectedly", id, e);
      synchronized (core) {
        CopyJob j = jobs.get(id);
        if (j != null && !j.isFinished()) {
          put(j.finished(CopyJob.FAILED, "Internal failure: " + e, core.now(), null, 0));
        }
      }
    } finally {
      active.remove(id);
    }
  }

  private void transfer(String id) {
    CopyJob j;
    RecoveryPoint p;
    Destination d;
    BackupRecord record;
    synchronized (core) {
      j = jobs.get(id);
      if (j == null || j.isFinished()) {
        return;
      }
      j = j.attempt(core.now());
      put(j);
      p = core.anyPoint(j.sourceRecoveryPointArn());
      d = destination(j.destinationVaultArn());
      record =
          p == null || !RecoveryPoint.COMPLETED.equals(p.status()) || p.backupArn() == null
              ? null
              : core.backups().find(p.backupArn()).orElse(null);
      if (record == null) {
        put(
            j.finished(
                CopyJob.FAILED,
                "Recovery point " + j.sourceRecoveryPointArn() + " no longer exists.",
                core.now(),
                null,
                0));
        return;
      }
      String denied =
          core.jobRoles()
              .refusal(
                  j.iamRoleArn(),
                  "copy",
                  List.of(new dev.tidemark.auth.Check("backup:CopyIntoBackupVault", d.arn())));
      if (denied != null) {
        put(j.finished(CopyJob.FAILED, denied, core.now(), null, 0));
        return;
      }
    }
    BackupRepository repo = core.backups().repository();
    String message;
    try {
      Manifest m = repo.readManifest(record.manifestName());
      CopyReceiver.Offer offer =
          new CopyReceiver.Offer(
              j.id(),
              core.region(),
              core.account(),
              core.vaultArn(j.sourceVaultName()),
              j.sourceRecoveryPointArn(),
              d.arn(),
              j.lifecycle(),
              p.resourceArn(),
              p.resourceName(),
              m);
      CopyReceiver.Done done =
          isLocal(d) ? receiver.copyLocal(offer, record.manifestName()) : send(d, offer, repo);
      synchronized (core) {
        put(
            jobs.get(id)
                .finished(CopyJob.COMPLETED, null, core.now(), done.pointArn(), done.sizeBytes()));
      }
      LOG.info("Copy job {} COMPLETED: {} is {}", id, j.sourceRecoveryPointArn(), done.pointArn());
      return;
    } catch (PeerChannel.Unavailable e) {
      retryLater(id, "The server of " + d.server() + " could not be reached: " + e.getMessage());
      return;
    } catch (PeerChannel.Refused e) {
      if (WireError.RESOURCE_NOT_FOUND.typeName().equals(e.type())
          && e.getMessage().startsWith("Copy session")) {
        // The destination restarted mid-transfer: start again.
        retryLater(id, e.getMessage());
        return;
      }
      message = e.getMessage();
    } catch (DynamoException e) {
      message = e.getMessage();
    } catch (IOException e) {
      message = "The source recovery point could not be read: " + e.getMessage();
    }
    synchronized (core) {
      put(jobs.get(id).finished(CopyJob.FAILED, message, core.now(), null, 0));
    }
    LOG.warn("Copy job {} FAILED: {}", id, message);
  }

  private void retryLater(String id, String why) {
    synchronized (core) {
      CopyJob j = jobs.get(id);
      long now = core.now();
      if (now - j.startedMillis() > GIVE_UP_MILLIS) {
        put(
            j.finished(
                CopyJob.FAILED,
                "The destination could not be reached for a day; last error: " + why,
                now,
                null,
                0));
        return;
      }
      long backoff = Math.min(60_000L, 1000L << Math.min(6, Math.max(0, j.attempts() - 1)));
      put(j.retryLater(why, now + backoff));
      LOG.info("Copy job {} retries in {} ms: {}", id, backoff, why);
    }
  }

  /** Streams the point to another server: begin, each distinct object in chunks, commit. */
  private CopyReceiver.Done send(Destination d, CopyReceiver.Offer offer, BackupRepository repo)
      throws IOException {
    Manifest m = offer.manifest();
    long t0 = System.nanoTime();
    JsonNode begun = peers.call(d.server(), "copy/begin", CopyWire.offer(offer));
    long t1 = System.nanoTime();
    String session = begun.path("SessionId").asText(null);
    String pointArn = begun.path("RecoveryPointArn").asText();
    if (session == null) {
      return new CopyReceiver.Done(pointArn, begun.path("BackupSizeInBytes").asLong());
    }
    int[] dup = CopyReceiver.duplicates(m.objects());
    List<Integer> toSend = new ArrayList<>();
    for (int i = 0; i < dup.length; i++) {
      if (dup[i] < 0) {
        toSend.add(i);
      }
    }
    // Each object is decrypted and checked against the source manifest's size and SHA-256 whole,
    // a few ahead of the ones being sent, and several are sent at once (binary frames), so that
    // reading here overlaps the destination storing them.
    Semaphore window = new Semaphore(OBJECTS_IN_FLIGHT);
    AtomicReference<RuntimeException> failed = new AtomicReference<>();
    List<Future<?>> sending = new ArrayList<>();
    try (Transfers.Prefetch<Outgoing> ahead =
        Transfers.prefetch(
            toSend, repo.store().transfersInFlight(), i -> read(repo, m, i, session))) {
      for (int i : toSend) {
        Outgoing data = ahead.next();
        try {
          window.acquire();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while sending a copy");
        }
        if (failed.get() != null) {
          break;
        }
        sending.add(
            senders.submit(
                () -> {
                  try {
                    sendObject(d.server(), session, i, data);
                  } catch (RuntimeException e) {
                    failed.compareAndSet(null, e);
                  } finally {
                    window.release();
                  }
                }));
      }
    } finally {
      awaitAll(sending);
    }
    if (failed.get() != null) {
      throw failed.get();
    }
    long t2 = System.nanoTime();
    JsonNode done =
        peers.call(d.server(), "copy/commit", JSON.createObjectNode().put("SessionId", session));
    // Where a copy's time goes, for benchmarks: the offer, the objects, the destination's commit.
    LOG.info(
        "Copy job {} to {}: begin {} ms, {} objects sent in {} ms, commit (verification) {} ms",
        offer.copyJobId(),
        d.server(),
        (t1 - t0) / 1_000_000,
        toSend.size(),
        (t2 - t1) / 1_000_000,
        (System.nanoTime() - t2) / 1_000_000);
    return new CopyReceiver.Done(
        done.path("RecoveryPointArn").asText(), done.path("BackupSizeInBytes").asLong());
  }

  /**
   * An object read for sending: the one frame that carries it whole, or (larger than {@link
   * #FRAME_BYTES}) its bytes, to be cut into frames.
   */
  private record Outgoing(byte[] frame, byte[] data) {}

  /**
   * Reads object {@code index} through decryption and its manifest entry's size and SHA-256 check.
   * One that fits in a frame is read straight into the frame, past its header, so that its bytes
   * are not copied again on their way out.
   */
  private static Outgoing read(BackupRepository repo, Manifest m, int index, String session)
      throws IOException {
    DataObjectRef ref = m.objects().get(index);
    try (InputStream in = repo.openObject(m, ref)) {
      if (ref.plaintextSize() > FRAME_BYTES) {
        return new Outgoing(null, in.readAllBytes());
      }
      int size = (int) ref.plaintextSize();
      byte[] frame = CopyFrame.withRoom(session, index, 0, true, size);
      int n = in.readNBytes(frame, frame.length - size, size);
      // Reading on to the end is what makes the stream check the SHA-256 (and refuse a longer one).
      if (n != size || in.read() != -1) {
        throw new IOException(
            "data object " + ref.name() + " does not decrypt to the " + size + " bytes expected");
      }
      return new Outgoing(frame, null);
    }
  }

  /** Sends one object in frames of at most {@link #FRAME_BYTES}; answered once it is stored. */
  private void sendObject(PeerChannel.Server to, String session, int index, Outgoing out) {
    if (out.frame() != null) {
      peers.send(to, "copy/" + CopyFrame.OP, out.frame(), CopyFrame.signedLength(out.frame()));
      return;
    }
    byte[] data = out.data();
    int offset = 0;
    boolean last;
    do {
      int n = Math.min(FRAME_BYTES, data.length - offset);
      last = offset + n == data.length;
      byte[] frame = CopyFrame.encode(session, index, offset, last, data, offset, n);
      peers.send(to, "copy/" + CopyFrame.OP, frame, CopyFrame.signedLength(frame));
      offset += n;
    } while (!last);
  }

  /** Waits for every send (each records its own failure); an interruption stops the rest. */
  private static void awaitAll(List<Future<?>> sending) {
    for (Future<?> f : sending) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        sending.forEach(x -> x.cancel(true));
        return;
      } catch (java.util.concurrent.ExecutionException e) {
        // recorded by the send itself
      }
    }
  }

  private void put(CopyJob j) {
    records.put(j.id(), j);
    jobs.put(j.id(), j);
  }

  @Override
  public void close() {
    transfers.shutdownNow();
    senders.shutdownNow();
  }
}
