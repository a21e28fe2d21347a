package dev.tidemark.backup.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals and opens the chunks of one object. The associated data of chunk i is {@code header ||
 * uint16(len(name)) || name || uint32(i) || finalFlag}, which is what makes reordering (i),
 * truncation and appending (final flag), moving the object to another name (name) and header
 * tampering detectable; the nonce {@code prefix || uint32(i)} never repeats under the per-object
 * key.
 */
final class ChunkCipher {
  static final int TAG_LENGTH = 16;
  static final long MAX_CHUNKS = 0xFFFF_FFFFL;

  private final SecretKeySpec objectKey;
  private final byte[] noncePrefix;
  private final byte[] aad;
  private final int indexOffset;
  private final Cipher cipher;

  ChunkCipher(SymmetricKey key, ObjectHeader header, String objectName) {
    byte[] ikm = key.bytes();
    this.objectKey = new SecretKeySpec(Hkdf.derive(ikm, header.salt(), Hkdf.OBJECT_KEY), "AES");
    java.util.Arrays.fill(ikm, (byte) 0);
    this.noncePrefix = header.noncePrefix();
    byte[] headerBytes = header.encode();
    byte[] name = objectName.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(headerBytes.length + 2 + name.length + 5);
    b.put(headerBytes).putShort((short) name.length).put(name);
    this.indexOffset = b.position();
    this.aad = b.array();
    try {
      this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every Java platform provides AES/GCM", e);
    }
  }

  /** Encrypts {@code len} bytes of {@code in} into {@code out}; returns the bytes written. */
  int seal(long index, boolean last, byte[] in, int len, byte[] out) {
    try {
      init(Cipher.ENCRYPT_MODE, index, last);
      return cipher.doFinal(in, 0, len, out, 0);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  /** Decrypts and authenticates; returns the plaintext length, or -1 if authentication failed. */
  int open(long index, boolean last, byte[] in, int len, byte[] out) {
    try {
      init(Cipher.DECRYPT_MODE, index, last);
      return cipher.doFinal(in, 0, len, out, 0);
    } catch (AEADBadTagException e) {
      return -1;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM decryption failed", e);
    }
  }

  private void init(int mode, long index, boolean last) throws GeneralSecurityException {
    if (index < 0 || index > MAX_CHUNKS) {
      throw new IllegalStateException("object has more than 2^32-1 chunks");
    }
    byte[] nonce = new byte[12];
    System.arraycopy(noncePrefix, 0, nonce, 0, noncePrefix.length);
    ByteBuffer.wrap(nonce, 8, 4).putInt((int) index);
    ByteBuffer.wrap(aad, indexOffset, 5).putInt((int) index).put((byte) (last ? 1 : 0));
    cipher.init(mode, objectKey, new GCMParameterSpec(TAG_LENGTH * 8, nonce));
    cipher.updateAAD(aad);
  }
}
