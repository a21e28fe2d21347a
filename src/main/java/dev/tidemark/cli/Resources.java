package dev.tidemark.cli;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the server opened, closed in reverse order: whatever was opened later may depend on what was
 * opened earlier (a table cache on the storage engine beneath it).
 */
public final class Resources implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Resources.class);
  private final Deque<AutoCloseable> opened = new ArrayDeque<>();

  /** Takes ownership of {@code resource}; returns it for chaining. */
  public synchronized <T extends AutoCloseable> T register(T resource) {
    opened.push(resource);
    return resource;
  }

  /** Closes everything, newest first; a failure is logged and the rest still close. */
  @Override
  public synchronized void close() {
    while (!opened.isEmpty()) {
      AutoCloseable resource = opened.pop();
      try {
        resource.close();
      } catch (Exception e) {
        log.error("Failed to close {}", resource, e);
      }
    }
  }
}
