package dev.tidemark.cli;

import dev.tidemark.api.DynamoApi;
import dev.tidemark.api.Operations;
import dev.tidemark.auth.AccessControl;
import dev.tidemark.auth.AdminCredentialsFile;
import dev.tidemark.auth.AuthMode;
import dev.tidemark.auth.Authenticator;
import dev.tidemark.auth.DynamoPermissions;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.auth.SecretSealer;
import dev.tidemark.backup.BackupRepository;
import dev.tidemark.backup.BackupService;
import dev.tidemark.backup.crypto.KeyManager;
import dev.tidemark.backup.crypto.KeyManager.LoadedKey;
import dev.tidemark.backup.store.DirectoryObjectStore;
import dev.tidemark.iam.IamApi;
import dev.tidemark.iam.QueryApiHandler;
import dev.tidemark.pitr.PitrService;
import dev.tidemark.protocol.Acknowledgements;
import dev.tidemark.protocol.HttpServer;
import dev.tidemark.protocol.RequestIds;
import dev.tidemark.retention.ChangeLogRetention;
import dev.tidemark.storage.RocksStorage;
import dev.tidemark.storage.Storage;
import dev.tidemark.tables.Database;
import dev.tidemark.ttl.TtlSweeper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Assembles a server from a {@link ServerConfig}, starts it, and takes it down in order. */
public final class Bootstrap {
  private static final Logger log = LoggerFactory.getLogger(Bootstrap.class);

  private Bootstrap() {}

  /**
   * What the HTTP server needs from the assembled storage and services.
   *
   * @param identities IAM's users, keys and policies; null in open mode
   */
  record Assembly(
      Operations operations,
      Acknowledgements acknowledgements,
      Authenticator authenticator,
      IdentityStore identities) {}

  /**
   * The dispatch table for a configuration, and how its writes are acknowledged. Whatever is opened
   * here (storage, background workers) must be registered with {@code resources}, so that it is
   * closed after the HTTP server drained.
   */
  static Assembly assemble(ServerConfig config, Resources resources) throws IOException {
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
    resources.register(
        new PeriodicTask("ttl-sweeper", config.ttlSweepInterval(), sweeper::sweepOnce));
    log.info(
        "TTL sweep every {}; change log (and Streams) kept for {}",
        config.ttlSweepInterval(),
        config.changeLogRetention());
    LoadedKey key =
        KeyManager.resolve(config.backupKeyFile(), System.getenv(), config.defaultBackupKeyFile());
    log.info("Backup encryption: {}", key.describe());
    key.warnings().forEach(w -> log.warn("{}", w));
    if (key.created()) {
      log.warn(
          "A new backup master key was created at {}. Keep a copy somewhere safe: without it no"
              + " backup can be restored.",
          key.file().map(Object::toString).orElse("?"));
    }
    BackupService backups =
        resources.register(
            new BackupService(
                db,
                new BackupRepository(new DirectoryObjectStore(config.backupDir()), key.key()),
                config.inMemory()
                    ? config.backupDir().toAbsolutePath().resolveSibling("tidemark-scratch")
                    : config.dataDir().resolve("scratch")));
    backups.start();
    PitrService pitr =
        resources.register(new PitrService(db, backups, PitrService.Config.defaults()));
    pitr.load();
    pitr.start();
    ChangeLogRetention retention =
        new ChangeLogRetention(db, config.changeLogRetention(), System::currentTimeMillis);
    // Records the PITR archiver has not shipped yet are never trimmed, however old.
    retention.addFloor(pitr::retentionFloor);
    resources.register(
        new PeriodicTask(
            "change-log-retention",
            retentionCheckInterval(config.changeLogRetention()),
            retention::trimOnce));
    Authenticator authenticator = Authenticator.acceptAnyCredentials(config.region());
    IdentityStore identities = null;
    if (config.authMode() == AuthMode.IAM) {
      identities = identities(config, db, key.key());
      authenticator =
          new AccessControl(
              identities,
              new DynamoPermissions(
                  config.region(),
                  config.account(),
                  table ->
                      db.catalog()
                          .find(table)
                          .map(t -> t.definition().keySchema().hashName())
                          .orElse(null)),
              config.region(),
              System::currentTimeMillis);
    }
    return new Assembly(
        DynamoApi.operations(db, backups, pitr),
        new DurableAcknowledgements(db.writePath()),
        authenticator,
        identities);
  }

  /**
   * IAM's state, and on first start the administrator's key, written to the credentials file.
   * Secrets are sealed under a key derived from the backup master key, which lives outside the data
   * directory.
   */
  private static IdentityStore identities(
      ServerConfig config, Database db, dev.tidemark.backup.crypto.SymmetricKey master)
      throws IOException {
    byte[] raw = java.util.Base64.getDecoder().decode(KeyManager.encode(master));
    IdentityStore identities =
        new IdentityStore(
            db.storage(), config.account(), new SecretSealer(raw), System::currentTimeMillis);
    java.util.Arrays.fill(raw, (byte) 0);
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
    try {
      Assembly assembly = assemble(config, resources);
      http =
          new HttpServer(
              assembly.operations(),
              RequestIds::next,
              assembly.authenticator(),
              HttpServer.Limits.defaults(),
              assembly.acknowledgements());
      if (assembly.identities() != null) {
        http.addFront(
            new QueryApiHandler(
                IamApi.actions(assembly.identities()), assembly.authenticator(), RequestIds::next));
      }
      port = http.start(config.host(), config.port());
    } catch (Exception | Error e) {
      resources.close();
      throw e;
    }
    Running running = new Running(http, resources, port, endpoint(config.host(), port));
    Runtime.getRuntime().addShutdownHook(running.hook);
    log.info(
        "Tidemark listening on http://{} (auth {}, region {}, data {}, durability {}) — try: aws"
            + " dynamodb list-tables --endpoint-url {}",
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

    /** A URL a client on this machine can use, e.g. {@code http://127.0.0.1:8000}. */
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

  private static String endpoint(String host, int port) {
    String connectTo = isWildcard(host) ? "127.0.0.1" : host;
    return "http://" + hostPort(connectTo, port);
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
