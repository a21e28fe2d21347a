package dev.tidemark.backup.store;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * An object store whose failed requests are counted ({@link StoreErrors}); everything else passes
 * through unchanged, exceptions included. Reads of an object's stream and writes to a pending
 * object are counted too, since with S3 they are requests of their own (and where connections
 * break).
 */
public final class CountingObjectStore implements ObjectStore, AutoCloseable {
  private final ObjectStore store;
  private final StoreErrors errors;

  public CountingObjectStore(ObjectStore store, StoreErrors errors) {
    this.store = java.util.Objects.requireNonNull(store);
    this.errors = java.util.Objects.requireNonNull(errors);
  }

  @Override
  public PendingObject create(String name) throws IOException {
    PendingObject pending;
    try {
      pending = store.create(name);
    } catch (IOException | RuntimeException e) {
      errors.record("create", e);
      throw e;
    }
    return new CountedPending(pending);
  }

  @Override
  public InputStream get(String name) throws IOException {
    InputStream in;
    try {
      in = store.get(name);
    } catch (IOException | RuntimeException e) {
      errors.record("get", e);
      throw e;
    }
    return new CountedInput(in);
  }

  @Override
  public OptionalLong size(String name) throws IOException {
    try {
      return store.size(name);
    } catch (IOException | RuntimeException e) {
      errors.record("size", e);
      throw e;
    }
  }

  @Override
  public List<String> list(String prefix) throws IOException {
    try {
      return store.list(prefix);
    } catch (IOException | RuntimeException e) {
      errors.record("list", e);
      throw e;
    }
  }

  /** The wrapped store's own listing with sizes (one request on S3), not the per-object default. */
  @Override
  public java.util.Map<String, Long> sizes(String prefix) throws IOException {
    try {
      return store.sizes(prefix);
    } catch (IOException | RuntimeException e) {
      errors.record("list", e);
      throw e;
    }
  }

  @Override
  public boolean delete(String name) throws IOException {
    try {
      return store.delete(name);
    } catch (IOException | RuntimeException e) {
      errors.record("delete", e);
      throw e;
    }
  }

  @Override
  public int transfersInFlight() {
    return store.transfersInFlight();
  }

  @Override
  public Optional<java.nio.file.Path> localDirectory() {
    return store.localDirectory();
  }

  @Override
  public void close() throws IOException {
    if (store instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (IOException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        throw new IOException("closing the backup store failed", e);
      }
    }
  }

  private final class CountedPending extends PendingObject {
    private final PendingObject out;

    CountedPending(PendingObject out) {
      super(out.name());
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      try {
        out.write(b);
      } catch (IOException | RuntimeException e) {
        errors.record("write", e);
        throw e;
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      try {
        out.write(b, off, len);
      } catch (IOException | RuntimeException e) {
        errors.record("write", e);
        throw e;
      }
    }

    @Override
    public void flush() throws IOException {
      try {
        out.flush();
      } catch (IOException | RuntimeException e) {
        errors.record("write", e);
        throw e;
      }
    }

    @Override
    public void commit() throws IOException {
      try {
        out.commit();
      } catch (IOException | RuntimeException e) {
        errors.record("commit", e);
        throw e;
      }
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }

  private final class CountedInput extends FilterInputStream {
    CountedInput(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      try {
        return super.read();
      } catch (IOException | RuntimeException e) {
        errors.record("read", e);
        throw e;
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return in.read(b, off, len);
      } catch (IOException | RuntimeException e) {
        errors.record("read", e);
        throw e;
      }
    }

    @Override
    public long skip(long n) throws IOException {
      try {
        return in.skip(n);
      } catch (IOException | RuntimeException e) {
        errors.record("read", e);
        throw e;
      }
    }
  }
}
