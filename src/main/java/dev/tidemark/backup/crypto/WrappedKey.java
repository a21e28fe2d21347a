package dev.tidemark.backup.crypto;

import java.util.Arrays;
import java.util.Base64;

/**
 * A data key encrypted ("wrapped") under a master key, safe to store in the clear.
 *
 * @param wrappingKeyId id of the master key that wrapped it: checked first, so a wrong master key
 *     is reported as such
 * @param keyId id of the data key inside, checked after unwrapping
 * @param ciphertext {@code nonce(12) || AES-GCM(data key)(32) || tag(16)}
 */
public record WrappedKey(String wrappingKeyId, String keyId, byte[] ciphertext) {
  static final int CIPHERTEXT_LENGTH = 12 + SymmetricKey.LENGTH + 16;

  public WrappedKey {
    if (wrappingKeyId == null || wrappingKeyId.length() != 16) {
      throw new IllegalArgumentException("wrapping key id must be 16 hex digits");
    }
    if (keyId == null || keyId.length() != 16) {
      throw new IllegalArgumentException("key id must be 16 hex digits");
    }
    if (ciphertext == null || ciphertext.length != CIPHERTEXT_LENGTH) {
      throw new IllegalArgumentException("a wrapped key is " + CIPHERTEXT_LENGTH + " bytes");
    }
    ciphertext = ciphertext.clone();
  }

  @Override
  public byte[] ciphertext() {
    return ciphertext.clone();
  }

  public String ciphertextBase64() {
    return Base64.getEncoder().encodeToString(ciphertext);
  }

  public static WrappedKey of(String wrappingKeyId, String keyId, String ciphertextBase64) {
    return new WrappedKey(wrappingKeyId, keyId, Base64.getDecoder().decode(ciphertextBase64));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WrappedKey w
        && w.wrappingKeyId.equals(wrappingKeyId)
        && w.keyId.equals(keyId)
        && Arrays.equals(w.ciphertext, ciphertext);
  }

  @Override
  public int hashCode() {
    return keyId.hashCode();
  }

  @Override
  public String toString() {
    return "WrappedKey[wrappingKeyId=" + wrappingKeyId + ", keyId=" + keyId + "]";
  }
}
