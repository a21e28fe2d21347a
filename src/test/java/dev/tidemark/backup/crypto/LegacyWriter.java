package dev.tidemark.backup.crypto;

import java.io.ByteArrayOutputStream;
import java.security.SecureRandom;

/**
 * Writes object format version 1, which the server no longer writes but must read forever: the
 * test-side writer that lets the version-1 detection tests cut, reorder and extend objects of any
 * shape (the frozen vectors in {@code backup-vectors/v1} prove the reader against real old bytes).
 */
final class LegacyWriter {
  private static final SecureRandom RANDOM = new SecureRandom();

  private LegacyWriter() {}

  /** The object as a version-1 writer stored it; {@code sealFinal} false leaves it unfinished. */
  static byte[] encrypt(
      SymmetricKey key, String name, byte[] plain, int chunkSize, boolean sealFinal) {
    byte[] salt = new byte[ObjectHeader.SALT_LENGTH];
    byte[] prefix = new byte[ObjectHeader.NONCE_PREFIX_LENGTH];
    RANDOM.nextBytes(salt);
    RANDOM.nextBytes(prefix);
    ObjectHeader header = new ObjectHeader(chunkSize, key.id(), salt, prefix);
    ChunkCipher cipher = new ChunkCipher(key, header, name);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(header.encode());
    byte[] sealed = new byte[chunkSize + ChunkCipher.TAG_LENGTH];
    int chunks = Math.max(1, (plain.length + chunkSize - 1) / chunkSize);
    for (int i = 0; i < chunks; i++) {
      boolean last = i == chunks - 1;
      if (last && !sealFinal) {
        break;
      }
      int off = i * chunkSize;
      int len = Math.min(chunkSize, plain.length - off);
      byte[] chunk = java.util.Arrays.copyOfRange(plain, off, off + len);
      int n = cipher.seal(i, last, chunk, len, sealed);
      out.write(sealed, 0, n);
    }
    return out.toByteArray();
  }

  static byte[] encrypt(SymmetricKey key, String name, byte[] plain, int chunkSize) {
    return encrypt(key, name, plain, chunkSize, true);
  }

  /** The exact stored size of a version-1 object. */
  static long storedSize(long plaintextSize, int chunkSize) {
    long chunks = Math.max(1, (plaintextSize + chunkSize - 1) / chunkSize);
    return ObjectHeader.LENGTH + plaintextSize + chunks * ChunkCipher.TAG_LENGTH;
  }
}
