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

class ObjectEncryptionTest {
  private static final int CHUNK = ObjectEncryption.DEFAULT_CHUNK_SIZE;
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
    byte[] stored = ObjectEncryption.encrypt(KEY, NAME, plain);
    assertThat(stored.length).isEqualTo(ObjectEncryption.storedSize(size, CHUNK));
    assertThat(ObjectEncryption.decrypt(KEY, NAME, stored)).isEqualTo(plain);
  }

  // Streaming with arbitrary write and read splits gives the same bytes as the whole-object API.
  @Property(tries = 200)
  void streamingRoundTrip(
      @ForAll @IntRange(min = 0, max = 3000) int size,
      @ForAll @IntRange(min = 1, max = 300) int chunk,
      @ForAll @IntRange(min = 1, max = 700) int writeSplit,
      @ForAll @IntRange(min = 1, max = 700) int readSplit)
      throws IOException {
    byte[] plain = random(size, size * 31L + chunk);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    EncryptingOutputStream enc = new EncryptingOutputStream(sink, KEY, NAME, chunk);
    for (int off = 0; off < size; off += writeSplit) {
      enc.write(plain, off, Math.min(writeSplit, size - off));
    }
    enc.finish();
    assertThat(enc.storedBytes()).isEqualTo(sink.size());
    assertThat((long) sink.size()).isEqualTo(ObjectEncryption.storedSize(size, chunk));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in =
        new DecryptingInputStream(new ByteArrayInputStream(sink.toByteArray()), KEY, NAME)) {
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
    byte[] stored = ObjectEncryption.encrypt(KEY, NAME, random(100, 7), chunk);
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
    byte[] stored = ObjectEncryption.encrypt(KEY, NAME, random(100, 8), chunk);
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
    byte[] stored = ObjectEncryption.encrypt(KEY, NAME, random(40, 9), chunk); // 16+16+8
    byte[] dropped = Arrays.copyOf(stored, stored.length - (8 + 16));
    assertThatThrownBy(() -> ObjectEncryption.decrypt(KEY, NAME, dropped))
        .isInstanceOf(CorruptObjectException.class)
        .hasMessageContaining("not its final chunk");
  }

  // A cut inside a chunk is detected too.
  @Test
  void truncationInsideChunkIsDetected() {
    byte[] stored = ObjectEncryption.encrypt(KEY, NAME, random(100, 10), 16);
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
    byte[] stored = ObjectEncryption.encrypt(KEY, NAME, random(100, 11), chunk);
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
    byte[] stored = ObjectEncryption.encrypt(KEY, NAME, random(64, 12), chunk);
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
    byte[] stored = ObjectEncryption.encrypt(KEY, NAME, random(100, 13));
    assertThatThrownBy(() -> ObjectEncryption.decrypt(KEY, "tables/t1/data/other", stored))
        .isInstanceOfSatisfying(
            CorruptObjectException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.AUTHENTICATION_FAILED));
  }

  // The wrong key is named as such, with both key ids, not reported as corruption.
  @Test
  void wrongKeyIsReportedWithBothIds() {
    SymmetricKey other = SymmetricKey.random();
    byte[] stored = ObjectEncryption.encrypt(KEY, NAME, random(10, 14));
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

  // An upload abandoned by an exception (close without finish) can never read as complete.
  @Test
  void closeWithoutFinishLeavesUnreadableObject() throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    EncryptingOutputStream enc = new EncryptingOutputStream(sink, KEY, NAME, 16);
    enc.write(random(40, 15));
    enc.close();
    assertThatThrownBy(() -> ObjectEncryption.decrypt(KEY, NAME, sink.toByteArray()))
        .isInstanceOfSatisfying(
            CorruptObjectException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED));
  }

  // Encryption is randomized: equal plaintexts give unrelated ciphertexts (no leak of equality).
  @Test
  void sameplaintextEncryptsDifferently() {
    byte[] plain = random(1000, 16);
    byte[] a = ObjectEncryption.encrypt(KEY, NAME, plain);
    byte[] b = ObjectEncryption.encrypt(KEY, NAME, plain);
    assertThat(Arrays.copyOfRange(a, ObjectHeader.LENGTH, a.length))
        .isNotEqualTo(Arrays.copyOfRange(b, ObjectHeader.LENGTH, b.length));
  }

  // Keys never print their bytes, so logging one is harmless.
  @Test
  void keyToStringShowsOnlyId() {
    assertThat(KEY.toString()).isEqualTo("SymmetricKey[id=" + KEY.id() + "]");
    assertThat(KEY.id()).matches("[0-9a-f]{16}");
  }
}
