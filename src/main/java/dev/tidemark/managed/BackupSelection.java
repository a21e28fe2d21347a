package dev.tidemark.managed;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which tables a plan protects, evaluated at each run against the tables that exist then: those
 * whose ARN matches a {@code resources} pattern or that carry one of {@code listOfTags} (either
 * suffices), that satisfy every one of {@code conditions}, and that match no {@code notResources}
 * pattern. Patterns take {@code *} as a wildcard.
 *
 * @param listOfTags tag key to value, STRINGEQUALS conditions of which any one selects
 * @param conditions operator (StringEquals, StringNotEquals, StringLike, StringNotLike) to the
 *     {@code aws:ResourceTag/<key>} conditions under it, all of which must hold
 */
public record BackupSelection(
    String id,
    String planId,
    String name,
    String iamRoleArn,
    List<String> resources,
    List<String> notResources,
    List<Tag> listOfTags,
    Map<String, List<Tag>> conditions,
    String creatorRequestId,
    long creationMillis) {

  /** A tag condition: key and value. */
  public record Tag(String key, String value) {}

  public BackupSelection {
    Objects.requireNonNull(id);
    resources = resources == null ? List.of() : List.copyOf(resources);
    notResources = notResources == null ? List.of() : List.copyOf(notResources);
    listOfTags = listOfTags == null ? List.of() : List.copyOf(listOfTags);
    conditions = conditions == null ? Map.of() : Map.copyOf(conditions);
  }

  /** Whether this selection takes the table with this ARN and these tags. */
  public boolean selects(String arn, Map<String, String> tags) {
    boolean picked = resources.stream().anyMatch(p -> like(p, arn));
    for (Tag t : listOfTags) {
      picked |= t.value().equals(tags.get(t.key()));
    }
    if (!picked) {
      return false;
    }
    for (Map.Entry<String, List<Tag>> c : conditions.entrySet()) {
      for (Tag t : c.getValue()) {
        String key = t.key().startsWith("aws:ResourceTag/") ? t.key().substring(16) : t.key();
        String v = tags.get(key);
        boolean holds =
            switch (c.getKey()) {
              case "StringEquals" -> t.value().equals(v);
              case "StringNotEquals" -> !t.value().equals(v);
              case "StringLike" -> v != null && like(t.value(), v);
              default -> v == null || !like(t.value(), v);
            };
        if (!holds) {
          return false;
        }
      }
    }
    return notResources.stream().noneMatch(p -> like(p, arn));
  }

  /** {@code *} matches any run of characters, everything else itself. */
  static boolean like(String pattern, String s) {
    String[] parts = pattern.split("\\*", -1);
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        re.append(".*");
      }
      re.append(java.util.regex.Pattern.quote(parts[i]));
    }
    return s.matches(re.toString());
  }
}
