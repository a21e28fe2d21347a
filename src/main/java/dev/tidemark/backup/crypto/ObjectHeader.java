package dev.tidemark.backup.crypto;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The fixed 58-byte header of object format version 1, which earlier servers wrote and this one
 * reads (new objects are version 2, {@link EnvelopeHeader}), making it self-describing: a reader
 * needs only the key and the object's name. See docs/backup-format.md for the layout.
 *
 * @param chunkSize plaintext bytes per chunk (every chunk but the last is exactly this size)
 * @param keyId id of the key the object was encrypted under
 * @param salt random per object; the per-object AES key is HKDF(key, salt)
 * @param noncePrefix random per object; chunk i's nonce is noncePrefix || uint32(i)
 */
public record ObjectHeader(int chunkSize, String keyId, byte[] salt, byte[] noncePrefix) {
  public static final int LENGTH = 58;
  public static final int FORMAT_VERSION = 1;

  /** AES-256-GCM, 16-byte tags, per-object key from HKDF-SHA256. */
  public static final int ALGORITHM_AES256_GCM_HKDF = 1;

  public static final int MAX_CHUNK_SIZE = 16 * 1024 * 1024;
  static final byte[] MAGIC = {'T', 'M', 'B', 'O'};
  static final int SALT_LENGTH = 32;
  static final int NONCE_PREFIX_LENGTH = 8;

  public ObjectHeader {
    if (chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
      throw new IllegalArgumentException("chunk size must be 1.." + MAX_CHUNK_SIZE);
    }
    if (keyId.length() != 16) {
      throw new IllegalArgumentException("key id must be 16 hex digits: " + keyId);
    }
    if (salt.length != SALT_LENGTH || noncePrefix.length != NONCE_PREFIX_LENGTH) {
      throw new IllegalArgumentException("bad salt or nonce prefix length");
    }
    salt = salt.clone();
    noncePrefix = noncePrefix.clone();
  }

  @Override
  public byte[] salt() {
    return salt.clone();
  }

  @Override
  public byte[] noncePrefix() {
    return noncePrefix.clone();
  }

  public byte[] encode() {
    ByteBuffer b = ByteBuffer.allocate(LENGTH);
    b.put(MAGIC);
    b.put((byte) FORMAT_VERSION);
    b.put((byte) ALGORITHM_AES256_GCM_HKDF);
    b.putInt(chunkSize);
    b.put(HexFormat.of().parseHex(keyId));
    b.put(salt);
    b.put(noncePrefix);
    return b.array();
  }

  /**
   * The key id an object of either format names, read from its first bytes without a key: version 1
   * keeps it after the chunk size, version 2 ({@link EnvelopeHeader}) right after the algorithm.
   */
  public static String keyIdOf(InputStream in, String objectName) throws IOException {
    byte[] raw = in.readNBytes(18);
    if (raw.length < 6 || !Arrays.equals(raw, 0, 4, MAGIC, 0, 4)) {
      throw new CorruptObjectException(
          objectName, CorruptObjectException.Reason.BAD_HEADER, "not a Tidemark backup object");
    }
    int offset = (raw[4] & 0xff) == EnvelopeHeader.VERSION ? 6 : 10;
    if (raw.length < offset + 8) {
      throw new CorruptObjectException(
          objectName, CorruptObjectException.Reason.TRUNCATED, "the header is cut short");
    }
    return HexFormat.of().formatHex(raw, offset, offset + 8);
  }

  /** Reads and validates a header; throws naming the object if it is missing or malformed. */
  public static ObjectHeader read(InputStream in, String objectName) throws IOException {
    byte[] raw = in.readNBytes(LENGTH);
    if (raw.length < LENGTH) {
      throw new CorruptObjectException(
          objectName,
          CorruptObjectException.Reason.TRUNCATED,
          "only " + raw.length + " bytes, shorter than the " + LENGTH + "-byte header");
    }
    ByteBuffer b = ByteBuffer.wrap(raw);
    byte[] magic = new byte[4];
    b.get(magic);
    if (!Arrays.equals(magic, MAGIC)) {
      throw new CorruptObjectException(
          objectName,
          CorruptObjectException.Reason.BAD_HEADER,
          "not a Tidemark backup object (bad magic)");
    }
    int version = b.get() & 0xff;
    int algorithm = b.get() & 0xff;
    if (version != FORMAT_VERSION || algorithm != ALGORITHM_AES256_GCM_HKDF) {
      throw new CorruptObjectException(
          objectName,
          CorruptObjectException.Reason.BAD_HEADER,
          "object format version "
              + version
              + " / algorithm "
              + algorithm
              + " is not supported (this server reads version "
              + FORMAT_VERSION
              + ")");
    }
    int chunkSize = b.getInt();
    if (chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
      throw new CorruptObjectException(
          objectName, CorruptObjectException.Reason.BAD_HEADER, "invalid chunk size " + chunkSize);
    }
    byte[] keyId = new byte[8];
    b.get(keyId);
    byte[] salt = new byte[SALT_LENGTH];
    b.get(salt);
    byte[] prefix = new byte[NONCE_PREFIX_LENGTH];
    b.get(prefix);
    return new ObjectHeader(chunkSize, HexFormat.of().formatHex(keyId), salt, prefix);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ObjectHeader h
        && h.chunkSize == chunkSize
        && h.keyId.equals(keyId)
        && Arrays.equals(h.salt, salt)
        && Arrays.equals(h.noncePrefix, noncePrefix);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(salt);
  }

  @Override
  public String toString() {
    return "ObjectHeader[chunkSize=" + chunkSize + ", keyId=" + keyId + "]";
  }
}
