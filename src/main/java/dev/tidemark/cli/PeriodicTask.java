package dev.tidemark.cli;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs background work (TTL sweeps, retention) on its own thread at a fixed delay. A failing run is
 * logged and the next one still happens: one bad pass must not stop expiry or retention for good.
 */
final class PeriodicTask implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PeriodicTask.class);
  private final String name;
  private final ScheduledExecutorService executor;

  PeriodicTask(String name, Duration interval, Runnable work) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException(name + " interval must be positive, not " + interval);
    }
    this.name = name;
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "tidemark-" + name);
              t.setDaemon(true);
              return t;
            });
    long millis = interval.toMillis();
    executor.scheduleWithFixedDelay(
        () -> {
          try {
            work.run();
          } catch (RuntimeException e) {
            log.error("Background task {} failed; it runs again in {} ms", name, millis, e);
          }
        },
        millis,
        millis,
        TimeUnit.MILLISECONDS);
  }

  /**
   * Stops scheduling, interrupts a run in progress (the work checks for it between steps) and waits
   * for it to end, so storage is not closed under it.
   */
  @Override
  public void close() {
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
        log.warn("Background task {} did not stop within 30 s", name);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "background task " + name;
  }
}
