package dev.tidemark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
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
    assertThat(c.backupDir()).isEqualTo(Path.of("./tidemark-backups"));
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
    assertThat(bare.backupDir()).isEqualTo(Path.of("/tmp/b"));
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
