package dev.tidemark.backup.crypto;

import java.io.IOException;

/**
 * Stored bytes failed an integrity check. The message names the object and says what was wrong,
 * because an operator reading it must know which object to restore from elsewhere.
 */
public final class CorruptObjectException extends IOException {
  /** What kind of damage was detected. */
  public enum Reason {
    /** Magic, version or header fields are invalid. */
    BAD_HEADER,
    /** A chunk failed GCM authentication: flipped bytes, reordered or foreign chunks. */
    AUTHENTICATION_FAILED,
    /** The object ends before its final chunk. */
    TRUNCATED,
    /** Bytes follow the final chunk. */
    TRAILING_DATA,
    /** Decrypted fine but the plaintext size differs from the manifest's. */
    SIZE_MISMATCH,
    /** Decrypted fine but the plaintext SHA-256 differs from the manifest's. */
    CHECKSUM_MISMATCH
  }

  private final String objectName;
  private final Reason reason;

  public CorruptObjectException(String objectName, Reason reason, String detail) {
    super("backup object " + objectName + " is corrupt: " + detail);
    this.objectName = objectName;
    this.reason = reason;
  }

  public String objectName() {
    return objectName;
  }

  public Reason reason() {
    return reason;
  }
}
