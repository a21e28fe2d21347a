package dev.tidemark.backup.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.backup.crypto.CorruptObjectException.Reason;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Protects reading object format version 1, which servers before format version 2 wrote: the frozen
 * vectors (a whole backup store and a small-chunk object, written by the version-1 writer and
 * checked in) still decrypt and verify, and every tampering the format was built to catch is still
 * caught by the retained reader, with the same causes named.
 */
class LegacyFormatTest {
  private static final int CHUNK = 64 * 1024;
  private static final String NAME = "tables/t1/data/abc";
  private static final SymmetricKey KEY = SymmetricKey.random();

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  // Chunk-boundary sizes are where off-by-one errors in the final-chunk logic live.
  @ParameterizedTest
  @ValueSource(ints = {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 5 * 1024 * 1024 + 3})
  void roundTripsAtChunkBoundaries(int size) throws IOException {
    byte[] plain = random(size, size);
    byte[] stored = LegacyWriter.encrypt(KEY, NAME, plain, CHUNK);
    assertThat(stored.length).isEqualTo(LegacyWriter.storedSize(size, CHUNK));
    assertThat(ObjectEncryption.decrypt(KEY, NAME, stored)).isEqualTo(plain);
  }

  // Reading with arbitrary read splits gives the bytes written, whatever the chunk size.
  @Property(tries = 100)
  void streamingRead(
      @ForAll @IntRange(min = 0, max = 3000) int size,
      @ForAll @IntRange(min = 1, max = 300) int chunk,
      @ForAll @IntRange(min = 1, max = 700) int readSplit)
      throws IOException {
    byte[] plain = random(size, size * 31L + chunk);
    byte[] stored = LegacyWriter.encrypt(KEY, NAME, plain, chunk);
    assertThat((long) stored.length).isEqualTo(LegacyWriter.storedSize(size, chunk));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = new DecryptingInputStream(new ByteArrayInputStream(stored), KEY, NAME)) {
      byte[] buf = new byte[readSplit];
      for (int n; (n = in.read(buf)) >= 0; ) {
        out.write(buf, 0, n);
      }
    }
    assertThat(out.toByteArray()).isEqualTo(plain);
  }

  // Any single flipped bit, in the header or in any chunk, is detected and names the object.
  @Test
  void everyFlippedByteIsDetected() {
    int chunk = 16;
    byte[] stored = LegacyWriter.encrypt(KEY, NAME, random(100, 7), chunk);
    for (int i = 0; i < stored.length; i++) {
      byte[] bad = stored.clone();
      bad[i] ^= 0x01;
      assertThatThrownBy(() -> ObjectEncryption.decrypt(KEY, NAME, bad))
          .as("flip at %d", i)
          .isInstanceOfAny(CorruptObjectException.class, WrongKeyException.class)
          .hasMessageContaining(NAME);
    }
  }

  // Cutting an object after a whole chunk must not pass as a shorter valid object.
  @Test
  void truncationAtChunkBoundaryIsDetected() {
    int chunk = 16;
    byte[] stored = LegacyWriter.encrypt(KEY, NAME, random(100, 8), chunk);
    int sealedChunk = chunk + 16;
    for (int chunks = 0; chunks <= 6; chunks++) {
      byte[] cut = Arrays.copyOf(stored, ObjectHeader.LENGTH + chunks * sealedChunk);
      assertThatThrownBy(() -> ObjectEncryption.decrypt(KEY, NAME, cut))
          .as("cut after %d chunks", chunks)
          .isInstanceOfSatisfying(
              CorruptObjectException.class,
              e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED));
    }
  }

  // Dropping the final (partial) chunk is reported as truncation, not as generic corruption.
  @Test
  void droppedFinalChunkIsDetected() {
    int chunk = 16;
    byte[] stored = LegacyWriter.encrypt(KEY, NAME, random(40, 9), chunk); // 16+16+8
    byte[] dropped = Arrays.copyOf(stored, stored.length - (8 + 16));
    assertThatThrownBy(() -> ObjectEncryption.decrypt(KEY, NAME, dropped))
        .isInstanceOf(CorruptObjectException.class)
        .hasMessageContaining("not its final chunk");
  }

  // A cut inside a chunk is detected too.
  @Test
  void truncationInsideChunkIsDetected() {
    byte[] stored = LegacyWriter.encrypt(KEY, NAME, random(100, 10), 16);
    for (int len = ObjectHeader.LENGTH + 1; len < stored.length; len += 5) {
      byte[] cut = Arrays.copyOf(stored, len);
      assertThatThrownBy(() -> ObjectEncryption.decrypt(KEY, NAME, cut))
          .isInstanceOf(CorruptObjectException.class);
    }
  }

  // Reordering chunks fails authentication because the chunk index is bound in.
  @Test
  void swappedChunksAreDetected() {
    int chunk = 16;
    int sealed = chunk + 16;
    byte[] stored = LegacyWriter.encrypt(KEY, NAME, random(100, 11), chunk);
    byte[] swapped = stored.clone();
    int a = ObjectHeader.LENGTH;
    int b = a + sealed;
    System.arraycopy(stored, b, swapped, a, sealed);
    System.arraycopy(stored, a, swapped, b, sealed);
    assertThatThrownBy(() -> ObjectEncryption.decrypt(KEY, NAME, swapped))
        .isInstanceOfSatisfying(
            CorruptObjectException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.AUTHENTICATION_FAILED));
  }

  // Bytes appended after a full-size final chunk are reported as trailing data.
  @Test
  void appendedDataIsDetected() {
    int chunk = 16;
    byte[] stored = LegacyWriter.encrypt(KEY, NAME, random(64, 12), chunk);
    byte[] appended = Arrays.copyOf(stored, stored.length + 32);
    assertThatThrownBy(() -> ObjectEncryption.decrypt(KEY, NAME, appended))
        .isInstanceOfSatisfying(
            CorruptObjectException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.TRAILING_DATA));
    byte[] oneByte = Arrays.copyOf(stored, stored.length + 1);
    assertThatThrownBy(() -> ObjectEncryption.decrypt(KEY, NAME, oneByte))
        .isInstanceOf(CorruptObjectException.class);
  }

  // An object copied to another name (say, swapped with another data object) does not decrypt.
  @Test
  void objectBoundToItsName() {
    byte[] stored = LegacyWriter.encrypt(KEY, NAME, random(100, 13), CHUNK);
    assertThatThrownBy(() -> ObjectEncryption.decrypt(KEY, "tables/t1/data/other", stored))
        .isInstanceOfSatisfying(
            CorruptObjectException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.AUTHENTICATION_FAILED));
  }

  // The wrong key is named as such, with both key ids, not reported as corruption.
  @Test
  void wrongKeyIsReportedWithBothIds() {
    SymmetricKey other = SymmetricKey.random();
    byte[] stored = LegacyWriter.encrypt(KEY, NAME, random(10, 14), CHUNK);
    assertThatThrownBy(() -> ObjectEncryption.decrypt(other, NAME, stored))
        .isInstanceOf(WrongKeyException.class)
        .hasMessage(
            "backup object "
                + NAME
                + " was encrypted with key "
                + KEY.id()
                + ", but the configured key is "
                + other.id());
  }

  // An object whose writer stopped before sealing its final chunk can never read as complete.
  @Test
  void unfinishedObjectIsUnreadable() {
    byte[] stored = LegacyWriter.encrypt(KEY, NAME, random(40, 15), 16, false);
    assertThatThrownBy(() -> ObjectEncryption.decrypt(KEY, NAME, stored))
        .isInstanceOfSatisfying(
            CorruptObjectException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED));
  }

  // The frozen small-chunk vector, written by the version-1 writer, decrypts to its plaintext.
  @Test
  void frozenObjectDecrypts() throws IOException {
    byte[] stored = vector("chunk16.tmbo");
    assertThat(stored[4]).isEqualTo((byte) 1);
    assertThat(ObjectEncryption.decrypt(FROZEN_KEY, "tables/t1/data/abc", stored))
        .isEqualTo(dev.tidemark.backup.LegacyStoreVectorsTest.bytes(100, 5));
  }

  static final SymmetricKey FROZEN_KEY = dev.tidemark.backup.LegacyStoreVectorsTest.MASTER;

  static byte[] vector(String name) throws IOException {
    try (InputStream in =
        LegacyFormatTest.class.getResourceAsStream("/backup-vectors/v1/" + name)) {
      return in.readAllBytes();
    }
  }
}
