package dev.tidemark.cli;

import dev.tidemark.api.DynamoApi;
import dev.tidemark.api.Operations;
import dev.tidemark.api.ServerStatus;
import dev.tidemark.audit.AuditLog;
import dev.tidemark.audit.AuditingGate;
import dev.tidemark.audit.ResourceNames;
import dev.tidemark.auth.AccessControl;
import dev.tidemark.auth.AdminCredentialsFile;
import dev.tidemark.auth.AuthMode;
import dev.tidemark.auth.Authenticator;
import dev.tidemark.auth.DynamoPermissions;
import dev.tidemark.auth.IamPermissions;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.auth.SecretSealer;
import dev.tidemark.awsbackup.BackupApi;
import dev.tidemark.backup.BackupRepository;
import dev.tidemark.backup.BackupService;
import dev.tidemark.backup.crypto.KeyManager;
import dev.tidemark.backup.keys.KeySetup;
import dev.tidemark.backup.store.BackupStoreSpec;
import dev.tidemark.backup.store.ObjectStore;
import dev.tidemark.iam.IamApi;
import dev.tidemark.iam.QueryApiHandler;
import dev.tidemark.managed.BackupClock;
import dev.tidemark.managed.BackupPlans;
import dev.tidemark.managed.BackupRoles;
import dev.tidemark.managed.ColdTier;
import dev.tidemark.managed.CopyJobs;
import dev.tidemark.managed.CopyReceiver;
import dev.tidemark.managed.ManagedBackups;
import dev.tidemark.managed.RestoreTests;
import dev.tidemark.managed.VaultAccessPolicies;
import dev.tidemark.metrics.MetricsFront;
import dev.tidemark.metrics.ServerMetrics;
import dev.tidemark.pitr.PitrService;
import dev.tidemark.protocol.Acknowledgements;
import dev.tidemark.protocol.HttpServer;
import dev.tidemark.protocol.RequestIds;
import dev.tidemark.protocol.TlsCredentials;
import dev.tidemark.replication.CopyEndpoint;
import dev.tidemark.replication.CopyPeers;
import dev.tidemark.replication.CrossRegionRestorer;
import dev.tidemark.replication.PeerServicesEndpoint;
import dev.tidemark.replication.ReplicationConfig;
import dev.tidemark.replication.ReplicationEndpoint;
import dev.tidemark.replication.Replicator;
import dev.tidemark.replication.RestoreSource;
import dev.tidemark.replication.SettingsSync;
import dev.tidemark.replication.strong.StrongConsistency;
import dev.tidemark.retention.ChangeLogRetention;
import dev.tidemark.space.DiskSpace;
import dev.tidemark.space.ReserveFile;
import dev.tidemark.space.Volume;
import dev.tidemark.storage.RocksStorage;
import dev.tidemark.storage.Storage;
import dev.tidemark.storage.WriteSet;
import dev.tidemark.tables.Database;
import dev.tidemark.ttl.TtlSweeper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Assembles a server from a {@link ServerConfig}, starts it, and takes it down in order. */
public final class Bootstrap {
  private static final Logger log = LoggerFactory.getLogger(Bootstrap.class);

  private Bootstrap() {}

  /** What the free-space guard writes to learn whether the engine takes writes again. */
  private static final byte[] SPACE_PROBE_KEY = "space-probe".getBytes(StandardCharsets.UTF_8);

  /**
   * What the HTTP server needs from the assembled storage and services.
   *
   * @param identities IAM's users, keys and policies; null in open mode
   */
  record Assembly(
      Operations operations,
      Acknowledgements acknowledgements,
      Authenticator authenticator,
      IdentityStore identities,
      ManagedBackups managed,
      BackupPlans plans,
      Replicator replicator,
      ServerMetrics metrics,
      PeerServicesEndpoint peerServices,
      CopyJobs copies,
      VaultAccessPolicies policies,
      CopyReceiver copyReceiver,
      dev.tidemark.console.ConsoleHandler console) {}

  /**
   * The dispatch table for a configuration, and how its writes are acknowledged. Whatever is opened
   * here (storage, background workers) must be registered with {@code resources}, so that it is
   * closed after the HTTP server drained.
   */
  static Assembly assemble(ServerConfig config, Resources resources) throws IOException {
    return assemble(config, ReplicationConfig.NONE, resources);
  }

  /**
   * As {@link #assemble(ServerConfig, Resources)}, replicating with {@code replication}'s peers.
   */
  static Assembly assemble(ServerConfig config, ReplicationConfig replication, Resources resources)
      throws IOException {
    return assemble(config, replication, null, resources, managedClock());
  }

  /**
   * As {@link #assemble(ServerConfig, ReplicationConfig, Resources)}, moving recovery points to
   * {@code coldStore} at their MoveToColdStorageAfterDays (null: no cold tier), with AWS Backup's
   * schedules and jobs on {@code managedClock}.
   */
  static Assembly assemble(
      ServerConfig config,
      ReplicationConfig replication,
      BackupStoreSpec coldStore,
      Resources resources,
      java.util.function.LongSupplier managedClock)
      throws IOException {
    // Failed requests are counted for /metrics; the counts are bound once the registry exists.
    dev.tidemark.backup.store.StoreErrors storeErrors =
        new dev.tidemark.backup.store.StoreErrors("backup");
    ObjectStore store =
        resources.register(
            new dev.tidemark.backup.store.CountingObjectStore(
                config.backupStore().open(), storeErrors));
    log.info("Backup store: {}", config.backupStore().describe());
    // First of all: refuse to start (before anything is written anywhere) rather than hide the
    // store's backups behind a new or wrong key.
    KeySetup.Opened keys =
        KeySetup.open(
            store,
            new KeySetup.Options(
                config.backupKeyFile(),
                config.defaultBackupKeyFile(),
                config.newBackupKey(),
                config.backupPassphraseFile(),
                System.getenv(),
                config.backupStore().describe()),
            System::currentTimeMillis);
    log.info("Backup encryption: {}", keys.key().describe());
    keys.notices().forEach(n -> log.info("{}", n));
    keys.warnings().forEach(w -> log.warn("{}", w));
    if (keys.keys().ids().size() > 1) {
      log.info("Older backup keys readable through the key chain: {}", keys.keys().ids());
    }
    Volume dataVolume = null;
    ReserveFile reserve = null;
    long minFree = config.minFreeSpace() == null ? -1 : config.minFreeSpace();
    if (!config.inMemory()) {
      Files.createDirectories(config.dataDir());
      dataVolume = Volume.of(config.dataDir());
      if (minFree < 0) {
        minFree = DiskSpace.defaultMinFree(dataVolume.totalBytes());
      }
      reserve = new ReserveFile(config.dataDir(), minFree);
      // Before the engine opens: its write-ahead-log recovery needs room for a flush.
      long released = reserve.releaseIfBelow(dataVolume, minFree);
      if (released > 0) {
        log.warn(
            "The data directory's disk has {} free, below the reserve of {}: released {} ({}) so"
                + " that the storage engine can open. Writes are refused until space is freed.",
            DiskSpace.bytes(dataVolume.usableBytes()),
            DiskSpace.bytes(minFree),
            reserve.path(),
            DiskSpace.bytes(released));
      }
    }
    Storage storage =
        config.inMemory() ? RocksStorage.inMemory() : RocksStorage.open(config.dataDir());
    Database db =
        resources.register(
            new Database(
                storage,
                System::currentTimeMillis,
                config.durability() == ServerConfig.Durability.SYNC,
                config.region(),
                config.account()));
    TtlSweeper sweeper = new TtlSweeper(db, System::currentTimeMillis);
    log.info(
        "TTL sweep every {}; change log (and Streams) kept for {}",
        config.ttlSweepInterval(),
        config.changeLogRetention());
    BackupService backups =
        resources.register(
            new BackupService(db, new BackupRepository(store, keys.keys()), scratchDir(config)));
    backups.start();
    PitrService pitr =
        resources.register(new PitrService(db, backups, PitrService.Config.defaults()));
    pitr.load();
    pitr.start();
    // A store without a local disk (object storage) is not watched; its failures are.
    Optional<Path> storeDir = backups.repository().store().localDirectory();
    Volume storeVolume = storeDir.isPresent() ? Volume.of(storeDir.get()) : null;
    if (minFree < 0) {
      minFree = storeVolume == null ? 0 : DiskSpace.defaultMinFree(storeVolume.totalBytes());
    }
    DiskSpace space =
        new DiskSpace(
            dataVolume,
            storeVolume,
            minFree,
            () -> storage.apply(new WriteSet().putMeta(SPACE_PROBE_KEY, SPACE_PROBE_KEY)),
            () -> ServerStatus.summary(db, pitr),
            reserve);
    space.sampleOnce();
    db.useSpace(space);
    resources.register(new PeriodicTask("disk-space", Duration.ofMillis(200), space::sampleOnce));
    log.info(
        "Writes are refused while the data directory's or the backup store's disk has less than"
            + " {} free (--min-free-space)",
        DiskSpace.bytes(minFree));
    ChangeLogRetention retention =
        new ChangeLogRetention(db, config.changeLogRetention(), System::currentTimeMillis);
    // Records the PITR archiver has not shipped yet are never trimmed, however old.
    retention.addFloor(pitr::retentionFloor);
    // Records it has shipped go early, unless a stream can still read them.
    retention.addArchive(pitr::archivedBelow);
    resources.register(
        new PeriodicTask(
            "change-log-retention",
            retentionCheckInterval(config.changeLogRetention()),
            retention::trimOnce));
    resources.register(
        new PeriodicTask(
            "change-log-archived-trim", Duration.ofSeconds(2), retention::trimArchivedOnce));
    // Global tables: the log a peer has not received yet is kept, whatever its age.
    Replicator replicator =
        resources.register(new Replicator(db, replication, System::currentTimeMillis));
    db.useGlobalTables(replicator);
    replicator.useScratch(scratchDir(config).resolve("fills"));
    retention.addFloor(replicator);
    // Restores whose source is another region ask that region over the same signed channel.
    db.useCrossRegionRestores(
        new CrossRegionRestorer(replication, config.region(), backups, System::currentTimeMillis));
    // Indexes, TTL, capacity and table class follow in every replica after creation.
    SettingsSync settings =
        resources.register(new SettingsSync(db, replication, System::currentTimeMillis));
    db.useReplicatedSettings(settings);
    PeerServicesEndpoint peerServices =
        new PeerServicesEndpoint(
            resources.register(new RestoreSource(db, backups, pitr, System::currentTimeMillis)),
            settings,
            replication,
            config.region(),
            System::currentTimeMillis);
    Authenticator authenticator = Authenticator.acceptAnyCredentials(config.region());
    IdentityStore identities = null;
    AccessControl gate = null;
    if (config.authMode() == AuthMode.IAM) {
      identities = identities(config, db, keys.keys());
      gate =
          AccessControl.forTables(
              identities, db.catalog(), config.region(), System::currentTimeMillis);
      authenticator = gate;
    }
    // What a list shows each caller is decided by the policy checks alone, not the wrappers below.
    dev.tidemark.auth.Visibility visibility =
        authenticator instanceof dev.tidemark.auth.Visibility v
            ? v
            : dev.tidemark.auth.Visibility.everything();
    java.nio.file.Path auditDir = config.auditLocation();
    if (auditDir != null) {
      AuditLog trail =
          resources.register(AuditLog.open(auditDir, config.audit(), System::currentTimeMillis));
      authenticator =
          new AuditingGate(
              authenticator,
              trail,
              new ResourceNames(
                  new DynamoPermissions(config.region(), config.account(), table -> null),
                  identities == null ? null : new IamPermissions(identities),
                  config.account()),
              System::currentTimeMillis);
      log.info(
          "Audit trail of control-plane actions and refused requests: {} (kept {})",
          trail.currentFile(),
          config.audit().retention());
    } else {
      log.warn("No audit trail: the server runs in memory and no --audit-dir was given");
    }
    // Outermost, so that what the audit trail and the policy checks cost is measured too.
    ServerMetrics metrics = resources.register(new ServerMetrics(System::currentTimeMillis));
    if (config.metrics()) {
      authenticator = metrics.measure(authenticator);
    }
    Operations operations = DynamoApi.operations(db, backups, pitr);
    // AWS Backup: vaults, jobs and recovery points over the same backup store.
    ManagedBackups managed = resources.register(new ManagedBackups(db, backups, managedClock));
    if (coldStore != null) {
      dev.tidemark.backup.store.StoreErrors coldErrors =
          new dev.tidemark.backup.store.StoreErrors("cold");
      metrics.bindStoreErrors(coldErrors);
      ObjectStore cold =
          resources.register(
              new dev.tidemark.backup.store.CountingObjectStore(coldStore.open(), coldErrors));
      managed.useColdTier(
          resources.register(
              new ColdTier(
                  storage,
                  backups,
                  new BackupRepository(cold, keys.keys()),
                  coldStore.describe())));
      log.info("Cold backup store (MoveToColdStorageAfterDays): {}", coldStore.describe());
    }
    if (identities != null) {
      // Jobs run under their IamRoleArn, which must exist, trust AWS Backup and allow the job;
      // the resources' own policies take part as they do in the gate's decisions.
      managed.useJobRoles(new BackupRoles(identities, managedClock, gate::withResourcePolicy));
    }
    managed.load();
    BackupPlans plans = new BackupPlans(managed);
    plans.load();
    resources.register(new RestoreTests(managed)).load();
    // Copies between vaults and regions, and the vault access policies that admit them.
    VaultAccessPolicies policies = new VaultAccessPolicies(managed);
    policies.load();
    CopyReceiver copyReceiver =
        resources.register(
            new CopyReceiver(managed, policies, scratchDir(config).resolve("copies")));
    copyReceiver.load();
    CopyJobs copies =
        resources.register(
            new CopyJobs(
                managed,
                plans,
                copyReceiver,
                new CopyPeers(replication, config.region(), System::currentTimeMillis)));
    copies.load();
    managed.startWorker(1000);
    if (identities == null) {
      // GET /tidemark/status is unsigned, so it is served only where anyone may do anything: in
      // IAM mode it would name tables to unauthenticated callers past the one gate.
      operations.register(new ServerStatus(db, pitr, reserve));
    }
    replicator.start(operations);
    settings.start(operations);
    // Sweeps start once the global tables' groups are loaded: a TTL delete committed before would
    // be regional (no stamp) and never shipped.
    resources.register(
        new PeriodicTask("ttl-sweeper", config.ttlSweepInterval(), sweeper::sweepOnce));
    metrics.bindDatabase(db);
    metrics.bindBackups(backups);
    metrics.bindStoreErrors(storeErrors);
    metrics.bindPitr(pitr);
    metrics.bindTtl(sweeper);
    metrics.bindReplication(replicator);
    // Multi-Region strong consistency: a Raft group per STRONG table on --consensus-port.
    StrongConsistency strong =
        resources.register(
            new StrongConsistency(
                db,
                replicator,
                replication,
                config.inMemory()
                    ? java.nio.file.Files.createTempDirectory("tidemark-consensus")
                    : config.dataDir().resolve("consensus")));
    db.useStrongTables(strong);
    strong.start(operations);
    return new Assembly(
        operations,
        new DurableAcknowledgements(db.writePath()),
        authenticator,
        identities,
        managed,
        plans,
        replicator,
        metrics,
        peerServices,
        copies,
        policies,
        copyReceiver,
        new dev.tidemark.console.ConsoleHandler(
            new dev.tidemark.console.ConsoleApi(db, pitr, backups, auditDir),
            authenticator,
            visibility,
            RequestIds::next,
            config.region(),
            identities != null));
  }

  /**
   * IAM's state, and on first start the administrator's key, written to the credentials file.
   * Secrets are sealed under a key derived from the backup master key, which lives outside the data
   * directory, and opened with any key of its ring, so a key rotation does not lock anyone out.
   */
  private static IdentityStore identities(
      ServerConfig config, Database db, dev.tidemark.backup.crypto.MasterKeys ring)
      throws IOException {
    java.util.List<byte[]> raw = new java.util.ArrayList<>();
    raw.add(java.util.Base64.getDecoder().decode(KeyManager.encode(ring.current())));
    for (String id : ring.ids()) {
      if (!id.equals(ring.current().id())) {
        raw.add(
            java.util.Base64.getDecoder().decode(KeyManager.encode(ring.find(id).orElseThrow())));
      }
    }
    IdentityStore identities =
        new IdentityStore(
            db.storage(), config.account(), new SecretSealer(raw), System::currentTimeMillis);
    raw.forEach(r -> java.util.Arrays.fill(r, (byte) 0));
    java.nio.file.Path file = config.adminCredentialsLocation();
    if (!identities.hasRootKey()) {
      IdentityStore.NewKey admin =
          identities.createFirstRootKey(
              k -> AdminCredentialsFile.write(file, k.key().id(), k.secret(), config.region()));
      log.warn(
          "IAM mode: created the administrator's access key {} in {} (owner-only). Use it with:"
              + " AWS_SHARED_CREDENTIALS_FILE={} aws --profile {} ...",
          admin.key().id(),
          file,
          file,
          AdminCredentialsFile.PROFILE);
    } else if (java.nio.file.Files.exists(file)) {
      log.info("IAM mode: every request is verified; the administrator's key is in {}", file);
    } else {
      log.warn(
          "IAM mode: the administrator's credentials file {} is gone; the key it held still works"
              + " wherever a copy of it is kept",
          file);
    }
    return identities;
  }

  /** AWS Backup's clock ({@link BackupClock}), said loudly when a test setting moves it. */
  private static java.util.function.LongSupplier managedClock() {
    long offset = Long.getLong(BackupClock.OFFSET, 0L);
    if (offset != 0) {
      log.warn("AWS Backup's clock runs {} ms ahead of the system clock (a test setting)", offset);
    }
    return BackupClock.system();
  }

  /** Where restores stage their files: in the data directory, or beside a backup directory. */
  private static Path scratchDir(ServerConfig config) {
    if (!config.inMemory()) {
      return config.dataDir().resolve("scratch");
    }
    return config
        .backupStore()
        .defaultKeyFile()
        .map(p -> p.resolveSibling("tidemark-scratch"))
        .orElse(Path.of(System.getProperty("java.io.tmpdir"), "tidemark-scratch"));
  }

  /**
   * How often retention runs: often enough that records outlive the retention period by at most a
   * twenty-fourth of it, at most every five minutes, at least every second.
   */
  static Duration retentionCheckInterval(Duration retention) {
    Duration d = retention.dividedBy(24);
    if (d.compareTo(Duration.ofMinutes(5)) > 0) {
      return Duration.ofMinutes(5);
    }
    return d.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : d;
  }

  /**
   * Starts a server and registers a shutdown hook, so that SIGTERM stops it cleanly. On failure
   * everything opened so far is closed again before the exception propagates.
   */
  public static Running start(ServerConfig config) throws Exception {
    return start(config, ReplicationConfig.NONE);
  }

  /** As {@link #start(ServerConfig)}, with cross-region peers ({@code --peer}). */
  public static Running start(ServerConfig config, ReplicationConfig replication) throws Exception {
    return start(config, replication, null, managedClock());
  }

  /**
   * As {@link #start(ServerConfig, ReplicationConfig)}, with AWS Backup's schedules and jobs on
   * {@code managedClock}, which tests move forward to a scheduled run.
   */
  public static Running start(
      ServerConfig config,
      ReplicationConfig replication,
      java.util.function.LongSupplier managedClock)
      throws Exception {
    return start(config, replication, null, managedClock);
  }

  /** As {@link #start(ServerConfig, ReplicationConfig)}, with a cold tier when given. */
  public static Running start(
      ServerConfig config, ReplicationConfig replication, BackupStoreSpec coldStore)
      throws Exception {
    return start(config, replication, coldStore, managedClock());
  }

  /** The full form: a cold tier when given, and AWS Backup's clock. */
  public static Running start(
      ServerConfig config,
      ReplicationConfig replication,
      BackupStoreSpec coldStore,
      java.util.function.LongSupplier managedClock)
      throws Exception {
    Resources resources = new Resources();
    HttpServer http;
    int port;
    if (config.auth() == null && !isLoopback(config.host())) {
      throw new IllegalArgumentException(
          "refusing to listen on "
              + config.host()
              + " in open mode, where any credentials are accepted and allowed everything:"
              + " other machines could read and change every table. Start with --auth iam to"
              + " verify signatures and policies, or give --auth open explicitly to accept that.");
    }
    // Checked before anything is opened or written: a bad certificate or key is a one-line refusal.
    TlsCredentials tls = null;
    if (config.tls() != null) {
      tls = TlsCredentials.load(config.tls().cert(), config.tls().key());
      String problem = tls.validityProblem(new java.util.Date());
      if (problem != null) {
        log.warn("{}: clients will refuse the connection until it is replaced", problem);
      }
    }
    try {
      Assembly assembly = assemble(config, replication, coldStore, resources, managedClock);
      http =
          new HttpServer(
              assembly.operations(),
              RequestIds::next,
              assembly.authenticator(),
              HttpServer.Limits.defaults(),
              assembly.acknowledgements());
      if (tls != null) {
        http.useTls(tls);
      }
      if (assembly.identities() != null) {
        http.addFront(
            new QueryApiHandler(
                IamApi.actions(assembly.identities()), assembly.authenticator(), RequestIds::next));
      }
      http.addFront(
          BackupApi.handler(
              assembly.managed(),
              assembly.plans(),
              assembly.copies(),
              assembly.policies(),
              assembly.authenticator(),
              RequestIds::next));
      if (config.metrics()) {
        http.addFront(new MetricsFront(assembly.metrics()));
      }
      // The web console: its pages and its own operations under /console, through the gate.
      http.addFront(assembly.console());
      // Copies between regions, on the replication channel (before it claims every such path).
      http.addFront(
          new CopyEndpoint(
              assembly.copyReceiver(), replication.secret(), System::currentTimeMillis));
      // Peer traffic shares the port, under its own path and its own signature.
      http.addFront(new ReplicationEndpoint(assembly.replicator(), System::currentTimeMillis));
      http.addFront(assembly.peerServices());
      port = http.start(config.host(), config.port());
    } catch (Exception | Error e) {
      resources.close();
      throw e;
    }
    Running running =
        new Running(http, resources, port, endpoint(tls != null, config.host(), port));
    Runtime.getRuntime().addShutdownHook(running.hook);
    log.info(
        "Tidemark listening on {}://{} (auth {}, region {}, data {}, durability {}) — try: aws"
            + " dynamodb list-tables --endpoint-url {}",
        tls != null ? "https" : "http",
        hostPort(config.host(), port),
        config.authMode().label(),
        config.region(),
        config.inMemory() ? "in memory" : "in " + config.dataLocation(),
        config.durability().label(),
        running.endpoint());
    if (!isLoopback(config.host()) && config.authMode() == AuthMode.OPEN) {
      log.warn(
          "Listening on {}, which is reachable from other machines, while any credentials are"
              + " accepted",
          config.host());
    }
    return running;
  }

  /** A started server. Closing it stops HTTP (draining in-flight requests), then resources. */
  public static final class Running implements AutoCloseable {
    private final HttpServer http;
    private final Resources resources;
    private final int port;
    private final String endpoint;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread hook;

    private Running(HttpServer http, Resources resources, int port, String endpoint) {
      this.http = http;
      this.resources = resources;
      this.port = port;
      this.endpoint = endpoint;
      this.hook = new Thread(this::shutdown, "tidemark-shutdown");
    }

    public int port() {
      return port;
    }

    /**
     * A URL a client on this machine can use, e.g. {@code http://127.0.0.1:8000} ({@code https}
     * with TLS).
     */
    public String endpoint() {
      return endpoint;
    }

    /** Blocks until the server has been closed, by {@link #close()} or by the shutdown hook. */
    public void awaitStopped() throws InterruptedException {
      stopped.await();
    }

    @Override
    public void close() {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException alreadyShuttingDown) {
        // The hook is running or about to; shutdown() below is idempotent either way.
      }
      if (!shutdown()) {
        // Someone else is closing; callers rely on the server being down when close returns.
        boolean interrupted = false;
        while (stopped.getCount() > 0) {
          try {
            stopped.await();
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }

    private boolean shutdown() {
      if (!closing.compareAndSet(false, true)) {
        return false;
      }
      log.info("Tidemark stopping: draining requests");
      try {
        http.stop();
      } finally {
        resources.close();
        stopped.countDown();
        log.info("Tidemark stopped");
      }
      return true;
    }
  }

  private static String endpoint(boolean tls, String host, int port) {
    String connectTo = isWildcard(host) ? "127.0.0.1" : host;
    return (tls ? "https://" : "http://") + hostPort(connectTo, port);
  }

  private static String hostPort(String host, int port) {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  private static boolean isWildcard(String host) {
    return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
