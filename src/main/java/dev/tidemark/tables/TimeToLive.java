package dev.tidemark.tables;

import java.util.Objects;

/**
 * A table's time-to-live setting. While enabled, items whose {@code attributeName} holds a number
 * of epoch seconds in the past are deleted by the TTL sweeper.
 *
 * @param enabled whether expired items are deleted
 * @param attributeName the attribute holding the expiry time; null exactly when disabled
 */
public record TimeToLive(boolean enabled, String attributeName) {
  public static final TimeToLive DISABLED = new TimeToLive(false, null);

  public TimeToLive {
    if (enabled) {
      Objects.requireNonNull(attributeName, "an enabled TTL needs an attribute name");
    } else if (attributeName != null) {
      throw new IllegalArgumentException("a disabled TTL has no attribute name");
    }
  }

  public static TimeToLive on(String attributeName) {
    return new TimeToLive(true, attributeName);
  }
}
