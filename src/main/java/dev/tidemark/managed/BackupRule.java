package dev.tidemark.managed;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One rule of a backup plan: when (AWS cron in a time zone), how long a run may wait to start and
 * to complete, into which vault, the points' lifecycle and tags, and where copies of them go.
 */
public record BackupRule(
    String ruleName,
    String ruleId,
    String targetVaultName,
    String scheduleExpression,
    String timezone,
    long startWindowMinutes,
    long completionWindowMinutes,
    Lifecycle lifecycle,
    Map<String, String> recoveryPointTags,
    List<CopyAction> copyActions) {
  public static final String DEFAULT_SCHEDULE = "cron(0 5 ? * * *)";
  public static final String DEFAULT_TIMEZONE = "Etc/UTC";
  public static final long DEFAULT_COMPLETION_WINDOW_MINUTES = 10080;

  public BackupRule {
    Objects.requireNonNull(ruleName);
    Objects.requireNonNull(ruleId);
    lifecycle = lifecycle == null ? Lifecycle.NONE : lifecycle;
    recoveryPointTags = recoveryPointTags == null ? Map.of() : Map.copyOf(recoveryPointTags);
    // Rules stored before copies existed have none.
    copyActions = copyActions == null ? List.of() : List.copyOf(copyActions);
  }
}
