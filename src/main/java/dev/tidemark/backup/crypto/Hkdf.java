package dev.tidemark.backup.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF-SHA256 (RFC 5869), producing 32 bytes. Every use of a key goes through a derivation with its
 * own {@code info} label, so one key never serves two purposes directly.
 */
public final class Hkdf {
  static final String OBJECT_KEY = "tidemark-backup-object-v1";
  static final String KEY_WRAP = "tidemark-backup-key-wrap-v1";
  static final String CONTENT_NAME = "tidemark-backup-content-name-v1";

  private Hkdf() {}

  public static byte[] derive(byte[] ikm, byte[] salt, String info) {
    byte[] prk = hmac(salt.length == 0 ? new byte[32] : salt, ikm);
    byte[] infoBytes = info.getBytes(StandardCharsets.US_ASCII);
    byte[] block = new byte[infoBytes.length + 1];
    System.arraycopy(infoBytes, 0, block, 0, infoBytes.length);
    block[infoBytes.length] = 1;
    return hmac(prk, block);
  }

  static byte[] hmac(byte[] key, byte[] data) {
    Mac mac = mac(key);
    return mac.doFinal(data);
  }

  static Mac mac(byte[] key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every Java platform provides HmacSHA256", e);
    }
  }
}
