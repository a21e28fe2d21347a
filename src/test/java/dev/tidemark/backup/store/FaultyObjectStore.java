package dev.tidemark.backup.store;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Decorates a store with injectable faults for reliability tests. Faults are configured fluently
 * and can be changed while the store is in use (the fields are volatile); {@link #heal()} clears
 * them. Every fault keeps the store's promise that an object is visible whole or not at all, except
 * {@link #loseWrites}, which models a store that acknowledges and then loses data.
 */
public final class FaultyObjectStore implements ObjectStore {
  private static final Predicate<String> NONE = n -> false;

  private final ObjectStore delegate;
  private volatile Predicate<String> failPuts = NONE;
  private volatile Predicate<String> loseWrites = NONE;
  private volatile Predicate<String> failGets = NONE;
  private volatile Predicate<String> failDeletes = NONE;
  private volatile Predicate<String> corruptWrites = NONE;
  private volatile Predicate<String> corruptReads = NONE;
  private volatile Predicate<String> truncateReads = NONE;
  private volatile long capacityBytes = Long.MAX_VALUE;
  private volatile int commitsBeforeFailure = Integer.MAX_VALUE;
  private volatile Duration putDelay = Duration.ZERO;
  private volatile Predicate<String> holdPuts = NONE;
  private volatile Predicate<String> holdDeletes = NONE;
  private volatile Hold hold = new Hold();
  private final AtomicLong bytesWritten = new AtomicLong();
  private final AtomicInteger commits = new AtomicInteger();

  public FaultyObjectStore(ObjectStore delegate) {
    this.delegate = delegate;
  }

  /** Commits of matching names fail with an IOException; nothing becomes visible. */
  public FaultyObjectStore failPuts(Predicate<String> names) {
    this.failPuts = names;
    return this;
  }

  /** Commits of matching names report success, but the object is never stored. */
  public FaultyObjectStore loseWrites(Predicate<String> names) {
    this.loseWrites = names;
    return this;
  }

  public FaultyObjectStore failGets(Predicate<String> names) {
    this.failGets = names;
    return this;
  }

  /** Matching objects are stored with one byte flipped: a disk that garbles what it is given. */
  public FaultyObjectStore corruptWrites(Predicate<String> names) {
    this.corruptWrites = names;
    return this;
  }

  /**
   * Matching objects are stored faithfully but read with one byte of their middle flipped: a store
   * that garbles what it hands back.
   */
  public FaultyObjectStore corruptReads(Predicate<String> names) {
    corruptReads = names;
    return this;
  }

  /** Matching objects are stored faithfully but read without their last byte. */
  public FaultyObjectStore truncateReads(Predicate<String> names) {
    truncateReads = names;
    return this;
  }

  public FaultyObjectStore failDeletes(Predicate<String> names) {
    this.failDeletes = names;
    return this;
  }

  /** Writes fail with "No space left on device" once this many more bytes have been written. */
  public FaultyObjectStore diskFullAfter(long bytes) {
    bytesWritten.set(0);
    this.capacityBytes = bytes;
    return this;
  }

  /** The next {@code n} commits succeed, every later one fails: a crash after n puts. */
  public FaultyObjectStore failAfterCommits(int n) {
    commits.set(0);
    this.commitsBeforeFailure = n;
    return this;
  }

  /** Every commit sleeps this long first, to widen race windows. */
  public FaultyObjectStore slowPuts(Duration delay) {
    this.putDelay = delay;
    return this;
  }

  /**
   * Commits of matching names stop at {@link Hold#awaitHeld} until {@link Hold#release}: a
   * deterministic race window, with no sleeping.
   */
  public FaultyObjectStore holdPuts(Predicate<String> names, Hold gate) {
    this.hold = gate;
    this.holdPuts = names;
    return this;
  }

  /** Deletes of matching names stop until {@link Hold#release}, as {@link #holdPuts} does. */
  public FaultyObjectStore holdDeletes(Predicate<String> names, Hold gate) {
    this.hold = gate;
    this.holdDeletes = names;
    return this;
  }

  /** A gate that stops store calls and tells the test when one is stopped there. */
  public static final class Hold {
    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    /** Waits until a call is stopped at the gate; false if none came within a minute. */
    public boolean awaitHeld() throws InterruptedException {
      return held.await(1, TimeUnit.MINUTES);
    }

    public void release() {
      released.countDown();
    }

    void pass() throws IOException {
      held.countDown();
      try {
        released.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted at a held store call", e);
      }
    }
  }

  public FaultyObjectStore heal() {
    hold.release();
    holdPuts = NONE;
    holdDeletes = NONE;
    failPuts = NONE;
    loseWrites = NONE;
    failGets = NONE;
    failDeletes = NONE;
    corruptWrites = NONE;
    corruptReads = NONE;
    truncateReads = NONE;
    capacityBytes = Long.MAX_VALUE;
    commitsBeforeFailure = Integer.MAX_VALUE;
    putDelay = Duration.ZERO;
    return this;
  }

  @Override
  public PendingObject create(String name) throws IOException {
    PendingObject inner = delegate.create(name);
    boolean corrupt = corruptWrites.test(name);
    return new PendingObject(name) {
      private boolean flipped;

      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        if (bytesWritten.addAndGet(len) > capacityBytes) {
          throw new IOException("No space left on device (injected) writing " + name());
        }
        if (corrupt && !flipped && len > 0) {
          flipped = true;
          byte[] copy = java.util.Arrays.copyOfRange(b, off, off + len);
          copy[len / 2] ^= 0x01;
          inner.write(copy, 0, len);
          return;
        }
        inner.write(b, off, len);
      }

      @Override
      public void commit() throws IOException {
        sleep(putDelay);
        if (holdPuts.test(name())) {
          hold.pass();
        }
        if (failPuts.test(name())) {
          inner.close();
          throw new IOException("injected put failure for " + name());
        }
        if (commits.incrementAndGet() > commitsBeforeFailure) {
          inner.close();
          throw new IOException("injected failure after " + commitsBeforeFailure + " commits");
        }
        if (loseWrites.test(name())) {
          inner.close();
          return;
        }
        inner.commit();
      }

      @Override
      public void close() throws IOException {
        inner.close();
      }
    };
  }

  private static void sleep(Duration d) throws IOException {
    if (!d.isZero()) {
      try {
        Thread.sleep(d.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
  }

  @Override
  public InputStream get(String name) throws IOException {
    if (failGets.test(name)) {
      throw new IOException("injected get failure for " + name);
    }
    boolean corrupt = corruptReads.test(name);
    boolean truncate = truncateReads.test(name);
    if (!corrupt && !truncate) {
      return delegate.get(name);
    }
    byte[] bytes;
    try (InputStream in = delegate.get(name)) {
      bytes = in.readAllBytes();
    }
    if (corrupt && bytes.length > 0) {
      bytes[bytes.length / 2] ^= 0x01;
    }
    int length = truncate ? Math.max(0, bytes.length - 1) : bytes.length;
    return new java.io.ByteArrayInputStream(bytes, 0, length);
  }

  @Override
  public OptionalLong size(String name) throws IOException {
    return delegate.size(name);
  }

  @Override
  public List<String> list(String prefix) throws IOException {
    return delegate.list(prefix);
  }

  @Override
  public boolean delete(String name) throws IOException {
    if (failDeletes.test(name)) {
      throw new IOException("injected delete failure for " + name);
    }
    if (holdDeletes.test(name)) {
      hold.pass();
    }
    return delegate.delete(name);
  }
}
