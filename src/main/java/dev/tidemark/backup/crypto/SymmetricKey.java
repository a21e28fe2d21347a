package dev.tidemark.backup.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A 256-bit AES key: the master key, or a data key. Its {@link #id()} is a public fingerprint
 * stored next to everything the key protects, so that decrypting with the wrong key fails with a
 * message naming both keys rather than as an anonymous authentication failure. {@link #toString()}
 * shows only the id, so keys cannot leak into logs.
 */
public final class SymmetricKey {
  public static final int LENGTH = 32;
  private static final byte[] ID_DOMAIN = "tidemark-key-id-v1".getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] bytes;
  private final String id;

  private SymmetricKey(byte[] bytes) {
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException(
          "a backup key must be " + LENGTH + " bytes, got " + bytes.length);
    }
    this.bytes = bytes.clone();
    this.id = fingerprint(this.bytes);
  }

  public static SymmetricKey of(byte[] bytes) {
    return new SymmetricKey(bytes);
  }

  public static SymmetricKey random() {
    byte[] b = new byte[LENGTH];
    RANDOM.nextBytes(b);
    return new SymmetricKey(b);
  }

  /**
   * First 8 bytes of SHA-256("tidemark-key-id-v1" || key), as 16 lowercase hex digits. Publishing
   * 64 bits of a hash of a random 256-bit key reveals nothing usable about it; the domain prefix
   * keeps the id distinct from any other hash of the key.
   */
  private static String fingerprint(byte[] key) {
    MessageDigest sha = sha256();
    sha.update(ID_DOMAIN);
    sha.update(key);
    return HexFormat.of().formatHex(sha.digest(), 0, 8);
  }

  public String id() {
    return id;
  }

  /** A copy of the raw key, for this package's ciphers and for writing a key file. */
  byte[] bytes() {
    return bytes.clone();
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SymmetricKey k && MessageDigest.isEqual(bytes, k.bytes);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return "SymmetricKey[id=" + id + "]";
  }

  /** Wipes this instance's copy; callers may drop keys early, though the JVM may hold others. */
  public void destroy() {
    Arrays.fill(bytes, (byte) 0);
  }
}
