package dev.tidemark.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.auth.Check;
import java.util.function.Predicate;

/**
 * One Tidemark-specific operation the console (and {@code tidemark}) calls at {@code POST
 * /console/api/<name>}. It runs only after the gate admitted it as {@code tidemark:<name>}.
 */
public interface ConsoleOperation {
  String name();

  /**
   * Validates first, then answers.
   *
   * @throws dev.tidemark.errors.DynamoException with DynamoDB's error types for bad input
   */
  ObjectNode execute(JsonNode input);

  /**
   * The same, for an operation whose answer lists several resources: {@code visible} tells which of
   * them the admitted caller may see (open mode: all), and the operation leaves out the rest.
   */
  default ObjectNode execute(JsonNode input, Predicate<Check> visible) {
    return execute(input);
  }
}
