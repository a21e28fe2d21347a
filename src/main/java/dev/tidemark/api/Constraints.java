package dev.tidemark.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.errors.DynamoException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Collects member-constraint violations and reports them the way DynamoDB's request validation
 * does: "1 validation error detected: Value null at 'tableName' failed to satisfy constraint:
 * Member must not be null", with several violations joined by "; ".
 */
public final class Constraints {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_.-]+");
  private final List<String> violations = new ArrayList<>();

  public Constraints notNull(JsonNode value, String member) {
    if (value == null || value.isNull()) {
      violations.add(
          "Value null at '" + member + "' failed to satisfy constraint: Member must not be null");
    }
    return this;
  }

  /** Table, index and backup names: 3 to 255 characters of [a-zA-Z0-9_.-]. */
  public Constraints name(String value, String member) {
    return name(value, member, 255);
  }

  public Constraints name(String value, String member, int maxLength) {
    if (value == null) {
      return this;
    }
    if (!NAME.matcher(value).matches()) {
      violations.add(
          "Value '"
              + value
              + "' at '"
              + member
              + "' failed to satisfy constraint: Member must satisfy regular expression pattern:"
              + " [a-zA-Z0-9_.-]+");
    }
    if (value.length() < 3) {
      violations.add(
          "Value '"
              + value
              + "' at '"
              + member
              + "' failed to satisfy constraint: Member must have length greater than or equal to"
              + " 3");
    }
    if (value.length() > maxLength) {
      violations.add(
          "Value '"
              + value
              + "' at '"
              + member
              + "' failed to satisfy constraint: Member must have length less than or equal to "
              + maxLength);
    }
    return this;
  }

  /** A table name that may also be given as a table ARN (up to 1024 characters). */
  public Constraints tableNameOrArn(String value, String member) {
    if (value != null && value.startsWith("arn:")) {
      if (value.length() > 1024) {
        violations.add(
            "Value '"
                + value
                + "' at '"
                + member
                + "' failed to satisfy constraint: Member must have length less than or equal to"
                + " 1024");
      }
      return this;
    }
    return name(value, member);
  }

  public Constraints range(Long value, long min, long max, String member) {
    if (value == null) {
      return this;
    }
    if (value < min) {
      violations.add(
          "Value '"
              + value
              + "' at '"
              + member
              + "' failed to satisfy constraint: Member must have value greater than or equal to "
              + min);
    } else if (value > max) {
      violations.add(
          "Value '"
              + value
              + "' at '"
              + member
              + "' failed to satisfy constraint: Member must have value less than or equal to "
              + max);
    }
    return this;
  }

  /** A string's length in characters, as DynamoDB's "Length Constraints" count them. */
  public Constraints length(String value, String member, int min, int max) {
    if (value == null) {
      return this;
    }
    int n = value.codePointCount(0, value.length());
    if (n < min) {
      violations.add(
          "Value '"
              + value
              + "' at '"
              + member
              + "' failed to satisfy constraint: Member must have length greater than or equal to "
              + min);
    } else if (n > max) {
      violations.add(
          "Value '"
              + value
              + "' at '"
              + member
              + "' failed to satisfy constraint: Member must have length less than or equal to "
              + max);
    }
    return this;
  }

  public Constraints oneOf(String value, String member, List<String> allowed) {
    if (value != null && !allowed.contains(value)) {
      violations.add(
          "Value '"
              + value
              + "' at '"
              + member
              + "' failed to satisfy constraint: Member must satisfy enum value set: "
              + allowed);
    }
    return this;
  }

  public Constraints add(String violation) {
    violations.add(violation);
    return this;
  }

  public void check() {
    if (violations.isEmpty()) {
      return;
    }
    int n = violations.size();
    throw DynamoException.validation(
        n
            + " validation error"
            + (n == 1 ? "" : "s")
            + " detected: "
            + String.join("; ", violations));
  }
}
