package dev.tidemark.changelog;

import java.util.function.LongSupplier;

/**
 * Hands out commit positions. Sequence numbers strictly increase and commit times never go
 * backwards (max of the wall clock and the last commit time), so seq order and time order agree
 * (invariant I1). Callers hold the write lock; this class is not thread-safe on its own.
 */
public final class Sequencer {
  private final LongSupplier clock;
  private long lastSeq;
  private long lastTime;

  public Sequencer(LongSupplier clock, long lastSeq, long lastTime) {
    this.clock = clock;
    this.lastSeq = lastSeq;
    this.lastTime = lastTime;
  }

  /** The commit instant for the next commit: one instant shared by all its records. */
  public long nextTime() {
    lastTime = Math.max(clock.getAsLong(), lastTime);
    return lastTime;
  }

  public long nextSeq() {
    return ++lastSeq;
  }

  public long lastSeq() {
    return lastSeq;
  }

  public long lastTime() {
    return lastTime;
  }
}
