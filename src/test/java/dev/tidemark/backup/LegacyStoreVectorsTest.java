package dev.tidemark.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.store.DirectoryObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Protects I3 across the change of object format: a backup store written by the version-1 writer
 * (frozen in {@code src/test/resources/backup-vectors/v1/store}: a manifest, three data objects,
 * the table key and a table object such as a PITR segment) is read and verified by this server, and
 * a new backup into that store, which writes version-2 objects beside the old ones and reuses an
 * unchanged old object, reads and verifies too.
 */
public class LegacyStoreVectorsTest {
  /** The master key the frozen vectors were written with. */
  public static final SymmetricKey MASTER = SymmetricKey.of(masterBytes());

  private static final String TABLE = "table-1";
  private static final String BACKUP = "01700000000000-0a0b0c0d";

  @TempDir Path dir;

  private static byte[] masterBytes() {
    byte[] k = new byte[32];
    for (int i = 0; i < 32; i++) {
      k[i] = (byte) (i * 7 + 1);
    }
    return k;
  }

  /** The plaintexts of the vectors: the same seeded bytes the version-1 writer was given. */
  public static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private DirectoryObjectStore copy() throws IOException, URISyntaxException {
    Path from =
        Path.of(LegacyStoreVectorsTest.class.getResource("/backup-vectors/v1/store").toURI());
    Path to = dir.resolve("store");
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
    return new DirectoryObjectStore(to);
  }

  private static byte[] read(BackupRepository repo, Manifest m, DataObjectRef ref)
      throws IOException {
    try (InputStream in = repo.openObject(m, ref)) {
      return in.readAllBytes();
    }
  }

  @Test
  void aVersionOneStoreReadsAndVerifies() throws Exception {
    DirectoryObjectStore store = copy();
    for (String name : store.list("")) {
      if (!name.endsWith("/key")) {
        assertThat(store.getBytes(name)[4]).as(name).isEqualTo((byte) 1);
      }
    }
    BackupRepository repo = new BackupRepository(store, MASTER);
    String manifestName = "manifests/" + TABLE + "/" + BACKUP;
    assertThat(repo.listManifests()).containsExactly(manifestName);
    Manifest m = repo.readManifest(manifestName);
    assertThat(m.metadata().backupArn()).endsWith(BACKUP);
    List<DataObjectRef> refs = m.objects();
    assertThat(read(repo, m, refs.get(0))).isEqualTo(bytes(5000, 1));
    assertThat(read(repo, m, refs.get(1))).isEmpty();
    assertThat(read(repo, m, refs.get(2))).isEqualTo(bytes(140_000, 3));
    assertThat(repo.getTableObject(TABLE, "pitr/table-1/segment-0001")).isEqualTo(bytes(3000, 4));
    VerifyResult v = repo.verify(manifestName);
    assertThat(v.ok()).as(v.summary()).isTrue();
    assertThat(v.objectsChecked()).isEqualTo(3);

    // A new backup into the old store: new objects are version 2, an unchanged one is reused.
    String second = "01800000000000-0e0f1011";
    Manifest m2;
    try (BackupWriter w = repo.begin(TABLE, second)) {
      w.addObject("items", ObjectSource.of(bytes(5000, 1)));
      w.addObject("items", ObjectSource.of(bytes(70_000, 6)));
      m2 = w.commit(Fixtures.metadata(TABLE, second));
    }
    assertThat(m2.objects().get(0).name()).isEqualTo(refs.get(0).name());
    assertThat(store.getBytes(m2.objects().get(1).name())[4]).isEqualTo((byte) 2);
    assertThat(store.getBytes("manifests/" + TABLE + "/" + second)[4]).isEqualTo((byte) 2);
    BackupRepository fresh = new BackupRepository(store, MASTER);
    Manifest read2 = fresh.readManifest("manifests/" + TABLE + "/" + second);
    assertThat(read(fresh, read2, read2.objects().get(1))).isEqualTo(bytes(70_000, 6));
    assertThat(fresh.verify("manifests/" + TABLE + "/" + second).ok()).isTrue();
    assertThat(fresh.verify(manifestName).ok()).isTrue();
  }
}
