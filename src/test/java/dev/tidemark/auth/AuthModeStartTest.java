package dev.tidemark.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.cli.Bootstrap;
import dev.tidemark.cli.ServerConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Protects the mode rules at start: open mode (any credentials, everything allowed) is the default
 * only on a loopback address; elsewhere the server refuses to start, saying why, unless open mode
 * is asked for explicitly.
 */
class AuthModeStartTest {
  @TempDir Path dir;

  private ServerConfig config(String host) {
    return new ServerConfig(
        host,
        0,
        dir.resolve("data"),
        true,
        "us-east-1",
        ServerConfig.Durability.SYNC,
        "000000000000",
        dir.resolve("backups"),
        null);
  }

  @Test
  void openModeOnANonLoopbackAddressNeedsToBeExplicit() throws Exception {
    assertThatThrownBy(() -> Bootstrap.start(config("0.0.0.0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("refusing to listen on 0.0.0.0 in open mode")
        .hasMessageContaining("--auth iam")
        .hasMessageContaining("--auth open");
    try (Bootstrap.Running explicit =
        Bootstrap.start(config("0.0.0.0").withAuth(AuthMode.OPEN, null))) {
      assertThat(explicit.port()).isPositive();
    }
    try (Bootstrap.Running loopback = Bootstrap.start(config("127.0.0.1"))) {
      assertThat(loopback.port()).isPositive();
    }
  }
}
