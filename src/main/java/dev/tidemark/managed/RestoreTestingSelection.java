package dev.tidemark.managed;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A restore testing selection: which protected resources a plan tests, with what restore metadata,
 * and how long the restored table waits for a caller's validation result.
 *
 * @param resourceArns table ARNs, or just {@code *} for every resource with recovery points
 * @param conditions {@code StringEquals} or {@code StringNotEquals} to tag conditions (keys with or
 *     without {@code aws:ResourceTag/}), all of which must hold; only with {@code *}
 * @param metadataOverrides restore metadata keys (lower-cased) over the inferred ones
 */
public record RestoreTestingSelection(
    String planName,
    String name,
    String resourceType,
    String iamRoleArn,
    List<String> resourceArns,
    Map<String, List<BackupSelection.Tag>> conditions,
    Map<String, String> metadataOverrides,
    int validationWindowHours,
    String creatorRequestId,
    long creationMillis,
    Long updateMillis) {
  public static final int MAX_VALIDATION_WINDOW_HOURS = 168;

  public RestoreTestingSelection {
    Objects.requireNonNull(planName);
    Objects.requireNonNull(name);
    resourceArns = resourceArns == null ? List.of() : List.copyOf(resourceArns);
    conditions = conditions == null ? Map.of() : Map.copyOf(conditions);
    metadataOverrides = metadataOverrides == null ? Map.of() : Map.copyOf(metadataOverrides);
  }

  /** Whether this selection tests the table with this ARN and these tags. */
  public boolean selects(String arn, Map<String, String> tags) {
    if (!resourceArns.contains("*")) {
      return resourceArns.contains(arn);
    }
    for (Map.Entry<String, List<BackupSelection.Tag>> c : conditions.entrySet()) {
      for (BackupSelection.Tag t : c.getValue()) {
        String key = t.key().startsWith("aws:ResourceTag/") ? t.key().substring(16) : t.key();
        boolean equal = t.value().equals(tags.get(key));
        if (equal != c.getKey().equals("StringEquals")) {
          return false;
        }
      }
    }
    return true;
  }

  /** Its id among all plans' selections. */
  public String key() {
    return planName + "/" + name;
  }
}
