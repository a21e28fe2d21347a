package dev.tidemark.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One DynamoDB API operation. Implementations validate the whole request before they change
 * anything, and signal every client error by throwing {@link dev.tidemark.errors.DynamoException}.
 */
public interface Action {
  /** The operation name as it appears after the dot in {@code X-Amz-Target}. */
  String name();

  ObjectNode execute(RequestContext context, JsonNode request);

  /**
   * Whether the action may wait: for durability (a synced write), another request, or long work
   * (backups, restores). An action that never waits (a read served from memory and local disk) may
   * run on the network thread that read its request, which saves a thread handoff per request.
   */
  default boolean mayWait() {
    return true;
  }
}
