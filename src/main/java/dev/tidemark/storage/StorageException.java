package dev.tidemark.storage;

/** The engine failed; the request that caused it gets an internal error, never a false success. */
public class StorageException extends RuntimeException {
  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
