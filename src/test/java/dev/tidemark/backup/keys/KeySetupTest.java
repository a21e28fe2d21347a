package dev.tidemark.backup.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.backup.BackupRepository;
import dev.tidemark.backup.crypto.KeyManager;
import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.crypto.WrongKeyException;
import dev.tidemark.backup.store.DirectoryObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19, rule 1: a server never starts a new key over a store that holds backups or PITR
 * archives, refuses a missing or wrong key naming the store, the key id and the file, and changes
 * nothing in the store when it refuses. Each case runs against an empty store and a full one.
 */
class KeySetupTest {
  @TempDir Path dir;

  private DirectoryObjectStore store() throws Exception {
    return new DirectoryObjectStore(dir.resolve("store"));
  }

  private KeySetup.Options options(Path keyFile, boolean newKey) {
    return new KeySetup.Options(
        keyFile, dir.resolve("default.key"), newKey, null, Map.of(), "STORE-" + dir.getFileName());
  }

  private KeySetup.Opened open(Path keyFile, boolean newKey) throws Exception {
    return KeySetup.open(store(), options(keyFile, newKey), () -> 1_000L);
  }

  /** A store with one backup and one PITR-only table, written (as before key records) with key. */
  private SymmetricKey fullLegacyStore() throws Exception {
    SymmetricKey key = SymmetricKey.random();
    BackupRepository repo = new BackupRepository(store(), key);
    StoreFixture.backup(repo, "t1", "01700000000000-00000001");
    StoreFixture.pitrState(repo, "t2");
    return key;
  }

  private Path keyFile(String name, SymmetricKey key) throws Exception {
    Path f = dir.resolve(name);
    KeyManager.writeKeyFile(f, key);
    return f;
  }

  @Test
  void emptyStoreWithoutKeyCreatesOneAndRecordsIt() throws Exception {
    KeySetup.Opened o = open(null, false);
    assertThat(o.key().created()).isTrue();
    assertThat(Files.exists(dir.resolve("default.key"))).isTrue();
    assertThat(StoreKeys.records(store()))
        .singleElement()
        .satisfies(r -> assertThat(r.keyId()).isEqualTo(o.keys().current().id()));
    assertThat(o.warnings()).anyMatch(w -> w.contains("A new backup master key"));
    // The next start finds the same key and starts without creating anything.
    assertThat(open(null, false).keys().current()).isEqualTo(o.keys().current());
  }

  @Test
  void emptyStoreWithConfiguredMissingFileCreatesItThere() throws Exception {
    Path f = dir.resolve("chosen.key");
    KeySetup.Opened o = open(f, false);
    assertThat(KeyManager.readKeyFile(f)).isEqualTo(o.keys().current());
  }

  @Test
  void emptyStoreWithAnyExistingKeyStarts() throws Exception {
    SymmetricKey k = SymmetricKey.random();
    assertThat(open(keyFile("k", k), false).keys().current()).isEqualTo(k);
  }

  @Test
  void fullStoreWithoutKeyIsRefusedAndUntouched() throws Exception {
    SymmetricKey key = fullLegacyStore();
    Map<String, String> before = StoreFixture.snapshot(store());
    assertThatThrownBy(() -> open(null, false))
        .isInstanceOf(KeyRefusedException.class)
        .hasMessageContaining("STORE-")
        .hasMessageContaining("1 backup and 1 PITR archive")
        .hasMessageContaining("key " + key.id())
        .hasMessageContaining(dir.resolve("default.key").toString())
        .hasMessageContaining("--new-backup-key");
    assertThat(StoreFixture.snapshot(store())).isEqualTo(before);
    assertThat(Files.exists(dir.resolve("default.key"))).as("no key created").isFalse();
    // A configured file that does not exist is refused the same way, and not created.
    Path missing = dir.resolve("mounted-elsewhere.key");
    assertThatThrownBy(() -> open(missing, false))
        .isInstanceOf(KeyRefusedException.class)
        .hasMessageContaining(missing + " does not exist");
    assertThat(Files.exists(missing)).isFalse();
    assertThat(StoreFixture.snapshot(store())).isEqualTo(before);
  }

  @Test
  void fullStoreWithWrongKeyIsRefusedAndUntouched() throws Exception {
    SymmetricKey key = fullLegacyStore();
    Map<String, String> before = StoreFixture.snapshot(store());
    Path wrong = keyFile("wrong.key", SymmetricKey.random());
    assertThatThrownBy(() -> open(wrong, false))
        .isInstanceOf(KeyRefusedException.class)
        .hasMessageContaining("key " + key.id())
        .hasMessageContaining(wrong.toString())
        .hasMessageContaining("not the key of this store");
    assertThat(StoreFixture.snapshot(store())).isEqualTo(before);
  }

  @Test
  void fullStoreWithRightKeyIsAdoptedAndReadable() throws Exception {
    SymmetricKey key = fullLegacyStore();
    KeySetup.Opened o = open(keyFile("k", key), false);
    assertThat(StoreKeys.records(store()))
        .singleElement()
        .satisfies(r -> assertThat(r.reason()).isEqualTo("adopted"));
    BackupRepository repo = new BackupRepository(store(), o.keys());
    assertThat(repo.verify(repo.listManifests().get(0)).ok()).isTrue();
    // With a record in place, a wrong key is refused by the record, and still nothing changes.
    Map<String, String> before = StoreFixture.snapshot(store());
    assertThatThrownBy(() -> open(keyFile("other", SymmetricKey.random()), false))
        .isInstanceOf(KeyRefusedException.class)
        .hasMessageContaining("key " + key.id());
    assertThat(StoreFixture.snapshot(store())).isEqualTo(before);
  }

  @Test
  void newKeyOverFullStoreStartsLoudlyAndLinkingTheOldKeyBringsBackItsBackups() throws Exception {
    SymmetricKey old = fullLegacyStore();
    Path fresh = dir.resolve("fresh.key");
    KeySetup.Opened o = open(fresh, true);
    SymmetricKey k = o.keys().current();
    assertThat(k).isNotEqualTo(old);
    assertThat(o.warnings())
        .anyMatch(
            w ->
                w.contains("NEW backup master key " + k.id())
                    && w.contains("1 backup and 1 PITR archive")
                    && w.contains(old.id()));
    BackupRepository repo = new BackupRepository(store(), o.keys());
    String manifest = repo.listManifests().get(0);
    assertThatThrownBy(() -> repo.readManifest(manifest)).isInstanceOf(WrongKeyException.class);
    // The old key is refused from now on: it was replaced, and the message says by which key.
    assertThatThrownBy(() -> open(keyFile("old.key", old), false))
        .isInstanceOf(KeyRefusedException.class)
        .hasMessageContaining("which key " + k.id() + " replaced");
    StoreKeys.putChain(store(), k, old);
    BackupRepository linked = new BackupRepository(store(), open(fresh, false).keys());
    assertThat(linked.verify(manifest).ok()).isTrue();
  }

  @Test
  void newKeyNeverOverwritesAnExistingKeyFile() throws Exception {
    fullLegacyStore();
    Path existing = keyFile("existing.key", SymmetricKey.random());
    Map<String, String> before = StoreFixture.snapshot(store());
    assertThatThrownBy(() -> open(existing, true))
        .isInstanceOf(KeyRefusedException.class)
        .hasMessageContaining("already configured");
    assertThat(StoreFixture.snapshot(store())).isEqualTo(before);
  }

  @Test
  void newKeyOnEmptyStoreIsAnOrdinaryStart() throws Exception {
    KeySetup.Opened o = open(null, true);
    assertThat(StoreKeys.records(store())).hasSize(1);
    assertThat(o.warnings()).anyMatch(w -> w.contains("--new-backup-key"));
  }
}
