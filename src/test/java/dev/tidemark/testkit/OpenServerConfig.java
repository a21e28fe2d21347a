package dev.tidemark.testkit;

import dev.tidemark.cli.ServerConfig;
import java.nio.file.Path;

/** An open-mode (any credentials) server's configuration for tests. */
public final class OpenServerConfig {
  private OpenServerConfig() {}

  /** In memory on a free loopback port, backups in {@code dir/backups}. */
  public static ServerConfig inMemory(Path dir) {
    return new ServerConfig(
        "127.0.0.1",
        0,
        dir.resolve("data"),
        true,
        "us-east-1",
        ServerConfig.Durability.SYNC,
        "000000000000",
        dir.resolve("backups"),
        null);
  }

  /** Region {@code region} of a multi-region test, in memory on {@code port}, under {@code dir}. */
  public static ServerConfig region(Path dir, String region, int port) {
    return new ServerConfig(
        "127.0.0.1",
        port,
        dir.resolve("data"),
        true,
        region,
        ServerConfig.Durability.SYNC,
        "000000000000",
        dir.resolve("backups"),
        null);
  }
}
