package dev.tidemark.managed;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A backup plan with every version it has had (the newest last) and, per rule of the newest
 * version, the last scheduled run the scheduler has dealt with: that cursor is what keeps a run
 * from being lost or started twice across restarts.
 */
public record BackupPlan(
    String id,
    String arn,
    String creatorRequestId,
    long creationMillis,
    Long deletionMillis,
    Long lastExecutionMillis,
    List<Version> versions,
    Map<String, Long> cursors) {

  /** One version: its id (base64 of a UUID, as AWS's look), name and rules. */
  public record Version(
      String versionId, String name, List<BackupRule> rules, long creationMillis) {
    public Version {
      rules = List.copyOf(rules);
    }
  }

  public BackupPlan {
    Objects.requireNonNull(id);
    versions = List.copyOf(versions);
    cursors = Map.copyOf(cursors);
  }

  public Version current() {
    return versions.get(versions.size() - 1);
  }

  public BackupPlan with(
      Long deletion, Long lastExecution, List<Version> newVersions, Map<String, Long> newCursors) {
    return new BackupPlan(
        id,
        arn,
        creatorRequestId,
        creationMillis,
        deletion,
        lastExecution,
        newVersions,
        newCursors);
  }
}
