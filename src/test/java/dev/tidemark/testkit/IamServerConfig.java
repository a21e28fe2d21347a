package dev.tidemark.testkit;

import dev.tidemark.auth.AuthMode;
import dev.tidemark.backup.store.BackupStoreSpec;
import dev.tidemark.cli.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** An IAM-mode server's configuration in a test directory, and the administrator's key it made. */
public final class IamServerConfig {
  private IamServerConfig() {}

  /**
   * IAM mode on a free loopback port: data in {@code dir/data}, backups in {@code dir/backups}, the
   * administrator's credentials in {@code dir/admin.credentials}.
   */
  public static ServerConfig of(Path dir, String account) {
    return of(dir, account, false);
  }

  /** The same, with the data in memory when {@code inMemory}. */
  public static ServerConfig of(Path dir, String account, boolean inMemory) {
    return new ServerConfig(
            "127.0.0.1",
            0,
            dir.resolve("data"),
            inMemory,
            "us-east-1",
            ServerConfig.Durability.SYNC,
            account,
            new BackupStoreSpec.Directory(dir.resolve("backups")),
            null,
            Duration.ofSeconds(30),
            Duration.ofHours(24),
            null,
            false,
            null,
            null,
            null)
        .withAuth(AuthMode.IAM, dir.resolve("admin.credentials"));
  }

  /** The access key id and secret of the {@code tidemark-admin} profile in a credentials file. */
  public static String[] adminKey(Path credentialsFile) throws IOException {
    String id = null;
    String secret = null;
    for (String line : Files.readAllLines(credentialsFile)) {
      if (line.startsWith("aws_access_key_id = ")) {
        id = line.substring("aws_access_key_id = ".length());
      } else if (line.startsWith("aws_secret_access_key = ")) {
        secret = line.substring("aws_secret_access_key = ".length());
      }
    }
    return new String[] {id, secret};
  }
}
