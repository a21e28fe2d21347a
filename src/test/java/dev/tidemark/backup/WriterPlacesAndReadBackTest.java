package dev.tidemark.backup;

import static dev.tidemark.backup.Fixtures.bytes;
import static dev.tidemark.backup.Fixtures.metadata;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.store.FaultyObjectStore;
import dev.tidemark.backup.store.MemoryObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Protects the two ways of writing that the AWS Backup copy and the cold tier now use: places
 * reserved in manifest order and filled from several threads in any order (a copy's objects as they
 * arrive), with content whose SHA-256 is not the expected one refused before anything is uploaded;
 * and objects read back (decrypted, size and SHA-256 checked) as they are written, so that an
 * object the store garbles fails the backup before its manifest exists. A place's object is read
 * back too, compared byte for byte with the ciphertext that was sent when the place uploaded it,
 * decrypted and checked when the store held it already.
 */
class WriterPlacesAndReadBackTest {
  private static final String T = "table-1";
  private final SymmetricKey master = SymmetricKey.random();
  private final MemoryObjectStore memory = new MemoryObjectStore();
  private final FaultyObjectStore faulty = new FaultyObjectStore(memory);
  private final BackupRepository repo = new BackupRepository(faulty, master, 1024);

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
  }

  private byte[] read(Manifest m, int i) throws IOException {
    try (InputStream in = repo.openObject(m, m.objects().get(i))) {
      return in.readAllBytes();
    }
  }

  @Test
  void placesFilledInAnyOrderFromSeveralThreadsKeepTheirManifestOrder() throws Exception {
    List<byte[]> objects = List.of(bytes(5000, 1), bytes(7000, 2), bytes(0, 3), bytes(9000, 4));
    Manifest m;
    try (BackupWriter w = repo.begin(T, "b1")) {
      List<BackupWriter.Place> places =
          List.of(w.reserve(), w.reserve(), w.reserve(), w.reserve(), w.reserve());
      CompletableFuture<?>[] stores = new CompletableFuture<?>[4];
      for (int i = 3; i >= 0; i--) {
        int n = i;
        stores[n] =
            CompletableFuture.runAsync(
                () -> {
                  try {
                    places.get(n).store("items", objects.get(n), sha256(objects.get(n)));
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                });
      }
      CompletableFuture.allOf(stores).join();
      // A repeated entry: the same object as the first place's.
      DataObjectRef first = places.get(0).store("items", objects.get(0), sha256(objects.get(0)));
      places.get(4).same(first);
      m = w.commit(metadata(T, "b1"));
    }
    assertThat(m.objects()).hasSize(5);
    for (int i = 0; i < 4; i++) {
      assertThat(read(m, i)).isEqualTo(objects.get(i));
    }
    assertThat(m.objects().get(4).name()).isEqualTo(m.objects().get(0).name());
    assertThat(repo.verify(m.manifestName()).ok()).isTrue();
  }

  @Test
  void contentWithAnotherSha256IsRefusedBeforeAnythingIsUploaded() throws Exception {
    byte[] content = bytes(5000, 1);
    String wrong = sha256(bytes(5000, 2));
    try (BackupWriter w = repo.begin(T, "b1")) {
      BackupWriter.Place p = w.reserve();
      assertThatThrownBy(() -> p.store("items", content, wrong))
          .isInstanceOf(BackupWriter.UnexpectedContent.class);
    }
    assertThat(memory.list(BackupLayout.dataPrefix(T))).isEmpty();
    assertThat(memory.list(BackupLayout.MANIFESTS)).isEmpty();
  }

  @Test
  void anObjectTheStoreGarblesFailsTheBackupBeforeItsManifest() throws Exception {
    faulty.corruptWrites(name -> name.contains("/data/"));
    try (BackupWriter w = repo.begin(T, "b1")) {
      w.submitReadBack("items", () -> ObjectSource.of(bytes(50_000, 1)));
      assertThatThrownBy(() -> w.commit(metadata(T, "b1"))).isInstanceOf(IOException.class);
    }
    assertThat(memory.list(BackupLayout.MANIFESTS)).isEmpty();
    // Once the garbled orphan is collected, the same backup written faithfully commits, and only
    // the listing is left to check.
    faulty.heal();
    repo.collectOrphans(T);
    byte[] content = bytes(50_000, 1);
    Manifest m;
    try (BackupWriter w = repo.begin(T, "b2")) {
      w.submitReadBack("items", () -> ObjectSource.of(content));
      m = w.commit(metadata(T, "b2"));
    }
    assertThat(read(m, 0)).isEqualTo(content);
    assertThat(repo.verifyPresent(m.manifestName(), m).ok()).isTrue();
    // verifyPresent catches an object gone after it was read back.
    memory.delete(m.objects().get(0).name());
    assertThat(repo.verifyPresent(m.manifestName(), m).problems())
        .extracting(VerifyResult.Problem::kind)
        .containsExactly(VerifyResult.Kind.MISSING);
  }

  /** A copy's object that the store garbles is caught by the read-back of its place. */
  @Test
  void aPlacesObjectTheStoreGarblesIsCaughtByItsReadBack() throws Exception {
    faulty.corruptWrites(name -> name.contains("/data/"));
    byte[] content = bytes(50_000, 7);
    try (BackupWriter w = repo.begin(T, "b1")) {
      BackupWriter.Place p = w.reserve();
      assertThatThrownBy(() -> p.store("items", content, sha256(content)))
          .isInstanceOf(IOException.class)
          .isNotInstanceOf(BackupWriter.UnexpectedContent.class);
    }
    assertThat(memory.list(BackupLayout.MANIFESTS)).isEmpty();
  }

  /** A store that hands back other bytes than it was given fails the place, whatever it stored. */
  @Test
  void aPlacesObjectReadBackWithAByteChangedOrMissingFailsThePlace() throws Exception {
    byte[] content = bytes(50_000, 8);
    for (Runnable fault :
        List.<Runnable>of(
            () -> faulty.corruptReads(name -> name.contains("/data/")),
            () -> faulty.truncateReads(name -> name.contains("/data/")))) {
      faulty.heal();
      repo.collectOrphans(T);
      fault.run();
      try (BackupWriter w = repo.begin(T, "b1")) {
        BackupWriter.Place p = w.reserve();
        assertThatThrownBy(() -> p.store("items", content, sha256(content)))
            .isInstanceOf(IOException.class)
            .isNotInstanceOf(BackupWriter.UnexpectedContent.class)
            .hasMessageContaining(BackupLayout.dataPrefix(T));
      }
      assertThat(memory.list(BackupLayout.MANIFESTS)).isEmpty();
    }
  }

  /**
   * An object the store already holds (an earlier copy wrote it) was not encrypted by this writer,
   * so there is no ciphertext to compare: it is decrypted and checked against the entry, and one
   * the store has garbled since fails the place.
   */
  @Test
  void aPlaceFindingItsObjectStoredAlreadyDecryptsAndChecksIt() throws Exception {
    byte[] content = bytes(50_000, 9);
    Manifest first;
    try (BackupWriter w = repo.begin(T, "b1")) {
      w.reserve().store("items", content, sha256(content));
      first = w.commit(metadata(T, "b1"));
    }
    String name = first.objects().get(0).name();
    // Found, whole: the second backup takes it over.
    Manifest second;
    try (BackupWriter w = repo.begin(T, "b2")) {
      w.reserve().store("items", content, sha256(content));
      second = w.commit(metadata(T, "b2"));
      assertThat(w.reusedObjects()).isEqualTo(1);
    }
    assertThat(second.objects().get(0).name()).isEqualTo(name);
    assertThat(read(second, 0)).isEqualTo(content);
    // Found, garbled: its decryption fails the place.
    faulty.corruptReads(n -> n.equals(name));
    try (BackupWriter w = repo.begin(T, "b3")) {
      BackupWriter.Place p = w.reserve();
      assertThatThrownBy(() -> p.store("items", content, sha256(content)))
          .isInstanceOf(IOException.class)
          .isNotInstanceOf(BackupWriter.UnexpectedContent.class);
    }
  }
}
