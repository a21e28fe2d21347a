package dev.tidemark.managed;

import java.util.Objects;

/**
 * A recovery point's copy in the cold store, and how far its move there has come. MOVING is written
 * (and synced) before the first cold object, COLD only once the copy is complete and verified: a
 * point is shown COLD exactly when its record says COLD.
 *
 * @param pointId the recovery point's id
 * @param state MOVING while the copy is being written and checked, COLD once it is the point
 * @param manifestName the copy's manifest in the cold store
 * @param startedMillis when the move began (the worker's clock)
 * @param coldMillis when the point became COLD, null while MOVING
 * @param objects how many data objects the copy has
 * @param storedBytes bytes those objects occupy in the cold store
 */
public record ColdCopy(
    String pointId,
    String state,
    String manifestName,
    long startedMillis,
    Long coldMillis,
    int objects,
    long storedBytes) {
  public static final String MOVING = "MOVING";
  public static final String COLD = "COLD";

  public ColdCopy {
    Objects.requireNonNull(pointId);
    Objects.requireNonNull(manifestName);
    if (!MOVING.equals(state) && !COLD.equals(state)) {
      throw new IllegalArgumentException("a cold copy is MOVING or COLD, not " + state);
    }
    if (COLD.equals(state) != (coldMillis != null)) {
      throw new IllegalArgumentException("a cold copy has a cold time exactly when it is COLD");
    }
  }

  public boolean isCold() {
    return COLD.equals(state);
  }

  ColdCopy cold(long at, int objectCount, long bytes) {
    return new ColdCopy(pointId, COLD, manifestName, startedMillis, at, objectCount, bytes);
  }
}
