package dev.tidemark.backup.store;

import java.io.IOException;

/** The named object does not exist (never written, not yet visible, or deleted). */
public final class NoSuchObjectException extends IOException {
  private final String objectName;

  public NoSuchObjectException(String objectName) {
    super("no such object in the backup store: " + objectName);
    this.objectName = objectName;
  }

  public String objectName() {
    return objectName;
  }
}
