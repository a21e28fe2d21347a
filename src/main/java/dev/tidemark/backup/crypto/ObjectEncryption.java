package dev.tidemark.backup.crypto;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Whole-object helpers over the streaming format, for small objects such as manifests. */
public final class ObjectEncryption {
  /** Ciphertext bytes per segment of new (version 2) objects; see {@link EnvelopeHeader}. */
  public static final int DEFAULT_CHUNK_SIZE = EnvelopeHeader.DEFAULT_SEGMENT_SIZE;

  private ObjectEncryption() {}

  public static byte[] encrypt(SymmetricKey key, String objectName, byte[] plaintext) {
    return encrypt(key, objectName, plaintext, DEFAULT_CHUNK_SIZE);
  }

  public static byte[] encrypt(
      SymmetricKey key, String objectName, byte[] plaintext, int chunkSize) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(plaintext.length + 512);
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
}
