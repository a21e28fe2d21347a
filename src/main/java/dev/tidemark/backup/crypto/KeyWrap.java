package dev.tidemark.backup.crypto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Envelope encryption: wraps data keys under the master key with AES-256-GCM. The wrapping key is
 * HKDF(master, "key-wrap"), never the master key itself. The associated data binds the wrapped key
 * to a caller-chosen context (such as the table id) and to its own key id, so a wrapped key copied
 * to another table or relabelled fails to unwrap.
 */
public final class KeyWrap {
  private static final SecureRandom RANDOM = new SecureRandom();

  private KeyWrap() {}

  public static WrappedKey wrap(SymmetricKey master, SymmetricKey dataKey, String context) {
    byte[] nonce = new byte[12];
    RANDOM.nextBytes(nonce);
    byte[] raw = dataKey.bytes();
    try {
      Cipher c = cipher(Cipher.ENCRYPT_MODE, master, nonce, aad(context, dataKey.id()));
      byte[] out = new byte[WrappedKey.CIPHERTEXT_LENGTH];
      System.arraycopy(nonce, 0, out, 0, 12);
      c.doFinal(raw, 0, raw.length, out, 12);
      return new WrappedKey(master.id(), dataKey.id(), out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM key wrap failed", e);
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  /**
   * Unwraps a data key.
   *
   * @param subject what the key protects, for messages, e.g. {@code "backup manifests/t/b"}
   * @throws WrongKeyException if it was wrapped under another master key
   * @throws CorruptObjectException if it fails authentication (tampered, or another context)
   */
  public static SymmetricKey unwrap(
      SymmetricKey master, WrappedKey wrapped, String context, String subject) throws IOException {
    if (!wrapped.wrappingKeyId().equals(master.id())) {
      throw new WrongKeyException(subject, wrapped.wrappingKeyId(), master.id());
    }
    byte[] in = wrapped.ciphertext();
    byte[] raw = new byte[SymmetricKey.LENGTH];
    try {
      Cipher c =
          cipher(
              Cipher.DECRYPT_MODE,
              master,
              Arrays.copyOfRange(in, 0, 12),
              aad(context, wrapped.keyId()));
      c.doFinal(in, 12, in.length - 12, raw, 0);
      return SymmetricKey.of(raw);
    } catch (AEADBadTagException e) {
      throw new CorruptObjectException(
          subject,
          CorruptObjectException.Reason.AUTHENTICATION_FAILED,
          "its wrapped data key failed authentication (tampered, or wrapped for another table)");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM key unwrap failed", e);
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  private static byte[] aad(String context, String keyId) {
    return ("tidemark-wrapped-key-v1\0" + context + "\0" + keyId).getBytes(StandardCharsets.UTF_8);
  }

  private static Cipher cipher(int mode, SymmetricKey master, byte[] nonce, byte[] aad)
      throws GeneralSecurityException {
    byte[] ikm = master.bytes();
    byte[] wrapKey = Hkdf.derive(ikm, new byte[0], Hkdf.KEY_WRAP);
    Arrays.fill(ikm, (byte) 0);
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(mode, new SecretKeySpec(wrapKey, "AES"), new GCMParameterSpec(128, nonce));
    c.updateAAD(aad);
    return c;
  }
}
