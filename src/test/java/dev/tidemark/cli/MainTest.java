package dev.tidemark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.backup.store.BackupStoreSpec;
import dev.tidemark.backup.store.S3StoreConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParameterException;

class MainTest {

  // Running with no arguments must give the documented, loopback-only defaults.
  @Test
  void defaults() {
    ServerConfig c = Main.parse();
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.port()).isEqualTo(8000);
    assertThat(c.dataDir()).isEqualTo(Path.of("./tidemark-data"));
    assertThat(c.inMemory()).isFalse();
    assertThat(c.region()).isEqualTo("us-east-1");
    assertThat(c.durability()).isEqualTo(ServerConfig.Durability.SYNC);
    assertThat(c.account()).isEqualTo("000000000000");
    assertThat(c.backupStore())
        .isEqualTo(new BackupStoreSpec.Directory(Path.of("./tidemark-backups")));
    assertThat(c.ttlSweepInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.changeLogRetention()).isEqualTo(Duration.ofHours(24));
  }

  // The background intervals take durations as people write them, and refuse nonsense early.
  @Test
  void backgroundIntervals() {
    ServerConfig c = Main.parse("--ttl-sweep-interval", "500ms", "--change-log-retention", "2h");
    assertThat(c.ttlSweepInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.changeLogRetention()).isEqualTo(Duration.ofHours(2));
    assertThat(Main.parse("--change-log-retention", "PT36H").changeLogRetention())
        .isEqualTo(Duration.ofHours(36));
    assertThat(Main.parse("--ttl-sweep-interval", "7d").ttlSweepInterval())
        .isEqualTo(Duration.ofDays(7));
    assertThatThrownBy(() -> Main.parse("--ttl-sweep-interval", "soon"))
        .isInstanceOf(ParameterException.class);
    assertThatThrownBy(() -> Main.parse("--change-log-retention", "0s"))
        .isInstanceOf(ParameterException.class);
  }

  // --min-free-space takes sizes as people write them; without it the default is computed from
  // the disk at start (null here).
  // Protects the TLS and audit-trail flags: both TLS files or neither, the audit directory in the
  // data directory by default (none in memory unless given), rotation and retention as written.
  @Test
  void tlsAndAuditOptions() {
    ServerConfig plain = Main.parse("--data-dir", "/srv/d");
    assertThat(plain.tls()).isNull();
    assertThat(plain.auditLocation()).isEqualTo(java.nio.file.Path.of("/srv/d/audit"));
    assertThat(Main.parse("--in-memory").auditLocation()).isNull();
    ServerConfig c =
        Main.parse(
            "--tls-cert",
            "/etc/t/c.pem",
            "--tls-key",
            "/etc/t/k.pem",
            "--audit-dir",
            "/var/a",
            "--audit-max-file-size",
            "8m",
            "--audit-max-file-age",
            "6h",
            "--audit-retention",
            "30d");
    assertThat(c.tls())
        .isEqualTo(
            new ServerConfig.TlsFiles(
                java.nio.file.Path.of("/etc/t/c.pem"), java.nio.file.Path.of("/etc/t/k.pem")));
    assertThat(c.auditLocation()).isEqualTo(java.nio.file.Path.of("/var/a"));
    assertThat(c.audit().maxFileBytes()).isEqualTo(8L << 20);
    assertThat(c.audit().maxFileAge()).isEqualTo(Duration.ofHours(6));
    assertThat(c.audit().retention()).isEqualTo(Duration.ofDays(30));
    assertThatThrownBy(() -> Main.parse("--tls-cert", "/etc/t/c.pem"))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("--tls-cert and --tls-key go together");
    assertThatThrownBy(() -> Main.parse("--audit-retention", "1h"))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("must be at least the file age");
  }

  @Test
  void minFreeSpace() {
    assertThat(Main.parse().minFreeSpace()).isNull();
    assertThat(Main.parse("--min-free-space", "512m").minFreeSpace()).isEqualTo(512L << 20);
    assertThat(Main.parse("--min-free-space", "2GiB").minFreeSpace()).isEqualTo(2L << 30);
    assertThat(Main.parse("--min-free-space", "0").minFreeSpace()).isZero();
    assertThat(Main.parse("--min-free-space", "4096").minFreeSpace()).isEqualTo(4096L);
    assertThatThrownBy(() -> Main.parse("--min-free-space", "lots"))
        .isInstanceOf(ParameterException.class);
    assertThatThrownBy(() -> Main.parse("--min-free-space", "-1m"))
        .isInstanceOf(ParameterException.class);
    assertThatThrownBy(() -> Main.parse("--min-free-space", "99999999999t"))
        .isInstanceOf(ParameterException.class);
  }

  // The TTL sweep interval can also come from a system property, as the README says.
  @Test
  void ttlSweepIntervalFromSystemProperty() {
    System.setProperty("tidemark.ttl-sweep-interval", "5s");
    try {
      assertThat(Main.parse().ttlSweepInterval()).isEqualTo(Duration.ofSeconds(5));
      assertThat(Main.parse("--ttl-sweep-interval", "1m").ttlSweepInterval())
          .isEqualTo(Duration.ofMinutes(1));
    } finally {
      System.clearProperty("tidemark.ttl-sweep-interval");
    }
  }

  // "serve" is optional: with and without it the same options mean the same thing.
  @Test
  void serveIsTheDefaultSubcommand() {
    String[] options = {
      "--port",
      "9001",
      "--host",
      "0.0.0.0",
      "--data-dir",
      "/tmp/d",
      "--region",
      "eu-west-1",
      "--durability",
      "async",
      "--account",
      "123456789012",
      "--backup-dir",
      "/tmp/b"
    };
    ServerConfig bare = Main.parse(options);
    String[] withServe = new String[options.length + 1];
    withServe[0] = "serve";
    System.arraycopy(options, 0, withServe, 1, options.length);
    assertThat(Main.parse(withServe)).isEqualTo(bare);
    assertThat(bare.port()).isEqualTo(9001);
    assertThat(bare.host()).isEqualTo("0.0.0.0");
    assertThat(bare.dataDir()).isEqualTo(Path.of("/tmp/d"));
    assertThat(bare.region()).isEqualTo("eu-west-1");
    assertThat(bare.durability()).isEqualTo(ServerConfig.Durability.ASYNC);
    assertThat(bare.account()).isEqualTo("123456789012");
    assertThat(bare.backupStore()).isEqualTo(new BackupStoreSpec.Directory(Path.of("/tmp/b")));
  }

  // Protects the backup store options: file:// is --backup-dir, s3:// takes the S3 flags, and
  // contradictions or credentials in the endpoint URL are usage errors that never echo a secret.
  @Test
  void backupStoreOptions() {
    assertThat(Main.parse("--backup-store", "file:///srv/b").backupStore())
        .isEqualTo(Main.parse("--backup-dir", "/srv/b").backupStore());
    assertThat(Main.parse("--backup-store", "file://./rel").backupStore())
        .isEqualTo(new BackupStoreSpec.Directory(Path.of("./rel")));
    ServerConfig s3 =
        Main.parse(
            "--backup-store",
            "s3://my-bucket/tidemark/prod",
            "--s3-endpoint",
            "http://127.0.0.1:9000",
            "--s3-path-style",
            "--backup-key-file",
            "/k");
    S3StoreConfig c = ((BackupStoreSpec.S3) s3.backupStore()).config();
    assertThat(c.bucket()).isEqualTo("my-bucket");
    assertThat(c.prefix()).isEqualTo("tidemark/prod/");
    assertThat(c.endpoint()).contains(URI.create("http://127.0.0.1:9000"));
    assertThat(c.pathStyle()).isTrue();
    assertThat(c.unsafeOverwrites()).isFalse();
    assertThat(s3.defaultBackupKeyFile()).as("no key file is invented for S3").isNull();
    assertThat(
            ((BackupStoreSpec.S3) Main.parse("--backup-store", "s3://b-1").backupStore())
                .config()
                .prefix())
        .isEmpty();
    assertThatThrownBy(() -> Main.parse("--backup-store", "s3://b-1", "--backup-dir", "/x"))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("not both");
    assertThatThrownBy(() -> Main.parse("--backup-dir", "/x", "--s3-path-style"))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("only to an s3:// store");
    assertThatThrownBy(() -> Main.parse("--backup-store", "ftp://x"))
        .isInstanceOf(ParameterException.class);
    assertThatThrownBy(() -> Main.parse("--backup-store", "s3://Bad_Bucket"))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("bucket name");
    assertThatThrownBy(
            () ->
                Main.parse(
                    "--backup-store",
                    "s3://b-1",
                    "--s3-endpoint",
                    "http://AKID:topsecret@127.0.0.1:9000"))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("must not carry credentials")
        .hasMessageNotContaining("topsecret");
  }

  // Scripts written for DynamoDB Local keep working with its single-dash spellings.
  @Test
  void acceptsDynamoDbLocalSpellings() {
    ServerConfig c = Main.parse("-port", "8123", "-dbPath", "/var/ddb", "-sharedDb");
    assertThat(c.port()).isEqualTo(8123);
    assertThat(c.dataDir()).isEqualTo(Path.of("/var/ddb"));
    ServerConfig m = Main.parse("-inMemory", "-sharedDb", "-port", "0");
    assertThat(m.inMemory()).isTrue();
    assertThat(m.dataLocation()).isEqualTo("in memory");
    assertThat(Main.parse("serve", "--in-memory").inMemory()).isTrue();
  }

  // Contradictory or invalid options fail at parse time with a usage error, not at runtime.
  @Test
  void rejectsInvalidOptions() {
    assertThatThrownBy(() -> Main.parse("--in-memory", "--data-dir", "/x"))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("cannot be used together");
    assertThatThrownBy(() -> Main.parse("--port", "70000")).isInstanceOf(ParameterException.class);
    assertThatThrownBy(() -> Main.parse("--account", "12")).isInstanceOf(ParameterException.class);
    assertThatThrownBy(() -> Main.parse("--durability", "maybe"))
        .isInstanceOf(ParameterException.class);
    assertThatThrownBy(() -> Main.parse("--bogus")).isInstanceOf(ParameterException.class);
  }

  // --copy-peer names other accounts' servers for copies (repeatable, in any region, this one too),
  // signed with the replication secret; a bad value is a usage error that says what is expected.
  @Test
  void copyPeers(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path secret = java.nio.file.Files.writeString(dir.resolve("secret"), "s".repeat(32));
    var r =
        Main.parseReplication(
            "--account",
            "111111111111",
            "--replication-secret-file",
            secret.toString(),
            "--copy-peer",
            "222222222222:us-east-1=http://10.0.0.3:8000",
            "--copy-peer",
            "333333333333:eu-west-1=https://10.0.0.4:8443");
    assertThat(r.copyPeers())
        .containsExactly(
            new dev.tidemark.replication.CopyPeer(
                "222222222222", "us-east-1", URI.create("http://10.0.0.3:8000")),
            new dev.tidemark.replication.CopyPeer(
                "333333333333", "eu-west-1", URI.create("https://10.0.0.4:8443")));
    assertThat(Main.parseReplication().copyPeers()).isEmpty();
    assertThatThrownBy(
            () -> Main.parseReplication("--copy-peer", "222222222222:us-east-1=http://h:1"))
        .isInstanceOf(ParameterException.class)
        .hasMessage(
            "--copy-peer needs --replication-secret-file: copies between servers are signed with"
                + " it");
    assertThatThrownBy(
            () ->
                Main.parseReplication(
                    "serve",
                    "--account",
                    "111111111111",
                    "--replication-secret-file",
                    secret.toString(),
                    "--copy-peer",
                    "111111111111:us-east-1=http://h:1"))
        .isInstanceOf(ParameterException.class)
        .hasMessageStartingWith("--copy-peer 111111111111:us-east-1 names this server's own");
    assertThatThrownBy(
            () ->
                Main.parseReplication(
                    "--replication-secret-file",
                    secret.toString(),
                    "--copy-peer",
                    "222222222222:us-east-1=http://h:1",
                    "--copy-peer",
                    "222222222222:us-east-1=http://h:2"))
        .isInstanceOf(ParameterException.class)
        .hasMessage("--copy-peer 222222222222:us-east-1 is given twice");
    assertThatThrownBy(
            () ->
                Main.parseReplication(
                    "--replication-secret-file", secret.toString(), "--copy-peer", "2222=http://h"))
        .isInstanceOf(ParameterException.class)
        .hasMessageStartingWith("--copy-peer takes ACCOUNT:REGION=URL");
  }

  // The main entry point returns a usage error code instead of starting on bad input.
  @Test
  void executeReportsUsageErrors() {
    assertThat(
            Main.commandLine()
                .setErr(new java.io.PrintWriter(java.io.Writer.nullWriter()))
                .execute("--port", "notanumber"))
        .isEqualTo(2);
  }
}
