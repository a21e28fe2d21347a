package dev.tidemark.backup.keys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.backup.BackupRepository;
import dev.tidemark.backup.crypto.MasterKeys;
import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.store.FaultyObjectStore;
import dev.tidemark.backup.store.MemoryObjectStore;
import dev.tidemark.backup.store.ObjectStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 19, rule 3: a rotation interrupted after any number of store writes (a kill -9 between any
 * two puts) leaves every backup and PITR object readable with the old key or the new one, and
 * running it again completes it. Rotation rewrites nothing: only new key objects appear.
 */
class KeyRotationTest {
  private static final SymmetricKey OLD = SymmetricKey.random();
  private static final SymmetricKey NEW = SymmetricKey.random();
  private static final String PASSPHRASE = "correct horse battery staple";

  /** Two tables with backups, one with only a PITR object, and a recovery passphrase. */
  private static MemoryObjectStore filledStore(boolean withPassphrase) throws IOException {
    MemoryObjectStore store = new MemoryObjectStore();
    StoreKeys.MasterRecord first = StoreKeys.currentOrAdopt(store, OLD, 1);
    BackupRepository repo = new BackupRepository(store, StoreKeys.ring(store, OLD));
    StoreFixture.backup(repo, "t1", "01700000000000-00000001");
    StoreFixture.backup(repo, "t1", "01700000000001-00000002");
    StoreFixture.backup(repo, "t2", "01700000000002-00000003");
    StoreFixture.pitrState(repo, "t3");
    if (withPassphrase) {
      Passphrases.add(store, OLD, first.generation(), PASSPHRASE, 2);
    }
    return store;
  }

  /** Every backup verifies and every PITR object decrypts with the key ring of {@code key}. */
  private static void readsEverything(ObjectStore store, SymmetricKey key) throws IOException {
    BackupRepository repo = new BackupRepository(store, StoreKeys.ring(store, key));
    List<String> manifests = repo.listManifests();
    assertThat(manifests).hasSizeGreaterThanOrEqualTo(3);
    for (String m : manifests) {
      assertThat(repo.verify(m).ok()).as("%s with key %s", m, key.id()).isTrue();
    }
    assertThat(repo.getTableObject("t3", "pitr/t3/state/0001")).isEqualTo("{}".getBytes());
  }

  @Test
  void crashAtEveryStepLeavesEverythingReadableAndRerunCompletes() throws Exception {
    int completedAt = -1;
    for (int puts = 0; puts < 50 && completedAt < 0; puts++) {
      MemoryObjectStore store = filledStore(false);
      List<String> before = store.list("");
      FaultyObjectStore crashing = new FaultyObjectStore(store).failAfterCommits(puts);
      try {
        KeyRotation.rotate(crashing, StoreKeys.ring(store, OLD), NEW, 10, line -> {});
        completedAt = puts;
      } catch (IOException crash) {
        // The process "died" after `puts` writes.
      }
      // Nothing that existed was changed or removed; only key objects were added.
      List<String> added = new ArrayList<>(store.list(""));
      assertThat(added).containsAll(before);
      added.removeAll(before);
      assertThat(added).allMatch(n -> n.startsWith("keys/") || n.matches("tables/t\\d/keys/.*"));
      // The store's key is the old one until the commit record, then the new one; either reads
      // everything, and the old key always reads the old backups.
      String current = StoreKeys.records(store).get(StoreKeys.records(store).size() - 1).keyId();
      assertThat(current).isIn(OLD.id(), NEW.id());
      readsEverything(store, current.equals(OLD.id()) ? OLD : NEW);
      readsEverything(store, OLD);
      // Resuming completes the rotation.
      KeyRotation.rotate(store, StoreKeys.ring(store, OLD), NEW, 20, line -> {});
      assertThat(StoreKeys.inspect(store).current().orElseThrow().keyId()).isEqualTo(NEW.id());
      readsEverything(store, NEW);
    }
    assertThat(completedAt).as("a rotation of this store takes a handful of writes").isPositive();
  }

  @Test
  void afterRotationNewBackupsUseTheNewKeyAndDataKeysAreRewrapped() throws Exception {
    MemoryObjectStore store = filledStore(true);
    KeyRotation.Result r =
        KeyRotation.rotate(store, StoreKeys.ring(store, OLD), NEW, 10, line -> {});
    assertThat(r.tablesRewrapped()).isEqualTo(3);
    assertThat(r.passphraseSlots()).isEqualTo(1);
    assertThat(r.generation()).isEqualTo(2);
    // Every table's data key now opens with the new key alone, without the chain.
    BackupRepository newOnly = new BackupRepository(store, MasterKeys.of(NEW));
    assertThat(newOnly.getTableObject("t3", "pitr/t3/state/0001")).isEqualTo("{}".getBytes());
    // A backup written after the rotation is under the new key; the old key cannot read it.
    BackupRepository repo = new BackupRepository(store, StoreKeys.ring(store, NEW));
    StoreFixture.backup(repo, "t1", "01700000000009-00000009");
    String fresh = "manifests/t1/01700000000009-00000009";
    assertThat(newOnly.verify(fresh).ok()).isTrue();
    assertThat(new BackupRepository(store, StoreKeys.ring(store, OLD)).verify(fresh).ok())
        .isFalse();
    // The passphrase now recovers the new key.
    assertThat(Passphrases.recover(store, PASSPHRASE, "s")).isEqualTo(NEW);
    // Running it again is a no-op.
    assertThat(
            KeyRotation.rotate(store, StoreKeys.ring(store, OLD), NEW, 30, line -> {})
                .alreadyDone())
        .isTrue();
  }

  @Test
  void rotatingTwiceChainsBackToTheFirstKey() throws Exception {
    MemoryObjectStore store = filledStore(false);
    KeyRotation.rotate(store, StoreKeys.ring(store, OLD), NEW, 10, line -> {});
    SymmetricKey third = SymmetricKey.random();
    KeyRotation.rotate(store, StoreKeys.ring(store, NEW), third, 20, line -> {});
    assertThat(StoreKeys.ring(store, third).ids()).contains(OLD.id(), NEW.id(), third.id());
    readsEverything(store, third);
  }
}
