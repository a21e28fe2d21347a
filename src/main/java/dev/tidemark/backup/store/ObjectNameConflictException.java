package dev.tidemark.backup.store;

import java.io.IOException;

/**
 * A name cannot coexist with another: {@code a} and {@code a/b} cannot both be objects, because a
 * directory store maps {@code /} to subdirectories. Every store enforces this so that tests on the
 * memory store catch layouts that would fail on disk.
 */
public final class ObjectNameConflictException extends IOException {
  public ObjectNameConflictException(String objectName, String conflictingName) {
    super(
        "object name "
            + objectName
            + " conflicts with "
            + conflictingName
            + ": a name cannot be both an object and a prefix directory of another");
  }
}
