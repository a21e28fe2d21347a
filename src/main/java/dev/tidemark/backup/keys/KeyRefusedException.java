package dev.tidemark.backup.keys;

import java.io.IOException;

/**
 * The configured backup key cannot open the backup store, and starting anyway would hide its
 * backups or write new ones under a key the old ones do not share. Nothing in the store was
 * changed.
 */
public final class KeyRefusedException extends IOException {
  public KeyRefusedException(String message) {
    super(message);
  }
}
