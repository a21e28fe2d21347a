package dev.tidemark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.backup.store.BackupStoreSpec;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Protects {@code --cold-backup-store}: parsed as {@code --backup-store} is (file:// or s3://, the
 * same S3 flags, which a directory backup store then accepts for the cold store's sake), and never
 * the backup store's own location, inside it or holding it.
 */
class ColdStoreOptionsTest {
  static BackupStoreOptions options(String store, String endpoint, boolean pathStyle) {
    BackupStoreOptions o = new BackupStoreOptions();
    o.store = store;
    o.s3Endpoint = endpoint;
    o.s3PathStyle = pathStyle;
    return o;
  }

  @Test
  void theColdStoreIsParsedAsTheBackupStoreIsAndIsAnotherLocation() {
    BackupStoreOptions dir = options("file:///srv/backups", null, false);
    assertThat(dir.coldSpec("file:///srv/cold", Map.of()))
        .isEqualTo(new BackupStoreSpec.Directory(Path.of("/srv/cold")));
    assertThatThrownBy(() -> dir.coldSpec("file:///srv/backups", Map.of()))
        .hasMessageStartingWith("--cold-backup-store must be another location");
    assertThatThrownBy(() -> dir.coldSpec("file:///srv/backups/cold", Map.of()))
        .hasMessageContaining("neither inside it nor holding it");
    assertThatThrownBy(() -> dir.coldSpec("file:///srv", Map.of()))
        .hasMessageContaining("neither inside it nor holding it");
    assertThat(dir.coldSpec("file:///srv/backups-cold", Map.of()))
        .isEqualTo(new BackupStoreSpec.Directory(Path.of("/srv/backups-cold")));
    assertThatThrownBy(() -> dir.coldSpec("ftp://x", Map.of()))
        .isInstanceOf(IllegalArgumentException.class);

    // A directory backup store with an S3 cold store: the S3 flags are the cold store's.
    BackupStoreOptions s3Flags = options("file:///srv/backups", "http://127.0.0.1:9000", true);
    BackupStoreSpec.S3 cold =
        (BackupStoreSpec.S3) s3Flags.coldSpec("s3://archive/tidemark/cold", Map.of());
    assertThat(cold.config().bucket()).isEqualTo("archive");
    assertThat(cold.config().prefix()).isEqualTo("tidemark/cold/");
    assertThat(cold.config().endpoint()).contains(URI.create("http://127.0.0.1:9000"));
    assertThat(cold.config().pathStyle()).isTrue();
    assertThat(s3Flags.spec(Map.of(), true))
        .isEqualTo(new BackupStoreSpec.Directory(Path.of("/srv/backups")));
    assertThatThrownBy(() -> s3Flags.spec(Map.of())).hasMessageContaining("only to an s3:// store");

    BackupStoreOptions s3 = options("s3://bucket/prod", null, false);
    assertThatThrownBy(() -> s3.coldSpec("s3://bucket/prod/", Map.of()))
        .hasMessageStartingWith("--cold-backup-store must be another location");
    assertThatThrownBy(() -> s3.coldSpec("s3://bucket", Map.of()))
        .hasMessageContaining("neither inside it nor holding it");
    assertThat(s3.coldSpec("s3://bucket/cold", Map.of())).isInstanceOf(BackupStoreSpec.S3.class);
  }
}
