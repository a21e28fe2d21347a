package dev.tidemark.backup.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.backup.crypto.CorruptObjectException.Reason;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Protects object format version 2, what new backup objects are (Tink's streaming AEAD under a
 * per-object keyset wrapped by the object's key): round trips at segment boundaries and with any
 * write and read splits, and detection of every flipped byte, every truncation, reordered, dropped,
 * duplicated and appended segments, an object or a keyset moved to another name or object, the
 * wrong key (named with both ids), and an upload abandoned before its final segment.
 */
class ObjectEncryptionTest {
  private static final String NAME = "tables/t1/data/abc";
  private static final SymmetricKey KEY = SymmetricKey.random();
  private static final int SEGMENT = 64;

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static byte[] encrypt(byte[] plain, int segment) {
    return ObjectEncryption.encrypt(KEY, NAME, plain, segment);
  }

  /** Where Tink's segments start: after the envelope header and Tink's 40-byte stream header. */
  private static int envelopeLength(byte[] stored) {
    return 16 + (ByteBuffer.wrap(stored, 14, 2).getShort() & 0xffff);
  }

  private static void assertCorrupt(byte[] stored, String why) {
    assertThatThrownBy(() -> ObjectEncryption.decrypt(KEY, NAME, stored))
        .as(why)
        .isInstanceOf(CorruptObjectException.class)
        .hasMessageContaining(NAME);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 7, 8, 9, 56, 57, 1000, 5 * 1024 * 1024 + 3})
  void roundTripsAtSegmentBoundaries(int size) throws IOException {
    byte[] plain = random(size, size);
    for (int segment : new int[] {SEGMENT, ObjectEncryption.DEFAULT_CHUNK_SIZE}) {
      if (segment == SEGMENT && size > 100_000) {
        continue;
      }
      byte[] stored = encrypt(plain, segment);
      assertThat(ObjectEncryption.decrypt(KEY, NAME, stored)).isEqualTo(plain);
    }
  }

  // Streaming with arbitrary write and read splits gives the same bytes as the whole-object API.
  @Property(tries = 150)
  void streamingRoundTrip(
      @ForAll @IntRange(min = 0, max = 3000) int size,
      @ForAll @IntRange(min = 64, max = 400) int segment,
      @ForAll @IntRange(min = 1, max = 700) int writeSplit,
      @ForAll @IntRange(min = 1, max = 700) int readSplit)
      throws IOException {
    byte[] plain = random(size, size * 31L + segment);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    EncryptingOutputStream enc = new EncryptingOutputStream(sink, KEY, NAME, segment);
    for (int off = 0; off < size; off += writeSplit) {
      enc.write(plain, off, Math.min(writeSplit, size - off));
    }
    enc.finish();
    assertThat(enc.storedBytes()).isEqualTo(sink.size());
    assertThat(enc.plaintextBytes()).isEqualTo(size);
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

  // The header says what the object is: magic, version 2, algorithm 2, and the key it needs.
  @Test
  void headerNamesVersionAndKey() throws IOException {
    byte[] stored = encrypt(random(10, 1), SEGMENT);
    assertThat(Arrays.copyOf(stored, 6)).isEqualTo(new byte[] {'T', 'M', 'B', 'O', 2, 2});
    assertThat(ObjectHeader.keyIdOf(new ByteArrayInputStream(stored), NAME)).isEqualTo(KEY.id());
    byte[] legacy = LegacyWriter.encrypt(KEY, NAME, random(10, 1), 16);
    assertThat(ObjectHeader.keyIdOf(new ByteArrayInputStream(legacy), NAME)).isEqualTo(KEY.id());
  }

  // Any single flipped bit, in the header, the keyset or any segment, is detected.
  @Test
  void everyFlippedByteIsDetected() {
    byte[] stored = encrypt(random(150, 7), SEGMENT);
    for (int i = 0; i < stored.length; i++) {
      byte[] bad = stored.clone();
      bad[i] ^= 0x01;
      assertThatThrownBy(() -> ObjectEncryption.decrypt(KEY, NAME, bad))
          .as("flip at %d", i)
          .isInstanceOfAny(CorruptObjectException.class, WrongKeyException.class)
          .hasMessageContaining(NAME);
    }
  }

  // No prefix of an object, at a segment boundary or inside one, passes as a shorter object.
  @Test
  void everyTruncationIsDetected() {
    byte[] stored = encrypt(random(300, 8), SEGMENT);
    for (int len = 0; len < stored.length; len++) {
      assertCorrupt(Arrays.copyOf(stored, len), "cut at " + len);
    }
  }

  // Segments swapped, duplicated or dropped fail: Tink binds each segment's index into its nonce.
  @Test
  void reorderedDuplicatedOrDroppedSegmentsAreDetected() {
    byte[] stored = encrypt(random(300, 11), SEGMENT);
    int first = envelopeLength(stored) + SEGMENT; // the second segment starts here
    byte[] swapped = stored.clone();
    System.arraycopy(stored, first + SEGMENT, swapped, first, SEGMENT);
    System.arraycopy(stored, first, swapped, first + SEGMENT, SEGMENT);
    assertCorrupt(swapped, "swapped");
    byte[] duplicated = stored.clone();
    System.arraycopy(stored, first, duplicated, first + SEGMENT, SEGMENT);
    assertCorrupt(duplicated, "duplicated");
    byte[] dropped = new byte[stored.length - SEGMENT];
    System.arraycopy(stored, 0, dropped, 0, first);
    System.arraycopy(stored, first + SEGMENT, dropped, first, stored.length - first - SEGMENT);
    assertCorrupt(dropped, "dropped");
    byte[] lastDropped = Arrays.copyOf(stored, first + 2 * SEGMENT);
    assertCorrupt(lastDropped, "the final segment dropped at a boundary");
  }

  // Bytes after the final segment, one or a whole copied segment, are detected.
  @Test
  void appendedDataIsDetected() {
    byte[] stored = encrypt(random(300, 12), SEGMENT);
    assertCorrupt(Arrays.copyOf(stored, stored.length + 1), "one byte appended");
    byte[] segment =
        Arrays.copyOfRange(
            stored, envelopeLength(stored) + SEGMENT, envelopeLength(stored) + 2 * SEGMENT);
    byte[] extended = Arrays.copyOf(stored, stored.length + SEGMENT);
    System.arraycopy(segment, 0, extended, stored.length, SEGMENT);
    assertCorrupt(extended, "a segment appended");
  }

  // An object copied to another name does not decrypt; nor does a keyset moved between objects.
  @Test
  void objectAndKeysetAreBoundToTheirObject() {
    byte[] stored = encrypt(random(100, 13), SEGMENT);
    assertThatThrownBy(() -> ObjectEncryption.decrypt(KEY, "tables/t1/data/other", stored))
        .isInstanceOfSatisfying(
            CorruptObjectException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.AUTHENTICATION_FAILED));
    byte[] other = encrypt(random(100, 14), SEGMENT);
    int h = envelopeLength(stored);
    assertThat(envelopeLength(other)).isEqualTo(h);
    byte[] transplanted = other.clone();
    System.arraycopy(stored, 0, transplanted, 0, h);
    assertCorrupt(transplanted, "another object's keyset");
    byte[] renamed =
        ObjectEncryption.encrypt(KEY, "tables/t1/data/other", random(100, 13), SEGMENT);
    byte[] keysetOfOtherName = stored.clone();
    System.arraycopy(renamed, 0, keysetOfOtherName, 0, h);
    assertCorrupt(keysetOfOtherName, "a keyset of another name");
  }

  // The wrong key is named as such, with both key ids, before any decryption.
  @Test
  void wrongKeyIsReportedWithBothIds() {
    SymmetricKey other = SymmetricKey.random();
    byte[] stored = encrypt(random(10, 14), SEGMENT);
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
  @ParameterizedTest
  @ValueSource(ints = {0, 5, 8, 100, 300})
  void closeWithoutFinishLeavesUnreadableObject(int size) throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    EncryptingOutputStream enc = new EncryptingOutputStream(sink, KEY, NAME, SEGMENT);
    enc.write(random(size, 15));
    enc.close();
    assertCorrupt(sink.toByteArray(), "unfinished, " + size + " bytes");
  }

  // A store that fails mid-object is reported as that failure, not as a forged object.
  @Test
  void storeFailureIsNotCorruption() throws IOException {
    byte[] stored = encrypt(random(300, 16), SEGMENT);
    IOException reset = new IOException("connection reset");
    InputStream failing =
        new InputStream() {
          int pos;

          @Override
          public int read() throws IOException {
            if (pos == stored.length - 100) {
              throw reset;
            }
            return stored[pos++] & 0xff;
          }
        };
    try (InputStream in = new DecryptingInputStream(failing, KEY, NAME)) {
      assertThatThrownBy(in::readAllBytes).isSameAs(reset);
    }
  }

  // Encryption is randomized: equal plaintexts give unrelated ciphertexts (no leak of equality).
  @Test
  void samePlaintextEncryptsDifferently() {
    byte[] plain = random(1000, 16);
    byte[] a = encrypt(plain, SEGMENT);
    byte[] b = encrypt(plain, SEGMENT);
    int h = envelopeLength(a);
    assertThat(Arrays.copyOfRange(a, h, a.length)).isNotEqualTo(Arrays.copyOfRange(b, h, b.length));
  }

  // Keys never print their bytes, so logging one is harmless.
  @Test
  void keyToStringShowsOnlyId() {
    assertThat(KEY.toString()).isEqualTo("SymmetricKey[id=" + KEY.id() + "]");
    assertThat(KEY.id()).matches("[0-9a-f]{16}");
  }
}
