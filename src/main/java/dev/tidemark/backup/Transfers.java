package dev.tidemark.backup;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Object transfers in parallel: the threads that upload a backup's objects ({@link
 * BackupWriter#submit}) and that read ahead for restores and PITR replays ({@link #prefetch}). Each
 * user bounds its own transfers in flight (by {@link
 * dev.tidemark.backup.store.ObjectStore#transfersInFlight()}), so the pool itself is unbounded: a
 * task never waits for another, and several backups and restores at once cannot deadlock.
 */
public final class Transfers {
  private static final AtomicInteger THREADS = new AtomicInteger();

  static final ExecutorService POOL =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "backup-transfer-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
          });

  private Transfers() {}

  /** Reads one input's object whole; it runs on a transfer thread. */
  @FunctionalInterface
  public interface Fetch<I, T> {
    T fetch(I input) throws IOException;
  }

  /**
   * Fetches {@code inputs} in order with up to {@code window} fetches running ahead of the reader.
   * Each fetched object is held in memory until read, so the window bounds memory too. Close it to
   * stop fetching early.
   */
  public static <I, T> Prefetch<T> prefetch(List<I> inputs, int window, Fetch<I, T> fetch) {
    return new Prefetch<>(inputs.iterator(), Math.max(1, window), fetch);
  }

  /** Fetched objects, in input order. */
  public static final class Prefetch<T> implements AutoCloseable {
    private final ArrayDeque<Future<T>> ahead = new ArrayDeque<>();
    private final Iterator<?> inputs;
    private final int window;
    private final Fetch<Object, T> fetch;
    private volatile boolean closed;

    @SuppressWarnings("unchecked")
    private <I> Prefetch(Iterator<I> inputs, int window, Fetch<I, T> fetch) {
      this.inputs = inputs;
      this.window = window;
      this.fetch = (Fetch<Object, T>) fetch;
      fill();
    }

    private void fill() {
      while (!closed && ahead.size() < window && inputs.hasNext()) {
        Object input = inputs.next();
        ahead.add(
            POOL.submit(
                () -> {
                  if (closed) {
                    throw new IOException("prefetch closed");
                  }
                  return fetch.fetch(input);
                }));
      }
    }

    public boolean hasNext() {
      return !ahead.isEmpty();
    }

    /**
     * The next object, waiting for it if needed.
     *
     * @throws IOException the fetch's failure
     */
    public T next() throws IOException {
      Future<T> f = ahead.poll();
      if (f == null) {
        throw new java.util.NoSuchElementException();
      }
      try {
        T value = f.get();
        fill();
        return value;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        throw new InterruptedIOException("interrupted waiting for an object");
      } catch (ExecutionException e) {
        close();
        Throwable cause = e.getCause();
        if (cause instanceof IOException io) {
          throw io;
        }
        if (cause instanceof UncheckedIOException u) {
          throw u.getCause();
        }
        if (cause instanceof RuntimeException re) {
          throw re;
        }
        if (cause instanceof Error err) {
          throw err;
        }
        throw new IOException(cause);
      }
    }

    /** Stops fetching: fetches not started are skipped, running ones finish and are dropped. */
    @Override
    public void close() {
      closed = true;
      ahead.forEach(f -> f.cancel(false));
      ahead.clear();
    }
  }
}
