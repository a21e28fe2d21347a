package dev.tidemark.auth;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
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
 *
 * <p>Secrets are sealed under the current master key and opened with any key of the ring (the
 * current one first): after {@code tidemark backup rotate-key} the server starts with the new key
 * and reads the older one through the store's key chain, so access keys sealed before the rotation
 * keep working, and new ones are sealed under the new key.
 */
public final class SecretSealer {
  private static final byte[] LABEL =
      "tidemark iam secret-access-key sealing v1".getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;
  private final List<SecretKeySpec> openers;

  /**
   * @param masterKey the server's master key (32 bytes)
   */
  public SecretSealer(byte[] masterKey) {
    this(List.of(masterKey));
  }

  /**
   * @param masterKeys the server's master key ring, the current key first (32 bytes each)
   */
  public SecretSealer(List<byte[]> masterKeys) {
    if (masterKeys.isEmpty()) {
      throw new IllegalArgumentException("a secret sealer needs at least one master key");
    }
    this.openers = masterKeys.stream().map(k -> derive(k, LABEL)).toList();
    this.key = openers.get(0);
  }

  private SecretSealer(SecretKeySpec[] openers) {
    this.openers = List.of(openers);
    this.key = this.openers.get(0);
  }

  /**
   * A sealer for another purpose (session tokens, say), under keys derived from this one's with
   * {@code label}: what it seals cannot be opened as a secret access key, nor the other way round,
   * and it follows the same master key ring through rotations.
   */
  public SecretSealer forPurpose(String label) {
    byte[] l = label.getBytes(StandardCharsets.US_ASCII);
    return new SecretSealer(
        openers.stream().map(k -> derive(k.getEncoded(), l)).toArray(SecretKeySpec[]::new));
  }

  private static SecretKeySpec derive(byte[] masterKey, byte[] label) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(masterKey, "HmacSHA256"));
      return new SecretKeySpec(mac.doFinal(label), "AES");
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
    GeneralSecurityException last = null;
    byte[] all;
    try {
      all = Base64.getDecoder().decode(sealed);
    } catch (IllegalArgumentException e) {
      throw cannotOpen(accessKeyId, e);
    }
    for (SecretKeySpec opener : openers) {
      try {
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.DECRYPT_MODE, opener, new GCMParameterSpec(128, all, 0, 12));
        c.updateAAD(accessKeyId.getBytes(StandardCharsets.UTF_8));
        return new String(c.doFinal(all, 12, all.length - 12), StandardCharsets.UTF_8);
      } catch (GeneralSecurityException e) {
        last = e; // sealed under another key of the ring, or not at all: try the next one
      }
    }
    throw cannotOpen(accessKeyId, last);
  }

  private static IllegalStateException cannotOpen(String accessKeyId, Exception cause) {
    return new IllegalStateException(
        "the secret of access key "
            + accessKeyId
            + " cannot be decrypted: no master key of this server is the one it was stored with",
        cause);
  }
}
