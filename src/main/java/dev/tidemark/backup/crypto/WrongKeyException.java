package dev.tidemark.backup.crypto;

import java.io.IOException;

/**
 * Something was encrypted under a different key than the one configured. Detected from the key id
 * stored with it, before any decryption is attempted, so it is never confused with corruption.
 */
public final class WrongKeyException extends IOException {
  private final String subject;
  private final String storedKeyId;
  private final String configuredKeyId;

  /**
   * @param subject what was being read, e.g. {@code "backup manifests/t1/b1"}
   */
  public WrongKeyException(String subject, String storedKeyId, String configuredKeyId) {
    super(
        subject
            + " was encrypted with key "
            + storedKeyId
            + ", but the configured key is "
            + configuredKeyId);
    this.subject = subject;
    this.storedKeyId = storedKeyId;
    this.configuredKeyId = configuredKeyId;
  }

  /** The same failure described for a different subject (say, the backup rather than an object). */
  public WrongKeyException withSubject(String newSubject) {
    WrongKeyException e = new WrongKeyException(newSubject, storedKeyId, configuredKeyId);
    e.initCause(this);
    return e;
  }

  public String subject() {
    return subject;
  }

  public String storedKeyId() {
    return storedKeyId;
  }

  public String configuredKeyId() {
    return configuredKeyId;
  }
}
