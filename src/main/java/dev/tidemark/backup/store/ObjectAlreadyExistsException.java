package dev.tidemark.backup.store;

import java.io.IOException;

/**
 * A put named an object that already exists with different content. Objects are immutable: the
 * first complete put wins, and a later put of identical bytes is a harmless no-op (so retries are
 * safe).
 */
public final class ObjectAlreadyExistsException extends IOException {
  private final String objectName;

  public ObjectAlreadyExistsException(String objectName) {
    super("object already exists with different content (objects are immutable): " + objectName);
    this.objectName = objectName;
  }

  public String objectName() {
    return objectName;
  }
}
