package dev.tidemark.backup.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.backup.BackupRepository;
import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.store.DirectoryObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19, rule 4: the master key is recoverable from the store with a passphrase; several
 * passphrases can be added and removed; a wrong passphrase is refused with a clear message and
 * changes nothing.
 */
class PassphrasesTest {
  @TempDir Path dir;

  @Test
  void eachPassphraseRecoversTheKeyUntilRemoved() throws Exception {
    DirectoryObjectStore store = new DirectoryObjectStore(dir.resolve("store"));
    SymmetricKey key = SymmetricKey.random();
    int gen = StoreKeys.currentOrAdopt(store, key, 1).generation();
    String alice = Passphrases.add(store, key, gen, "alice's long passphrase", 2);
    String bob = Passphrases.add(store, key, gen, "bob's other passphrase", 3);
    assertThat(Passphrases.recover(store, "alice's long passphrase", "s")).isEqualTo(key);
    assertThat(Passphrases.recover(store, "bob's other passphrase", "s")).isEqualTo(key);
    assertThat(Passphrases.slots(store)).extracting(Passphrases.Slot::slotId).contains(alice, bob);
    // No passphrase in the clear anywhere in the store. The whole phrases are looked for (an
    // apostrophe and spaces, which no base64 field holds): "bob" alone turned up by chance in a
    // random public key's base64 once in a CI run.
    for (String n : store.list("")) {
      String content = new String(store.getBytes(n), java.nio.charset.StandardCharsets.ISO_8859_1);
      assertThat(content)
          .doesNotContain("alice's long passphrase")
          .doesNotContain("bob's other passphrase");
    }
    assertThat(Passphrases.remove(store, alice)).isTrue();
    assertThatThrownBy(() -> Passphrases.recover(store, "alice's long passphrase", "STORE"))
        .isInstanceOf(KeyRefusedException.class)
        .hasMessageContaining("the recovery passphrase is wrong")
        .hasMessageContaining("1 passphrase slot ")
        .hasMessageContaining("STORE");
    assertThat(Passphrases.recover(store, "bob's other passphrase", "s")).isEqualTo(key);
    assertThatThrownBy(() -> Passphrases.add(store, key, gen, "short", 4))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void serverWithOnlyStoreAndPassphraseOpensItAndAWrongOneIsRefused() throws Exception {
    DirectoryObjectStore store = new DirectoryObjectStore(dir.resolve("store"));
    SymmetricKey key = SymmetricKey.random();
    int gen = StoreKeys.currentOrAdopt(store, key, 1).generation();
    BackupRepository repo = new BackupRepository(store, key);
    StoreFixture.backup(repo, "t1", "01700000000000-00000001");
    Passphrases.add(store, key, gen, "the right passphrase", 2);
    Path good = dir.resolve("good.txt");
    Files.writeString(good, "the right passphrase\n");
    Map<String, String> before = StoreFixture.snapshot(store);
    KeySetup.Options wrong =
        new KeySetup.Options(
            null,
            dir.resolve("none.key"),
            false,
            null,
            Map.of(KeySetup.PASSPHRASE_ENV, "not the passphrase"),
            "STORE");
    assertThatThrownBy(() -> KeySetup.open(store, wrong, () -> 5))
        .isInstanceOf(KeyRefusedException.class)
        .hasMessageContaining("the recovery passphrase is wrong");
    assertThat(StoreFixture.snapshot(store)).isEqualTo(before);
    KeySetup.Opened o =
        KeySetup.open(
            store,
            new KeySetup.Options(null, dir.resolve("none.key"), false, good, Map.of(), "STORE"),
            () -> 5);
    assertThat(o.keys().current()).isEqualTo(key);
    assertThat(Files.exists(dir.resolve("none.key"))).as("key held in memory only").isFalse();
    assertThat(new BackupRepository(store, o.keys()).verify(repo.listManifests().get(0)).ok())
        .isTrue();
  }
}
