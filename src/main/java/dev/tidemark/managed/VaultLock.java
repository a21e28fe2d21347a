package dev.tidemark.managed;

/**
 * A vault lock. Without a lock date it is in governance mode (changeable and removable at any
 * time); with one it is in compliance mode, immutable from that instant on.
 */
public record VaultLock(Integer minRetentionDays, Integer maxRetentionDays, Long lockDateMillis) {
  /** Whether the lock can no longer be changed or removed at {@code now}. */
  public boolean immutableAt(long now) {
    return lockDateMillis != null && now >= lockDateMillis;
  }
}
