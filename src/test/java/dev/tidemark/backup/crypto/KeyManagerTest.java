package dev.tidemark.backup.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyManagerTest {
  @TempDir Path dir;

  // First start creates an owner-only key file and says so; later starts reuse it.
  @Test
  void loadOrCreateCreatesOwnerOnlyFileOnce() throws IOException {
    Path file = dir.resolve("keys/backup.key");
    KeyManager.LoadedKey first = KeyManager.loadOrCreate(file);
    assertThat(first.created()).isTrue();
    assertThat(first.describe()).contains(first.key().id()).contains(file.toString());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    KeyManager.LoadedKey second = KeyManager.loadOrCreate(file);
    assertThat(second.created()).isFalse();
    assertThat(second.key()).isEqualTo(first.key());
    assertThat(second.warnings()).isEmpty();
    try (var files = Files.list(file.getParent())) {
      assertThat(files).containsExactly(file);
    }
  }

  // The environment variable and key file hold the same text, so keys move between them.
  @Test
  void envVarAndKeyFileAgree() throws IOException {
    SymmetricKey key = SymmetricKey.random();
    Path file = dir.resolve("k");
    KeyManager.writeKeyFile(file, key);
    Path unusedDefault = dir.resolve("default.key");
    assertThat(KeyManager.resolve(file, Map.of(), unusedDefault).key()).isEqualTo(key);
    KeyManager.LoadedKey fromEnv =
        KeyManager.resolve(null, Map.of(KeyManager.ENV_VAR, KeyManager.encode(key)), unusedDefault);
    assertThat(fromEnv.key()).isEqualTo(key);
    assertThat(fromEnv.source()).isEqualTo(KeyManager.Source.ENVIRONMENT);
    assertThat(Files.exists(unusedDefault)).isFalse();
  }

  // Two configured keys are ambiguous; refusing beats silently writing unreadable backups.
  @Test
  void refusesBothFileAndEnv() throws IOException {
    Path file = dir.resolve("k");
    KeyManager.writeKeyFile(file, SymmetricKey.random());
    Map<String, String> env = Map.of(KeyManager.ENV_VAR, KeyManager.encode(SymmetricKey.random()));
    assertThatThrownBy(() -> KeyManager.resolve(file, env, dir.resolve("d")))
        .isInstanceOf(KeyConfigurationException.class)
        .hasMessageContaining("configure exactly one");
  }

  // Malformed keys fail at startup with a message naming where the key came from.
  @Test
  void malformedKeysAreRejectedClearly() throws IOException {
    Path file = dir.resolve("bad");
    Files.writeString(file, "not base64!!", StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> KeyManager.readKeyFile(file))
        .isInstanceOf(KeyConfigurationException.class)
        .hasMessageContaining(file.toString());
    Map<String, String> shortKey = Map.of(KeyManager.ENV_VAR, "AAAA");
    assertThatThrownBy(() -> KeyManager.resolve(null, shortKey, dir.resolve("d")))
        .isInstanceOf(KeyConfigurationException.class)
        .hasMessageContaining("$" + KeyManager.ENV_VAR)
        .hasMessageContaining("32 bytes");
  }

  // A key file others can read is flagged so the server can warn about it.
  @Test
  void warnsAboutReadableKeyFile() throws IOException {
    Path file = dir.resolve("k");
    KeyManager.writeKeyFile(file, SymmetricKey.random());
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(KeyManager.resolve(file, Map.of(), dir.resolve("d")).warnings())
        .singleElement()
        .asString()
        .contains("chmod 600");
  }

  // Writing a key file never replaces an existing key.
  @Test
  void writeKeyFileRefusesToOverwrite() throws IOException {
    Path file = dir.resolve("k");
    SymmetricKey key = SymmetricKey.random();
    KeyManager.writeKeyFile(file, key);
    assertThatThrownBy(() -> KeyManager.writeKeyFile(file, SymmetricKey.random()))
        .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
    assertThat(KeyManager.readKeyFile(file)).isEqualTo(key);
  }
}
