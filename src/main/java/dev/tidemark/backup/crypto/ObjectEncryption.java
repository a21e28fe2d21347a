package dev.tidemark.backup.crypto;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Whole-object helpers over the streaming format, for small objects such as manifests. */
public final class ObjectEncryption {
  /** Plaintext bytes per chunk: large enough that the 16-byte tag is noise, small for memory. */
  public static final int DEFAULT_CHUNK_SIZE = 64 * 1024;

  private ObjectEncryption() {}

  public static byte[] encrypt(SymmetricKey key, String objectName, byte[] plaintext) {
    return encrypt(key, objectName, plaintext, DEFAULT_CHUNK_SIZE);
  }

  public static byte[] encrypt(
      SymmetricKey key, String objectName, byte[] plaintext, int chunkSize) {
    ByteArrayOutputStream out =
        new ByteArrayOutputStream(
            (int) Math.min(Integer.MAX_VALUE, storedSize(plaintext.length, chunkSize)));
    try {
      EncryptingOutputStream enc = new EncryptingOutputStream(out, key, objectName, chunkSize);
      enc.write(plaintext);
      enc.finish();
    } catch (IOException e) {
      throw new UncheckedIOException("in-memory stream cannot fail", e);
    }
    return out.toByteArray();
  }

  /**
   * Decrypts a whole object.
   *
   * @throws WrongKeyException if it was encrypted under another key
   * @throws CorruptObjectException if it fails any integrity check
   */
  public static byte[] decrypt(SymmetricKey key, String objectName, byte[] stored)
      throws IOException {
    try (DecryptingInputStream in =
        new DecryptingInputStream(new ByteArrayInputStream(stored), key, objectName)) {
      return in.readAllBytes();
    }
  }

  /** The exact stored size of a plaintext of {@code plaintextSize} bytes. */
  public static long storedSize(long plaintextSize, int chunkSize) {
    long chunks = Math.max(1, (plaintextSize + chunkSize - 1) / chunkSize);
    return ObjectHeader.LENGTH + plaintextSize + chunks * ChunkCipher.TAG_LENGTH;
  }
}
