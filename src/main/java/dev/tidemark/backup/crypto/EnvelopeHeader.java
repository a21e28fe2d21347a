package dev.tidemark.backup.crypto;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.streamingaead.AesGcmHkdfStreamingKey;
import com.google.crypto.tink.streamingaead.AesGcmHkdfStreamingParameters;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;
import com.google.crypto.tink.subtle.AesGcmHkdfStreaming;
import com.google.crypto.tink.subtle.AesGcmJce;
import com.google.crypto.tink.util.SecretBytes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/**
 * Object format version 2: Google Tink's streaming AEAD (AES-256-GCM-HKDF, one fresh keyset per
 * object) behind a header that carries the keyset wrapped under the object's key (the master key
 * for manifests, the table data key for data). The header is what makes an object self-describing:
 * a reader needs only a key of its ring and the object's name. See docs/backup-format.md, §3b.
 *
 * <p>{@code 'TMBO' ‖ version 2 ‖ algorithm 2 ‖ key id (8) ‖ uint16 n ‖ wrapped keyset (n)}, then
 * Tink's ciphertext. The keyset is Tink's encrypted-keyset serialization under AES-256-GCM with a
 * key HKDF-derived from the object's key (so the key itself never serves two purposes), with the
 * fixed header bytes and the object's name as associated data; Tink's stream has the whole header
 * and the name as associated data. So a keyset or a stream moved to another object, another name or
 * under another key id does not open.
 */
final class EnvelopeHeader {
  static final int VERSION = 2;

  /** Tink AES-GCM-HKDF streaming, 32-byte keys, HKDF-SHA256, keyset under AES-256-GCM. */
  static final int ALGORITHM_TINK_AES256_GCM_HKDF = 2;

  /** Magic, version, algorithm and key id: the bytes a reader checks before anything else. */
  static final int PREFIX_LENGTH = 14;

  /** Far above the ~150 bytes a one-key keyset takes; bounds what a damaged header can allocate. */
  static final int MAX_WRAPPED_KEYSET = 4096;

  /**
   * Ciphertext segments of 64 KiB (Tink's AES256_GCM_HKDF_1MB parameters but for the segment size):
   * a stream holds two segments in memory from its first byte, and with 1 MiB segments every small
   * object (a manifest, a short PITR segment) paid for 2 MiB of buffers, about eight times slower
   * than 64 KiB segments on 4 KiB objects and no faster on 1 MiB ones (ObjectCipherBench).
   */
  static final int DEFAULT_SEGMENT_SIZE = 64 * 1024;

  /** The smallest ciphertext segment Tink accepts with 32-byte derived keys, rounded up. */
  static final int MIN_SEGMENT_SIZE = 64;

  private static final String KEYSET_WRAP = "tidemark-backup-keyset-wrap-v2";
  private static final byte[] KEYSET_AAD =
      "tidemark-backup-keyset-v2\0".getBytes(StandardCharsets.US_ASCII);

  static {
    try {
      // Parsing a keyset finds its key type's serialization through Tink's registry.
      StreamingAeadConfig.register();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Tink's streaming AEAD is unavailable", e);
    }
  }

  private final byte[] encoded;
  private final StreamingAead streamingAead;

  private EnvelopeHeader(byte[] encoded, StreamingAead streamingAead) {
    this.encoded = encoded;
    this.streamingAead = streamingAead;
  }

  /** A new object's header: a fresh keyset with {@code segmentSize}-byte ciphertext segments. */
  static EnvelopeHeader create(SymmetricKey key, String objectName, int segmentSize) {
    try {
      AesGcmHkdfStreamingParameters parameters =
          AesGcmHkdfStreamingParameters.builder()
              .setKeySizeBytes(32)
              .setDerivedAesGcmKeySizeBytes(32)
              .setHkdfHashType(AesGcmHkdfStreamingParameters.HashType.SHA256)
              .setCiphertextSegmentSizeBytes(segmentSize)
              .build();
      KeysetHandle keyset =
          KeysetHandle.newBuilder()
              .addEntry(
                  KeysetHandle.generateEntryFromParameters(parameters).withFixedId(1).makePrimary())
              .build();
      byte[] prefix = prefix(key.id());
      byte[] wrapped =
          TinkProtoKeysetFormat.serializeEncryptedKeyset(
              keyset, keysetCipher(key), keysetAad(prefix, objectName));
      byte[] encoded =
          ByteBuffer.allocate(PREFIX_LENGTH + 2 + wrapped.length)
              .put(prefix)
              .putShort((short) wrapped.length)
              .put(wrapped)
              .array();
      return new EnvelopeHeader(encoded, streamingAead(keyset));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot create a Tink keyset: " + e.getMessage(), e);
    }
  }

  /**
   * Reads the rest of a version-2 header whose first six bytes (magic, version, algorithm) the
   * caller read, and unwraps its keyset.
   *
   * @throws WrongKeyException if the object names another key than {@code key}
   * @throws CorruptObjectException if the header is cut short or its keyset does not authenticate
   */
  static EnvelopeHeader read(InputStream in, byte[] first6, SymmetricKey key, String objectName)
      throws IOException {
    byte[] rest = in.readNBytes(PREFIX_LENGTH + 2 - first6.length);
    if (rest.length < PREFIX_LENGTH + 2 - first6.length) {
      throw truncated(objectName, "the header is cut short");
    }
    ByteBuffer b = ByteBuffer.allocate(PREFIX_LENGTH + 2).put(first6).put(rest).flip();
    byte[] prefix = new byte[PREFIX_LENGTH];
    b.get(prefix);
    String keyId = HexFormat.of().formatHex(prefix, 6, 14);
    if (!keyId.equals(key.id())) {
      throw new WrongKeyException("backup object " + objectName, keyId, key.id());
    }
    int n = b.getShort() & 0xffff;
    if (n == 0 || n > MAX_WRAPPED_KEYSET) {
      throw new CorruptObjectException(
          objectName, CorruptObjectException.Reason.BAD_HEADER, "invalid keyset length " + n);
    }
    byte[] wrapped = in.readNBytes(n);
    if (wrapped.length < n) {
      throw truncated(objectName, "the header's keyset is cut short");
    }
    KeysetHandle keyset;
    try {
      keyset =
          TinkProtoKeysetFormat.parseEncryptedKeyset(
              wrapped, keysetCipher(key), keysetAad(prefix, objectName));
    } catch (GeneralSecurityException e) {
      throw new CorruptObjectException(
          objectName,
          CorruptObjectException.Reason.AUTHENTICATION_FAILED,
          "the object's keyset failed authentication (altered header, or an object stored under"
              + " another name)");
    }
    byte[] encoded =
        ByteBuffer.allocate(PREFIX_LENGTH + 2 + n)
            .put(prefix)
            .putShort((short) n)
            .put(wrapped)
            .array();
    try {
      return new EnvelopeHeader(encoded, streamingAead(keyset));
    } catch (GeneralSecurityException e) {
      throw new CorruptObjectException(
          objectName,
          CorruptObjectException.Reason.BAD_HEADER,
          "unsupported keyset: " + e.getMessage());
    }
  }

  byte[] encoded() {
    return encoded.clone();
  }

  int length() {
    return encoded.length;
  }

  StreamingAead streamingAead() {
    return streamingAead;
  }

  /** Tink's associated data for the stream: the whole header and the object's name. */
  byte[] streamAad(String objectName) {
    byte[] name = objectName.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(encoded.length + 2 + name.length)
        .put(encoded)
        .putShort((short) name.length)
        .put(name)
        .array();
  }

  static byte[] prefix(String keyId) {
    return ByteBuffer.allocate(PREFIX_LENGTH)
        .put(ObjectHeader.MAGIC)
        .put((byte) VERSION)
        .put((byte) ALGORITHM_TINK_AES256_GCM_HKDF)
        .put(HexFormat.of().parseHex(keyId))
        .array();
  }

  private static byte[] keysetAad(byte[] prefix, String objectName) {
    byte[] name = objectName.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(KEYSET_AAD.length + prefix.length + name.length)
        .put(KEYSET_AAD)
        .put(prefix)
        .put(name)
        .array();
  }

  /** Only the parameters this format writes are accepted, whatever an authenticated keyset says. */
  private static StreamingAead streamingAead(KeysetHandle keyset) throws GeneralSecurityException {
    if (keyset.size() != 1
        || !(keyset.getPrimary().getKey() instanceof AesGcmHkdfStreamingKey k)
        || k.getParameters().getKeySizeBytes() != 32
        || k.getParameters().getDerivedAesGcmKeySizeBytes() != 32
        || k.getParameters().getHkdfHashType() != AesGcmHkdfStreamingParameters.HashType.SHA256) {
      throw new GeneralSecurityException("not a one-key AES-256-GCM-HKDF-SHA256 streaming keyset");
    }
    return AesGcmHkdfStreaming.create(k);
  }

  private static com.google.crypto.tink.Aead keysetCipher(SymmetricKey key)
      throws GeneralSecurityException {
    byte[] ikm = key.bytes();
    byte[] derived = Hkdf.derive(ikm, new byte[0], KEYSET_WRAP);
    java.util.Arrays.fill(ikm, (byte) 0);
    try {
      AesGcmKey kek =
          AesGcmKey.builder()
              .setParameters(
                  AesGcmParameters.builder()
                      .setKeySizeBytes(32)
                      .setIvSizeBytes(12)
                      .setTagSizeBytes(16)
                      .setVariant(AesGcmParameters.Variant.NO_PREFIX)
                      .build())
              .setKeyBytes(SecretBytes.copyFrom(derived, InsecureSecretKeyAccess.get()))
              .build();
      return AesGcmJce.create(kek);
    } finally {
      java.util.Arrays.fill(derived, (byte) 0);
    }
  }

  private static CorruptObjectException truncated(String objectName, String detail) {
    return new CorruptObjectException(objectName, CorruptObjectException.Reason.TRUNCATED, detail);
  }
}
