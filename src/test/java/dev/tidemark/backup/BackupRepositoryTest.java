package dev.tidemark.backup;

import static dev.tidemark.backup.Fixtures.bytes;
import static dev.tidemark.backup.Fixtures.metadata;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.crypto.WrongKeyException;
import dev.tidemark.backup.store.DirectoryObjectStore;
import dev.tidemark.backup.store.FaultyObjectStore;
import dev.tidemark.backup.store.MemoryObjectStore;
import dev.tidemark.backup.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupRepositoryTest {
  private static final String T = "table-1";
  private final SymmetricKey master = SymmetricKey.random();
  private final MemoryObjectStore memory = new MemoryObjectStore();
  private final BackupRepository repo = new BackupRepository(memory, master, 1024);

  private Manifest backup(BackupRepository r, String backupId, byte[]... objects)
      throws IOException {
    try (BackupWriter w = r.begin(T, backupId)) {
      for (byte[] o : objects) {
        w.addObject("items", ObjectSource.of(o));
      }
      return w.commit(metadata(T, backupId));
    }
  }

  private static byte[] readAll(BackupRepository r, Manifest m, DataObjectRef ref)
      throws IOException {
    try (InputStream in = r.openObject(m, ref)) {
      return in.readAllBytes();
    }
  }

  // The store alone restores a backup: manifest and objects read back exactly as written.
  @Test
  void writeThenReadBack() throws IOException {
    byte[] a = bytes(5000, 1);
    byte[] b = bytes(0, 2);
    Manifest written = backup(repo, "b1", a, b);
    BackupRepository fresh = new BackupRepository(memory, master);
    assertThat(fresh.listManifests()).containsExactly("manifests/table-1/b1");
    Manifest read = fresh.readManifest("manifests/table-1/b1");
    assertThat(read).isEqualTo(written);
    assertThat(read.metadata().position()).isEqualTo(new LogPosition(42, 1_700_000_000_000L));
    assertThat(readAll(fresh, read, read.objects().get(0))).isEqualTo(a);
    assertThat(readAll(fresh, read, read.objects().get(1))).isEqualTo(b);
  }

  // Unchanged data is stored once: a second backup costs only its changed objects (and manifest).
  @Test
  void secondBackupStoresOnlyChangedObjects() throws IOException {
    byte[] a = bytes(20_000, 1);
    byte[] b = bytes(20_000, 2);
    byte[] c1 = bytes(20_000, 3);
    byte[] c2 = bytes(20_000, 4);
    backup(repo, "b1", a, b, c1);
    long afterFirst = memory.totalBytes();
    long dataAfterFirst = memory.list("tables/" + T + "/data/").size();
    Manifest second;
    try (BackupWriter w = repo.begin(T, "b2")) {
      w.addObject("items", ObjectSource.of(a));
      w.addObject("items", ObjectSource.of(b));
      w.addObject("items", ObjectSource.of(c2));
      assertThat(w.uploadedObjects()).isEqualTo(1);
      assertThat(w.reusedObjects()).isEqualTo(2);
      second = w.commit(metadata(T, "b2"));
    }
    long manifestSize = memory.size(second.manifestName()).getAsLong();
    long c2Stored = second.objects().get(2).storedSize();
    assertThat(memory.totalBytes() - afterFirst).isEqualTo(c2Stored + manifestSize);
    assertThat(memory.list("tables/" + T + "/data/")).hasSize((int) dataAfterFirst + 1);
  }

  // Deleting a backup frees exactly the objects no other backup uses; the other stays intact.
  @Test
  void deleteKeepsSharedObjects() throws IOException {
    byte[] shared = bytes(3000, 1);
    Manifest m1 = backup(repo, "b1", shared, bytes(3000, 2));
    Manifest m2 = backup(repo, "b2", shared, bytes(3000, 3));
    BackupRepository.DeleteResult r = repo.deleteBackup(m1.manifestName());
    assertThat(r.keptObjects()).containsExactly(m1.objects().get(0).name());
    assertThat(r.deletedObjects()).containsExactly(m1.objects().get(1).name());
    assertThat(memory.exists(m1.manifestName())).isFalse();
    assertThat(repo.verify(m2.manifestName()).ok()).isTrue();
    repo.deleteBackup(m2.manifestName());
    assertThat(memory.list("tables/" + T + "/data/")).isEmpty();
    assertThat(memory.list("manifests/")).isEmpty();
  }

  // If another manifest cannot be read, its references are unknown, so nothing is deleted.
  @Test
  void deleteDeletesNoDataWhileAnotherManifestIsUnreadable() throws IOException {
    Manifest m1 = backup(repo, "b1", bytes(3000, 1));
    Manifest m2 = backup(repo, "b2", bytes(3000, 2));
    byte[] raw = memory.rawBytes(m2.manifestName());
    raw[raw.length - 1] ^= 1;
    memory.tamper(m2.manifestName(), raw);
    BackupRepository.DeleteResult r = repo.deleteBackup(m1.manifestName());
    assertThat(r.deletedObjects()).isEmpty();
    assertThat(r.unreadableManifests()).containsExactly(m2.manifestName());
    assertThat(memory.exists(m1.objects().get(0).name())).isTrue();
  }

  // A backup that never committed does not exist, and its uploads are collectable garbage.
  @Test
  void abandonedBackupLeavesOnlyCollectableObjects() throws IOException {
    Manifest kept = backup(repo, "b1", bytes(3000, 1));
    try (BackupWriter w = repo.begin(T, "b2")) {
      w.addObject("items", ObjectSource.of(bytes(3000, 1)));
      w.addObject("items", ObjectSource.of(bytes(3000, 2)));
    }
    assertThat(repo.listManifests()).containsExactly(kept.manifestName());
    BackupRepository.DeleteResult r = repo.collectOrphans(T);
    assertThat(r.deletedObjects()).hasSize(1);
    assertThat(r.keptObjects()).containsExactly(kept.objects().get(0).name());
    assertThat(repo.verify(kept.manifestName()).ok()).isTrue();
  }

  // A failed manifest write means no backup: the manifest is the commit point.
  @Test
  void failedManifestPutMeansNoBackup() throws IOException {
    FaultyObjectStore faulty =
        new FaultyObjectStore(memory).failPuts(n -> n.startsWith(BackupLayout.MANIFESTS));
    BackupRepository r = new BackupRepository(faulty, master, 1024);
    assertThatThrownBy(() -> backup(r, "b1", bytes(3000, 1))).isInstanceOf(IOException.class);
    assertThat(r.listManifests()).isEmpty();
    faulty.heal();
    // The id is free again, and the retry reuses the object uploaded by the failed attempt.
    try (BackupWriter w = r.begin(T, "b1")) {
      w.addObject("items", ObjectSource.of(bytes(3000, 1)));
      assertThat(w.reusedObjects()).isEqualTo(1);
      w.commit(metadata(T, "b1"));
    }
    assertThat(r.verify("manifests/table-1/b1").ok()).isTrue();
  }

  // A full disk mid-upload fails the backup without leaving a partial object or a manifest.
  @Test
  void diskFullDuringDataUpload() throws IOException {
    FaultyObjectStore faulty = new FaultyObjectStore(memory);
    BackupRepository r = new BackupRepository(faulty, master, 1024);
    r.begin(T, "warmup").close(); // creates the table key object before the disk fills
    faulty.diskFullAfter(10_000);
    assertThatThrownBy(() -> backup(r, "b1", bytes(4000, 1), bytes(8000, 2)))
        .hasMessageContaining("No space left on device");
    assertThat(r.listManifests()).isEmpty();
    for (String name : memory.list("tables/" + T + "/data/")) {
      assertThat(memory.size(name).getAsLong()).isLessThan(5000); // only the complete first one
    }
  }

  // Content that changes between the hashing pass and the upload is never stored under the
  // first pass's name.
  @Test
  void sourceChangingDuringBackupIsRefused() throws IOException {
    AtomicInteger opens = new AtomicInteger();
    ObjectSource unstable =
        () -> new java.io.ByteArrayInputStream(bytes(3000, opens.incrementAndGet()));
    try (BackupWriter w = repo.begin(T, "b1")) {
      assertThatThrownBy(() -> w.addObject("items", unstable)).hasMessageContaining("changed");
    }
    assertThat(memory.list("tables/" + T + "/data/")).isEmpty();
  }

  // Backup ids are unique per table; a second begin for the same id is refused.
  @Test
  void refusesExistingBackupId() throws IOException {
    backup(repo, "b1", bytes(10, 1));
    assertThatThrownBy(() -> repo.begin(T, "b1")).hasMessageContaining("already exists");
  }

  // The wrong master key is reported with the backup's name and both key ids.
  @Test
  void wrongMasterKeyNamesTheBackup() throws IOException {
    backup(repo, "b1", bytes(10, 1));
    SymmetricKey other = SymmetricKey.random();
    assertThatThrownBy(
            () -> new BackupRepository(memory, other).readManifest("manifests/table-1/b1"))
        .isInstanceOf(WrongKeyException.class)
        .hasMessage(
            "backup manifests/table-1/b1 was encrypted with key "
                + master.id()
                + ", but the configured key is "
                + other.id());
  }

  // GC must not delete objects an open writer has reused but not yet referenced in a manifest.
  @Test
  void deleteWaitsForOpenWriters() throws Exception {
    byte[] shared = bytes(3000, 1);
    Manifest m1 = backup(repo, "b1", shared);
    BackupWriter w = repo.begin(T, "b2");
    w.addObject("items", ObjectSource.of(shared)); // reused, referenced only by b1 so far
    CompletableFuture<BackupRepository.DeleteResult> delete =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return repo.deleteBackup(m1.manifestName());
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    Thread.sleep(100);
    assertThat(delete).isNotDone();
    w.commit(metadata(T, "b2"));
    assertThat(delete.get(5, TimeUnit.SECONDS).keptObjects()).hasSize(1);
    assertThat(repo.verify("manifests/table-1/b2").ok()).isTrue();
  }

  // I7: no item data, table names or schema text appear anywhere in the store's files.
  @Test
  void noPlaintextInStore(@TempDir Path dir) throws IOException {
    ObjectStore store = new DirectoryObjectStore(dir);
    BackupRepository r = new BackupRepository(store, master, 4096);
    List<String> secrets = new ArrayList<>(List.of("Music", "PAY_PER_REQUEST", "nightly"));
    for (int i = 0; i < 3; i++) {
      secrets.add("top-secret-item-" + i);
    }
    try (BackupWriter w = r.begin(T, "b1")) {
      for (String s : secrets.subList(3, 6)) {
        // Repeated so that any ECB-like leak of equal blocks would also show up.
        w.addObject("items", ObjectSource.of(Fixtures.text(s.repeat(2000))));
      }
      w.commit(metadata(T, "b1"));
    }
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files = s.filter(Files::isRegularFile).toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(5);
    for (Path f : files) {
      String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
      for (String secret : secrets) {
        assertThat(content).as(f.toString()).doesNotContain(secret);
        assertThat(f.toString()).doesNotContain(secret);
      }
    }
  }

  // Protects parallel uploads: objects submitted in the background (several in flight, finishing
  // in any order) are listed in the manifest in the order they were submitted, and all are stored
  // and read back before the manifest exists.
  @Test
  void submittedObjectsKeepTheirOrder() throws IOException {
    List<byte[]> objects = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      objects.add(bytes(1000 + 97 * (i % 7), 100 + i));
    }
    Manifest m;
    try (BackupWriter w = repo.begin(T, "parallel")) {
      for (byte[] o : objects) {
        w.submit("items", ObjectSource.of(o));
      }
      m = w.commit(metadata(T, "parallel"));
      assertThat(w.uploadedObjects()).isEqualTo(40);
    }
    assertThat(m.objects()).hasSize(40);
    for (int i = 0; i < 40; i++) {
      assertThat(readAll(repo, m, m.objects().get(i))).as("object %d", i).isEqualTo(objects.get(i));
    }
  }

  // Protects "AVAILABLE only when whole": one submitted object failing fails the commit, and no
  // manifest is written, whichever objects around it were stored.
  @Test
  void aFailedSubmittedObjectFailsTheBackup() throws IOException {
    byte[] poisoned = bytes(3000, 7);
    String poisonedName;
    try (BackupWriter probe = repo.begin(T, "probe")) {
      poisonedName = probe.addObject("items", ObjectSource.of(poisoned)).name();
    }
    memory.delete(poisonedName);
    FaultyObjectStore faulty = new FaultyObjectStore(memory).failPuts(poisonedName::equals);
    BackupRepository r = new BackupRepository(faulty, master, 1024);
    try (BackupWriter w = r.begin(T, "broken")) {
      for (int i = 0; i < 20; i++) {
        w.submit("items", ObjectSource.of(i == 10 ? poisoned : bytes(2000, 200 + i)));
      }
      assertThatThrownBy(() -> w.commit(metadata(T, "broken"))).isInstanceOf(IOException.class);
    } catch (IOException e) {
      // The failure may also surface at a later submit, once the upload has failed.
    }
    assertThat(memory.exists("manifests/" + T + "/broken")).isFalse();
    assertThat(r.listManifests()).isEmpty();
  }

  // Protects the per-object cost on object storage (a size request is a HEAD on S3): a backup
  // learns which of its data objects are stored from one listing of the table's data, not a
  // request per object, and still deduplicates against it, against content repeated within the
  // backup, and checks the objects it takes over from an earlier backup.
  @Test
  void dataObjectsAreLookedUpInOneListing() throws IOException {
    AtomicInteger dataSizeRequests = new AtomicInteger();
    AtomicInteger listings = new AtomicInteger();
    ObjectStore counted =
        new ObjectStore() {
          @Override
          public dev.tidemark.backup.store.PendingObject create(String name) throws IOException {
            return memory.create(name);
          }

          @Override
          public InputStream get(String name) throws IOException {
            return memory.get(name);
          }

          @Override
          public java.util.OptionalLong size(String name) {
            if (name.contains("/data/")) {
              dataSizeRequests.incrementAndGet();
            }
            return memory.size(name);
          }

          @Override
          public List<String> list(String prefix) {
            return memory.list(prefix);
          }

          @Override
          public java.util.Map<String, Long> sizes(String prefix) throws IOException {
            listings.incrementAndGet();
            return ObjectStore.super.sizes(prefix);
          }

          @Override
          public boolean delete(String name) {
            return memory.delete(name);
          }
        };
    BackupRepository r = new BackupRepository(counted, master, 1024);
    byte[] a = bytes(20_000, 1);
    byte[] b = bytes(20_000, 2);
    Manifest first = backup(r, "b1", a, b, a);
    assertThat(memory.list("tables/" + T + "/data/")).hasSize(2);
    Manifest second;
    try (BackupWriter w = r.begin(T, "b2")) {
      w.reference(first.objects().get(0));
      w.addObject("items", ObjectSource.of(b));
      w.addObject("items", ObjectSource.of(bytes(20_000, 3)));
      second = w.commit(metadata(T, "b2"));
      assertThat(w.uploadedObjects()).isEqualTo(1);
      assertThat(w.reusedObjects()).isEqualTo(2);
    }
    assertThat(memory.list("tables/" + T + "/data/")).hasSize(3);
    assertThat(listings.get()).isEqualTo(2);
    // The default sizes() asks per listed name; beyond that, no object was asked about alone.
    assertThat(dataSizeRequests.get()).isEqualTo(2);
    assertThat(readAll(r, second, second.objects().get(1))).isEqualTo(b);

    // A reference to an object that is gone still fails the backup.
    memory.delete(second.objects().get(2).name());
    try (BackupWriter w = r.begin(T, "b3")) {
      w.reference(second.objects().get(2));
      assertThatThrownBy(() -> w.commit(metadata(T, "b3"))).hasMessageContaining("is missing");
    }
  }
}
