package dev.tidemark.iam;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;

/**
 * One IAM or STS operation of the AWS query protocol. It validates its parameters, acts, and writes
 * the inside of its {@code <ActionResult>} element, or nothing for operations without a result.
 * Refusals are {@link dev.tidemark.errors.DynamoException}s with IAM's error codes.
 */
public interface QueryAction {
  /** Service-qualified name, e.g. {@code iam:CreateUser}: the operation the gate authorizes. */
  String operation();

  /**
   * @return false when the operation answers without a result element
   */
  boolean execute(CallerIdentity caller, JsonNode params, Xml result);
}
