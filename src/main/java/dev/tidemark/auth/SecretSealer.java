package dev.tidemark.auth;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts secret access keys at rest. SigV4 needs the secret itself to recompute a signature, so
 * it cannot be stored as a one-way hash; instead it is sealed with AES-256-GCM under a key derived
 * (HMAC-SHA256 with a fixed label) from the server's master key, which lives outside the data
 * directory. A copy of the data directory alone therefore reveals no secret. The access key id is
 * the associated data, so a sealed secret cannot be moved to another key's record.
 */
public final class SecretSealer {
  private static final byte[] LABEL =
      "tidemark iam secret-access-key sealing v1".getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;

  /**
   * @param masterKey the server's master key (32 bytes)
   */
  public SecretSealer(byte[] masterKey) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(masterKey, "HmacSHA256"));
      this.key = new SecretKeySpec(mac.doFinal(LABEL), "AES");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 unavailable", e);
    }
  }

  public String seal(String accessKeyId, String secret) {
    try {
      byte[] nonce = new byte[12];
      RANDOM.nextBytes(nonce);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
      c.updateAAD(accessKeyId.getBytes(StandardCharsets.UTF_8));
      byte[] ct = c.doFinal(secret.getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder()
          .encodeToString(ByteBuffer.allocate(12 + ct.length).put(nonce).put(ct).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("sealing a secret failed", e);
    }
  }

  /**
   * @throws IllegalStateException when the secret was sealed under another master key
   */
  public String unseal(String accessKeyId, String sealed) {
    try {
      byte[] all = Base64.getDecoder().decode(sealed);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, 12));
      c.updateAAD(accessKeyId.getBytes(StandardCharsets.UTF_8));
      return new String(c.doFinal(all, 12, all.length - 12), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException(
          "the secret of access key "
              + accessKeyId
              + " cannot be decrypted: the master key differs from the one it was stored with",
          e);
    }
  }
}
