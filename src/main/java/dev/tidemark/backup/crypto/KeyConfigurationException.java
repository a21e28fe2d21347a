package dev.tidemark.backup.crypto;

import java.io.IOException;

/** The backup master key is misconfigured: unreadable, malformed, or configured twice. */
public final class KeyConfigurationException extends IOException {
  public KeyConfigurationException(String message) {
    super(message);
  }

  public KeyConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }
}
