package dev.tidemark.pitr;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * The point-in-time recovery state of one table incarnation, kept in the local catalog and, so that
 * a fresh server can find it (invariant I3), in the backup store.
 *
 * @param tableUuid the incarnation's TableId, which keys its archive in the store
 * @param definition the table's definition (TableDefinition JSON), for restores after it is gone
 * @param enabled whether the window is open
 * @param windowStartMillis the first restorable instant of the current window
 * @param windowStartSeq the change-log position of the window's first base snapshot
 * @param deletedMillis when the table was deleted, or null while it lives
 */
public record PitrState(
    String tableName,
    String tableArn,
    String tableUuid,
    JsonNode definition,
    boolean enabled,
    int recoveryPeriodDays,
    long windowStartMillis,
    long windowStartSeq,
    Long deletedMillis) {

  public static final int DEFAULT_PERIOD_DAYS = 35;
  public static final long DAY_MILLIS = 24L * 60 * 60 * 1000;

  public PitrState {
    Objects.requireNonNull(tableName);
    Objects.requireNonNull(tableArn);
    Objects.requireNonNull(tableUuid);
    Objects.requireNonNull(definition);
    if (recoveryPeriodDays < 1 || recoveryPeriodDays > 35) {
      throw new IllegalArgumentException("recovery period must be 1 to 35 days");
    }
    definition = definition.deepCopy();
  }

  @Override
  public JsonNode definition() {
    return definition.deepCopy();
  }

  /** The earliest restorable instant at {@code now}: the window start or the period's start. */
  public long earliest(long now) {
    long horizon = (deletedMillis == null ? now : deletedMillis) - recoveryPeriodDays * DAY_MILLIS;
    return Math.max(windowStartMillis, horizon);
  }

  /** Whether everything of a deleted incarnation has aged out of its recovery period. */
  public boolean expired(long now) {
    return deletedMillis != null && now - deletedMillis > recoveryPeriodDays * DAY_MILLIS;
  }

  /**
   * The window with another recovery period, as of {@code now}. A longer period does not bring back
   * history the shorter one let go (the pruner may already have deleted it, invariant I6): the
   * window starts at the old period's earliest instant and grows back from there as time passes.
   */
  public PitrState withPeriod(int days, long now) {
    return new PitrState(
        tableName,
        tableArn,
        tableUuid,
        definition,
        enabled,
        days,
        earliest(now),
        windowStartSeq,
        deletedMillis);
  }

  public PitrState disabled() {
    return new PitrState(
        tableName,
        tableArn,
        tableUuid,
        definition,
        false,
        recoveryPeriodDays,
        windowStartMillis,
        windowStartSeq,
        deletedMillis);
  }

  public PitrState deleted(long at) {
    return new PitrState(
        tableName,
        tableArn,
        tableUuid,
        definition,
        enabled,
        recoveryPeriodDays,
        windowStartMillis,
        windowStartSeq,
        at);
  }
}
