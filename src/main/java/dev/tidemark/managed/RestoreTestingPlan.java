package dev.tidemark.managed;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A restore testing plan: when to test ({@code scheduleExpression} in {@code timezone}, started
 * within {@code startWindowHours}) and which recovery point of each selected resource to restore.
 *
 * @param cursorMillis the last scheduled run the scheduler dealt with; runs after it and up to now
 *     are due
 * @param lastExecutionMillis the last scheduled run that started tests, or null
 */
public record RestoreTestingPlan(
    String name,
    String arn,
    String scheduleExpression,
    String timezone,
    int startWindowHours,
    PointSelection pointSelection,
    String creatorRequestId,
    Map<String, String> tags,
    long creationMillis,
    Long updateMillis,
    Long lastExecutionMillis,
    long cursorMillis) {
  public static final String DEFAULT_SCHEDULE = "cron(0 5 ? * * *)";
  public static final String DEFAULT_TIMEZONE = "UTC";
  public static final int DEFAULT_START_WINDOW_HOURS = 24;
  public static final int MAX_START_WINDOW_HOURS = 168;

  public static final String LATEST = "LATEST_WITHIN_WINDOW";
  public static final String RANDOM = "RANDOM_WITHIN_WINDOW";

  /**
   * {@code RecoveryPointSelection}: the latest or a random point of the last {@code
   * selectionWindowDays}, from vaults matching {@code includeVaults} and no {@code excludeVaults}
   * (vault ARNs, {@code *} as a wildcard).
   */
  public record PointSelection(
      String algorithm,
      List<String> includeVaults,
      List<String> excludeVaults,
      List<String> recoveryPointTypes,
      int selectionWindowDays) {
    public static final int DEFAULT_WINDOW_DAYS = 30;

    public PointSelection {
      Objects.requireNonNull(algorithm);
      includeVaults = includeVaults == null ? List.of() : List.copyOf(includeVaults);
      excludeVaults = excludeVaults == null ? List.of() : List.copyOf(excludeVaults);
      recoveryPointTypes = recoveryPointTypes == null ? List.of() : List.copyOf(recoveryPointTypes);
    }

    /** Whether points of this vault may be chosen. */
    public boolean includes(String vaultArn) {
      return includeVaults.stream().anyMatch(p -> BackupSelection.like(p, vaultArn))
          && excludeVaults.stream().noneMatch(p -> BackupSelection.like(p, vaultArn));
    }
  }

  public RestoreTestingPlan {
    Objects.requireNonNull(name);
    Objects.requireNonNull(arn);
    Objects.requireNonNull(scheduleExpression);
    Objects.requireNonNull(timezone);
    Objects.requireNonNull(pointSelection);
    tags = tags == null ? Map.of() : Map.copyOf(tags);
  }

  public RestoreTestingPlan updated(
      String schedule, String zone, int window, PointSelection selection, long now) {
    return new RestoreTestingPlan(
        name,
        arn,
        schedule,
        zone,
        window,
        selection,
        creatorRequestId,
        tags,
        creationMillis,
        now,
        lastExecutionMillis,
        cursorMillis);
  }

  public RestoreTestingPlan ranTo(long cursor, Long lastExecution) {
    return new RestoreTestingPlan(
        name,
        arn,
        scheduleExpression,
        timezone,
        startWindowHours,
        pointSelection,
        creatorRequestId,
        tags,
        creationMillis,
        updateMillis,
        lastExecution,
        cursor);
  }
}
