package dev.tidemark.auth;

import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;

/** IAM's input rules and refusals, with IAM's wording, shared by the identity store's parts. */
final class IamRules {
  private IamRules() {}

  static void checkName(String name, String field, int max) {
    if (name == null) {
      throw missing(field);
    }
    if (name.isEmpty() || name.length() > max || !name.matches("[\\w+=,.@-]+")) {
      throw new DynamoException(
          WireError.IAM_VALIDATION,
          "1 validation error detected: Value '"
              + name
              + "' at '"
              + field
              + "' failed to satisfy constraint: Member must satisfy regular expression pattern:"
              + " [\\w+=,.@-]+");
    }
  }

  static void checkPath(String path) {
    if (!path.matches("/([\\x21-\\x7e]*/)?") || path.length() > 512) {
      throw new DynamoException(
          WireError.IAM_VALIDATION,
          "The specified value for path is invalid. It must begin and end with / and contain only"
              + " alphanumeric characters and/or / characters.");
    }
  }

  static DynamoException missing(String field) {
    return new DynamoException(
        WireError.IAM_VALIDATION,
        "1 validation error detected: Value null at '"
            + field
            + "' failed to satisfy constraint: Member must not be null");
  }

  /** IAM's refusal of a number outside its range, e.g. maxSessionDuration. */
  static DynamoException outOfRange(String field, long value, long min, long max) {
    boolean low = value < min;
    return new DynamoException(
        WireError.IAM_VALIDATION,
        "1 validation error detected: Value '"
            + value
            + "' at '"
            + field
            + "' failed to satisfy constraint: Member must have value "
            + (low ? "greater than or equal to " + min : "less than or equal to " + max));
  }

  static DynamoException noSuchEntity(String message) {
    return new DynamoException(WireError.NO_SUCH_ENTITY, message);
  }

  static DynamoException alreadyExists(String message) {
    return new DynamoException(WireError.ENTITY_ALREADY_EXISTS, message);
  }

  static DynamoException deleteConflict(String message) {
    return new DynamoException(WireError.DELETE_CONFLICT, message);
  }

  static PolicyDocument parsePolicy(String document, PolicyDocument.Kind kind, String field) {
    if (document == null) {
      throw missing(field);
    }
    try {
      return PolicyDocument.parse(document, kind);
    } catch (PolicyDocument.MalformedPolicyException e) {
      throw new DynamoException(WireError.MALFORMED_POLICY_DOCUMENT, e.getMessage());
    }
  }
}
