package dev.tidemark.backup.store;

import java.io.IOException;
import java.io.OutputStream;

/**
 * An object being uploaded. Nothing is visible under its name until {@link #commit()} returns;
 * {@link #close()} without a commit discards the upload. This lets streaming writers (such as an
 * encrypting stream) produce an object of any size without ever exposing a partial one: a crash or
 * an exception anywhere before commit leaves no object.
 */
public abstract class PendingObject extends OutputStream {
  private final String name;

  protected PendingObject(String name) {
    this.name = ObjectNames.validate(name);
  }

  public final String name() {
    return name;
  }

  /**
   * Makes the written bytes visible, whole, under {@link #name()}. If an object of that name
   * already exists with the same bytes this is a no-op; with different bytes it throws {@link
   * ObjectAlreadyExistsException} and the existing object is untouched. Further writes are refused.
   */
  public abstract void commit() throws IOException;

  /** Discards the upload unless it was committed. Idempotent. */
  @Override
  public abstract void close() throws IOException;
}
