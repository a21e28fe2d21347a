package dev.tidemark.backup.store;

import java.io.IOException;

/**
 * The store cannot keep its promise of immutable objects (an S3 service that ignores {@code
 * If-None-Match: *}), and the operator did not accept that risk explicitly.
 */
public final class UnsafeObjectStoreException extends IOException {
  public UnsafeObjectStoreException(String message) {
    super(message);
  }
}
