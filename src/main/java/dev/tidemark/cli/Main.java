package dev.tidemark.cli;

import dev.tidemark.replication.ReplicationConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * {@code tidemark [serve] [options]}. {@code serve} is also what runs when no subcommand is given,
 * so {@code tidemark --port 9000} and {@code tidemark serve --port 9000} mean the same.
 */
@Command(
    name = "tidemark",
    mixinStandardHelpOptions = true,
    version = "Tidemark 0.1.0",
    description = "A self-hosted database server speaking the Amazon DynamoDB API.",
    subcommands = {
      Main.Serve.class,
      BackupCommand.class,
      PitrCommand.class,
      HistoryCommand.class,
      StatusCommand.class,
      AuditCommand.class,
      ReplicasCommand.class
    })
public final class Main implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  @Mixin private ServeOptions options;

  @Spec private CommandSpec spec;

  public static void main(String[] args) {
    int exit = commandLine().execute(args);
    // Exiting with 0 from here could block: after SIGTERM the JVM is already shutting down.
    if (exit != 0) {
      System.exit(exit);
    }
  }

  /** The command line with every subcommand, as {@link #main} runs it. */
  public static CommandLine commandLine() {
    return new CommandLine(new Main())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler(
            (e, cli, parsed) -> {
              // Expected failures (a server error, a missing store) read best as one line.
              cli.getErr().println("tidemark: " + e.getMessage());
              log.debug("command failed", e);
              return 1;
            });
  }

  /** Parses a command line into a configuration without starting anything. */
  static ServerConfig parse(String... args) {
    Parsed p = parsed(args);
    return p.options().toConfig(p.spec());
  }

  /** Parses a command line's server-to-server options (peers, copy peers, secret), checked. */
  static ReplicationConfig parseReplication(String... args) {
    Parsed p = parsed(args);
    return p.options().replication(p.spec());
  }

  /** The serve options a command line gives, with the command they belong to. */
  private record Parsed(ServeOptions options, CommandSpec spec) {}

  private static Parsed parsed(String... args) {
    CommandLine cli = commandLine();
    ParseResult result = cli.parseArgs(args);
    ParseResult sub = result.subcommand();
    if (sub != null) {
      Serve serve = sub.commandSpec().commandLine().getCommand();
      return new Parsed(serve.options, sub.commandSpec());
    }
    Main main = cli.getCommand();
    return new Parsed(main.options, main.spec);
  }

  @Override
  public Integer call() {
    return serve(options.toConfig(spec), options.replication(spec), options.coldBackupStore(spec));
  }

  @Command(
      name = "serve",
      mixinStandardHelpOptions = true,
      description = "Run the server (the default when no subcommand is given).")
  static final class Serve implements Callable<Integer> {
    @Mixin private ServeOptions options;

    @Spec private CommandSpec spec;

    @Override
    public Integer call() {
      return serve(
          options.toConfig(spec), options.replication(spec), options.coldBackupStore(spec));
    }
  }

  private static int serve(
      ServerConfig config,
      ReplicationConfig replication,
      dev.tidemark.backup.store.BackupStoreSpec coldStore) {
    Bootstrap.Running running;
    try {
      running = Bootstrap.start(config, replication, coldStore);
    } catch (dev.tidemark.backup.keys.KeyRefusedException e) {
      // A deliberate refusal, fully explained by its message: no stack trace to wade through.
      log.error("Tidemark refused to start: {}", e.getMessage());
      return 1;
    } catch (IllegalArgumentException e) {
      // A configuration the server refuses (a bad TLS key, open mode on a public address): the
      // message says what to change.
      log.error("Tidemark refused to start: {}", e.getMessage());
      log.debug("start-up refusal", e);
      return 1;
    } catch (Exception e) {
      log.error("Tidemark failed to start: {}", e.getMessage(), e);
      return 1;
    }
    try {
      running.awaitStopped();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running.close();
    }
    return 0;
  }

  /**
   * The serve options. The single-dash spellings are DynamoDB Local's, so scripts written for it
   * keep working.
   */
  static final class ServeOptions {
    @Option(
        names = {"--port", "-port"},
        paramLabel = "PORT",
        description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port = 8000;

    @Option(
        names = "--host",
        paramLabel = "HOST",
        description =
            "Address to listen on (default: ${DEFAULT-VALUE}, loopback only). A non-loopback"
                + " address needs --auth iam, or --auth open given explicitly.")
    String host = "127.0.0.1";

    @Option(
        names = {"--data-dir", "-dbPath"},
        paramLabel = "DIR",
        description = "Directory for table data (default: ./tidemark-data).")
    Path dataDir;

    @Option(
        names = {"--in-memory", "-inMemory"},
        description = "Keep all data in memory; it is lost when the server stops.")
    boolean inMemory;

    @Option(
        names = "-sharedDb",
        description =
            "Accepted for DynamoDB Local compatibility; Tidemark always shares one"
                + " database among all credentials and regions.")
    boolean sharedDb;

    @Option(
        names = "--region",
        paramLabel = "REGION",
        description = "Region reported in ARNs and table descriptions (default: ${DEFAULT-VALUE}).")
    String region = "us-east-1";

    @Option(
        names = "--durability",
        paramLabel = "MODE",
        description =
            "sync: acknowledge a write once it is on disk; async: once logged, flushed shortly"
                + " after (default: sync).")
    ServerConfig.Durability durability = ServerConfig.Durability.SYNC;

    @Option(
        names = "--account",
        paramLabel = "ID",
        description = "12-digit account id used in ARNs (default: ${DEFAULT-VALUE}).")
    String account = "000000000000";

    @Mixin BackupStoreOptions backupStore = new BackupStoreOptions();

    @Option(
        names = "--backup-key-file",
        paramLabel = "FILE",
        description =
            "Master key for backup encryption (base64, 32 bytes). Default: $"
                + "TIDEMARK_BACKUP_KEY if set, else tidemark-backup.key beside a backup"
                + " directory, created on first start (an s3:// store needs one of the first two).")
    Path backupKeyFile;

    @Option(
        names = "--new-backup-key",
        description =
            "Create a new backup master key even though the backup store already holds backups"
                + " (they stay unreadable until their key is linked). Without it the server"
                + " refuses to start when the store's key is missing or wrong.")
    boolean newBackupKey;

    @Option(
        names = "--backup-passphrase-file",
        paramLabel = "FILE",
        description =
            "Recovery passphrase (see `tidemark backup passphrase add`): with no key file, the"
                + " master key is unwrapped from the backup store with it. Also"
                + " $TIDEMARK_BACKUP_PASSPHRASE.")
    Path backupPassphraseFile;

    @Option(
        names = "--ttl-sweep-interval",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        defaultValue = "${sys:tidemark.ttl-sweep-interval:-30s}",
        description =
            "How often expired TTL items are deleted, e.g. 30s or 5m (default: ${DEFAULT-VALUE};"
                + " also -Dtidemark.ttl-sweep-interval).")
    Duration ttlSweepInterval;

    @Option(
        names = "--change-log-retention",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        defaultValue = "${sys:tidemark.change-log-retention:-24h}",
        description =
            "How long change records, and so DynamoDB Streams records, are kept (default:"
                + " ${DEFAULT-VALUE}; also -Dtidemark.change-log-retention).")
    Duration changeLogRetention;

    @Option(
        names = "--min-free-space",
        paramLabel = "SIZE",
        converter = ByteSizeConverter.class,
        description =
            "Free space kept on the data directory's and the backup store's disks, e.g. 512m or"
                + " 2g: below it writes (or backups) are refused with the retryable"
                + " ServiceUnavailable, so that compaction, a restart and DeleteTable keep room"
                + " (default: 5%% of the disk, at most 512m).")
    Long minFreeSpace;

    @Option(
        names = "--auth",
        paramLabel = "MODE",
        description =
            "open: any credentials are accepted and allowed everything, as DynamoDB Local does"
                + " (the default, on a loopback address only unless given explicitly); iam:"
                + " every request's SigV4 signature is verified and checked against IAM"
                + " policies.")
    dev.tidemark.auth.AuthMode auth;

    @Option(
        names = "--admin-credentials-file",
        paramLabel = "FILE",
        description =
            "Where --auth iam writes the administrator's access key on first start, in the AWS"
                + " CLI's credentials format (profile tidemark-admin). Default:"
                + " tidemark-admin.credentials beside the data directory.")
    Path adminCredentialsFile;

    @Option(
        names = "--tls-cert",
        paramLabel = "FILE",
        description =
            "Serve HTTPS (TLS 1.3 and 1.2) with this PEM certificate chain, server certificate"
                + " first; needs --tls-key.")
    Path tlsCert;

    @Option(
        names = "--tls-key",
        paramLabel = "FILE",
        description =
            "The unencrypted PEM private key of --tls-cert (PKCS#8, or PKCS#1 RSA, or SEC1 EC).")
    Path tlsKey;

    @Option(
        names = "--audit-dir",
        paramLabel = "DIR",
        description =
            "Where the audit trail (control-plane actions and refused requests) is written"
                + " (default: audit in the data directory; none for --in-memory unless given).")
    Path auditDir;

    @Option(
        names = "--audit-max-file-size",
        paramLabel = "SIZE",
        converter = ByteSizeConverter.class,
        description = "Start a new audit file past this size (default: 64m).")
    Long auditMaxFileSize;

    @Option(
        names = "--audit-max-file-age",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        description = "Start a new audit file once the current one is this old (default: 1d).")
    Duration auditMaxFileAge;

    @Option(
        names = "--audit-retention",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        description = "Delete audit files whose last record is older than this (default: 365d).")
    Duration auditRetention;

    @Option(
        names = "--metrics",
        paramLabel = "on|off",
        defaultValue = "on",
        description =
            "Serve Prometheus metrics at GET /metrics, without authentication (default:"
                + " ${DEFAULT-VALUE}). Off, /metrics is not served and requests are not metered.")
    String metrics;

    @Option(
        names = "--peer",
        paramLabel = "REGION=URL",
        description =
            "Another Tidemark server that holds replicas of this one's global tables, e.g."
                + " eu-west-1=http://10.0.0.2:8000; repeat for each region. Needs"
                + " --replication-secret-file.")
    java.util.List<String> peers = new java.util.ArrayList<>();

    @Option(
        names = "--copy-peer",
        paramLabel = "ACCOUNT:REGION=URL",
        description =
            "A Tidemark server of another account (its --account and --region) that copy jobs may"
                + " send recovery points to, in any region including this one, e.g."
                + " 222222222222:us-east-1=http://10.0.0.3:8000; repeat for each. Its vault's access"
                + " policy must allow this account. Other regions' servers are also reached by"
                + " --peer. Needs --replication-secret-file.")
    java.util.List<String> copyPeers = new java.util.ArrayList<>();

    @Option(
        names = "--replication-secret-file",
        paramLabel = "FILE",
        description =
            "The secret every region of a replica group shares (at least 16 bytes, e.g. head -c"
                + " 32 /dev/urandom | base64): server-to-server requests are signed with it, and"
                + " replication requests without a valid signature are refused.")
    Path replicationSecretFile;

    @Option(
        names = "--peer-ca-file",
        paramLabel = "FILE",
        description =
            "PEM certificates of the authorities that issued the https peers' certificates (--peer"
                + " and --copy-peer URLs that start with https://, served with --tls-cert there)."
                + " Only these are trusted for peers. Default: the JDK's trusted authorities.")
    Path peerCaFile;

    @Option(
        names = "--cold-backup-store",
        paramLabel = "URI",
        description =
            "Where recovery points go at their MoveToColdStorageAfterDays: file://DIR or"
                + " s3://BUCKET/PREFIX (the S3 options apply), another location than the backup"
                + " store. Without it that setting is ignored and points stay WARM.")
    String coldBackupStore;

    /** The cold tier's store, or null without --cold-backup-store. */
    dev.tidemark.backup.store.BackupStoreSpec coldBackupStore(CommandSpec spec) {
      if (coldBackupStore == null) {
        return null;
      }
      try {
        return backupStore.coldSpec(coldBackupStore, System.getenv());
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage(), e);
      }
    }

    @Option(
        names = "--consensus-port",
        paramLabel = "PORT",
        description =
            "The port of this server's Raft endpoint for multi-Region strongly consistent global"
                + " tables (MultiRegionConsistency STRONG), on the same host as the API; every"
                + " region of such a table needs one. Default: none (STRONG is refused). Keep it on"
                + " a private network: consensus traffic is not authenticated.")
    int consensusPort;

    @Option(
        names = "--consensus-advertised-port",
        paramLabel = "PORT",
        description =
            "The port the other regions reach this server's Raft endpoint on, when a proxy or a"
                + " port mapping stands between them. Default: --consensus-port.")
    int consensusAdvertisedPort;

    @Option(
        names = "--consensus-wait",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        defaultValue = "10s",
        description =
            "How long a write or strongly consistent read of a STRONG table waits for a quorum of"
                + " regions before it is refused with InternalServerError (default:"
                + " ${DEFAULT-VALUE}).")
    Duration consensusWait;

    @Option(
        names = "--consensus-election-timeout",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        defaultValue = "150ms",
        description =
            "Raft: a region that hears from no leader for a random time between this and"
                + " --consensus-leader-timeout starts an election; a leader sends heartbeats every"
                + " half of it. Raise it above the round trip between regions (default:"
                + " ${DEFAULT-VALUE}).")
    Duration consensusElectionTimeout;

    @Option(
        names = "--consensus-leader-timeout",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        description =
            "Raft: a leader that has heard from no majority for this long steps down. Default:"
                + " twice --consensus-election-timeout.")
    Duration consensusLeaderTimeout;

    @Option(
        names = "--consensus-snapshot-every",
        paramLabel = "ENTRIES",
        defaultValue = "10000",
        description =
            "Raft: a region snapshots a STRONG table's group every so many applied log entries,"
                + " and its log is then purged up to what every region holds (default:"
                + " ${DEFAULT-VALUE}).")
    long consensusSnapshotEvery;

    @Option(
        names = "--consensus-log-segment-mb",
        paramLabel = "MB",
        defaultValue = "8",
        description =
            "Raft: the size of one log segment file, the unit the log is purged by (default:"
                + " ${DEFAULT-VALUE}).")
    int consensusLogSegmentMb;

    @Option(
        names = "--replication-max-lag",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        defaultValue = "7d",
        description =
            "How long the change log is held for a region that has not received it (down,"
                + " partitioned, paused); past it that region's replica is re-filled from a"
                + " snapshot instead (default: ${DEFAULT-VALUE}).")
    Duration replicationMaxLag;

    @Option(
        names = "--replication-tombstone-grace",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        defaultValue = "1h",
        description =
            "How long a delete's tombstone is kept after every region has passed it, before it is"
                + " collected (default: ${DEFAULT-VALUE}).")
    Duration replicationTombstoneGrace;

    /** The peers, copy peers, secret, log limits and consensus port given, checked. */
    ReplicationConfig replication(CommandSpec spec) {
      try {
        return ReplicationConfig.of(region, peers, replicationSecretFile)
            .withCopyPeers(dev.tidemark.replication.CopyPeer.parseAll(copyPeers, account, region))
            .withLimits(replicationMaxLag, replicationTombstoneGrace)
            .withConsensus(consensusPort, consensusAdvertisedPort, consensusWait)
            .withConsensusTuning(
                dev.tidemark.replication.ConsensusTuning.of(
                    consensusElectionTimeout,
                    consensusLeaderTimeout,
                    consensusSnapshotEvery,
                    consensusLogSegmentMb))
            .withPeerTls(
                peerCaFile == null ? null : dev.tidemark.replication.PeerTls.trusting(peerCaFile));
      } catch (IllegalArgumentException | java.io.IOException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage(), e);
      }
    }

    ServerConfig toConfig(CommandSpec spec) {
      if (inMemory && dataDir != null) {
        throw new ParameterException(
            spec.commandLine(), "--in-memory and --data-dir (-dbPath) cannot be used together");
      }
      if (!metrics.equals("on") && !metrics.equals("off")) {
        throw new ParameterException(
            spec.commandLine(), "--metrics is on or off, not '" + metrics + "'");
      }
      if ((tlsCert == null) != (tlsKey == null)) {
        throw new ParameterException(
            spec.commandLine(), "--tls-cert and --tls-key go together: give both or neither");
      }
      try {
        return new ServerConfig(
                host,
                port,
                dataDir != null ? dataDir : Path.of("./tidemark-data"),
                inMemory,
                region,
                durability,
                account,
                backupStore.spec(
                    System.getenv(),
                    coldBackupStore != null && coldBackupStore.startsWith("s3://")),
                backupKeyFile,
                ttlSweepInterval,
                changeLogRetention,
                minFreeSpace,
                newBackupKey,
                backupPassphraseFile,
                auth,
                adminCredentialsFile,
                tlsCert == null ? null : new ServerConfig.TlsFiles(tlsCert, tlsKey),
                new dev.tidemark.audit.AuditConfig(
                    auditDir,
                    auditMaxFileSize != null
                        ? auditMaxFileSize
                        : dev.tidemark.audit.AuditConfig.DEFAULT_MAX_FILE_BYTES,
                    auditMaxFileAge != null
                        ? auditMaxFileAge
                        : dev.tidemark.audit.AuditConfig.DEFAULT_MAX_FILE_AGE,
                    auditRetention != null
                        ? auditRetention
                        : dev.tidemark.audit.AuditConfig.DEFAULT_RETENTION))
            .withMetrics(metrics.equals("on"));
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage(), e);
      }
    }
  }
}
