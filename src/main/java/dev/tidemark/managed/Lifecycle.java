package dev.tidemark.managed;

import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;

/**
 * When a recovery point moves to cold storage and when it is deleted, in days after its creation;
 * either may be absent. The constructor enforces AWS Backup's rules with its messages: each number
 * within 1..36500 and deletion at least 90 days after the move to cold storage.
 */
public record Lifecycle(Integer moveToColdStorageAfterDays, Integer deleteAfterDays) {
  private static final long DAY_MILLIS = 86_400_000L;

  public static final Lifecycle NONE = new Lifecycle(null, null);

  public Lifecycle {
    if (deleteAfterDays != null && (deleteAfterDays < 1 || deleteAfterDays > 36500)) {
      throw invalid(
          "Invalid lifecycle. DeleteAfterDays cannot be less than 1 or more than 36500 days");
    }
    if (moveToColdStorageAfterDays != null
        && (moveToColdStorageAfterDays < 1 || moveToColdStorageAfterDays > 36500)) {
      throw invalid(
          "Invalid lifecycle. MoveToColdStorageAfterDays cannot be less than 1 or more than 36500"
              + " days");
    }
    if (moveToColdStorageAfterDays != null
        && deleteAfterDays != null
        && deleteAfterDays < moveToColdStorageAfterDays + 90L) {
      throw invalid(
          "Invalid lifecycle. DeleteAfterDays cannot be less than 90 days apart from"
              + " MoveToColdStorageAfterDays");
    }
  }

  public boolean isEmpty() {
    return moveToColdStorageAfterDays == null && deleteAfterDays == null;
  }

  /** When a point created at {@code creationMillis} is deleted, or null when never. */
  public Long deleteAt(long creationMillis) {
    return deleteAfterDays == null ? null : creationMillis + deleteAfterDays * DAY_MILLIS;
  }

  /** When a point created at {@code creationMillis} moves to cold storage, or null when never. */
  public Long moveToColdStorageAt(long creationMillis) {
    return moveToColdStorageAfterDays == null
        ? null
        : creationMillis + moveToColdStorageAfterDays * DAY_MILLIS;
  }

  private static DynamoException invalid(String message) {
    return new DynamoException(WireError.INVALID_PARAMETER_VALUE, message);
  }
}
