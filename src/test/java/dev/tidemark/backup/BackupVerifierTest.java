package dev.tidemark.backup;

import static dev.tidemark.backup.Fixtures.bytes;
import static dev.tidemark.backup.Fixtures.metadata;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.backup.VerifyResult.Kind;
import dev.tidemark.backup.crypto.CorruptObjectException;
import dev.tidemark.backup.crypto.ObjectHeader;
import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.store.MemoryObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BackupVerifierTest {
  private static final int CHUNK = 1024;
  private final SymmetricKey master = SymmetricKey.random();
  private final MemoryObjectStore store = new MemoryObjectStore();
  private final BackupRepository repo = new BackupRepository(store, master, CHUNK);
  private Manifest manifest;
  private String a;
  private String b;

  @BeforeEach
  void writeBackup() throws IOException {
    try (BackupWriter w = repo.begin("t1", "b1")) {
      a = w.addObject("items", ObjectSource.of(bytes(5000, 1))).name();
      b = w.addObject("items", ObjectSource.of(bytes(5000, 2))).name();
      manifest = w.commit(metadata("t1", "b1"));
    }
  }

  private VerifyResult verify() {
    return BackupVerifier.verify(store, manifest.manifestName(), master);
  }

  private void assertSingleProblem(String object, Kind kind) {
    VerifyResult r = verify();
    assertThat(r.ok()).isFalse();
    assertThat(r.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.objectName()).isEqualTo(object);
              assertThat(p.kind()).isEqualTo(kind);
              assertThat(p.message()).contains(object);
            });
    assertThat(r.summary()).contains(object);
  }

  // An intact backup verifies, counting every object.
  @Test
  void intactBackupVerifies() {
    VerifyResult r = verify();
    assertThat(r.ok()).as(r.summary()).isTrue();
    assertThat(r.objectsChecked()).isEqualTo(2);
    assertThat(r.plaintextBytesChecked()).isEqualTo(10_000);
  }

  // A flipped byte in a data object is an authentication failure naming that object.
  @Test
  void flippedByte() {
    byte[] raw = store.rawBytes(a);
    raw[ObjectHeader.LENGTH + 3000] ^= 0x40;
    store.tamper(a, raw);
    assertSingleProblem(a, Kind.CORRUPT);
  }

  // Truncation inside a chunk and at a chunk boundary are both reported as truncation.
  @Test
  void truncatedObject() {
    byte[] raw = store.rawBytes(b);
    store.tamper(b, Arrays.copyOf(raw, raw.length - 100));
    assertSingleProblem(b, Kind.TRUNCATED);
    store.tamper(b, Arrays.copyOf(raw, ObjectHeader.LENGTH + 2 * (CHUNK + 16)));
    assertSingleProblem(b, Kind.TRUNCATED);
  }

  // Bytes appended to an object are reported as trailing data, whichever format it has.
  @Test
  void appendedBytes() {
    byte[] raw = store.rawBytes(b);
    store.tamper(b, Arrays.copyOf(raw, raw.length + 17));
    assertSingleProblem(b, Kind.TRAILING_DATA);
  }

  // A missing data object is named.
  @Test
  void missingObject() throws IOException {
    store.delete(a);
    assertSingleProblem(a, Kind.MISSING);
  }

  // Two objects whose contents were swapped both fail: each is bound to its own name.
  @Test
  void swappedObjects() {
    byte[] rawA = store.rawBytes(a);
    byte[] rawB = store.rawBytes(b);
    store.tamper(a, rawB);
    store.tamper(b, rawA);
    VerifyResult r = verify();
    assertThat(r.problems()).extracting(VerifyResult.Problem::objectName).containsExactly(a, b);
    assertThat(r.problems()).allMatch(p -> p.kind() == Kind.CORRUPT);
  }

  // The wrong master key is one clear problem on the manifest, not a list of corrupt objects.
  @Test
  void wrongKey() {
    SymmetricKey other = SymmetricKey.random();
    VerifyResult r = BackupVerifier.verify(store, manifest.manifestName(), other);
    assertThat(r.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.kind()).isEqualTo(Kind.WRONG_KEY);
              assertThat(p.message())
                  .isEqualTo(
                      "backup manifests/t1/b1 was encrypted with key "
                          + master.id()
                          + ", but the configured key is "
                          + other.id());
            });
  }

  // Damage to the manifest itself is reported against the manifest.
  @Test
  void corruptManifest() {
    byte[] raw = store.rawBytes(manifest.manifestName());
    raw[raw.length - 20] ^= 1;
    store.tamper(manifest.manifestName(), raw);
    assertSingleProblem(manifest.manifestName(), Kind.CORRUPT);
  }

  // Verifying a backup that does not exist says so.
  @Test
  void missingManifest() throws IOException {
    store.delete(manifest.manifestName());
    assertSingleProblem(manifest.manifestName(), Kind.MISSING);
  }

  // One run reports every damaged object, not only the first.
  @Test
  void reportsAllProblems() throws IOException {
    store.delete(a);
    byte[] raw = store.rawBytes(b);
    raw[100] ^= 1;
    store.tamper(b, raw);
    assertThat(verify().problems())
        .extracting(VerifyResult.Problem::kind)
        .containsExactly(Kind.MISSING, Kind.CORRUPT);
  }

  // The restore path (openObject) fails on the same damage, with the object's name.
  @Test
  void restoreStreamFailsOnCorruption() {
    byte[] raw = store.rawBytes(a);
    raw[raw.length - 1] ^= 1;
    store.tamper(a, raw);
    assertThatThrownBy(
            () -> {
              try (InputStream in = repo.openObject(manifest, manifest.objects().get(0))) {
                in.readAllBytes();
              }
            })
        .isInstanceOf(CorruptObjectException.class)
        .hasMessageContaining(a);
  }
}
