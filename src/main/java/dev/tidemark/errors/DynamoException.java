package dev.tidemark.errors;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * An error to be answered to the client. It carries a catalog entry and DynamoDB's message; the
 * protocol layer renders it in one place. {@code extra} holds additional body fields some errors
 * carry (the item of a failed condition, a transaction's cancellation reasons).
 */
public final class DynamoException extends RuntimeException {
  private final WireError error;
  private final transient ObjectNode extra;

  public DynamoException(WireError error, String message) {
    this(error, message, null);
  }

  public DynamoException(WireError error, String message, ObjectNode extra) {
    super(message, null, false, false);
    this.error = Objects.requireNonNull(error);
    this.extra = extra;
  }

  public WireError error() {
    return error;
  }

  /** Additional fields for the error body, or null. */
  public ObjectNode extra() {
    return extra;
  }

  public static DynamoException validation(String message) {
    return new DynamoException(WireError.VALIDATION, message);
  }

  /** DynamoDB prefixes most parameter errors with this sentence. */
  public static DynamoException invalidParameter(String detail) {
    return validation("One or more parameter values were invalid: " + detail);
  }

  public static DynamoException serialization(String message) {
    return new DynamoException(WireError.SERIALIZATION, message);
  }

  public static DynamoException resourceNotFound(String message) {
    return new DynamoException(WireError.RESOURCE_NOT_FOUND, message);
  }

  public static DynamoException tableNotFound() {
    return resourceNotFound("Requested resource not found");
  }

  public static DynamoException resourceInUse(String message) {
    return new DynamoException(WireError.RESOURCE_IN_USE, message);
  }

  public static DynamoException conditionalCheckFailed(ObjectNode extra) {
    return new DynamoException(
        WireError.CONDITIONAL_CHECK_FAILED, "The conditional request failed", extra);
  }
}
