package dev.tidemark.expressions;

import dev.tidemark.model.AttributeValue;
import java.util.Map;
import java.util.Set;

/** A parsed condition or filter, evaluated against one item. */
public interface Condition {
  /** The item is an empty map when no item exists. */
  boolean test(Map<String, AttributeValue> item);

  /**
   * The top-level attribute names the condition reads, placeholders resolved. Query needs them:
   * DynamoDB refuses a filter that names a key attribute of the queried table or index.
   */
  default Set<String> topLevelNames() {
    return Set.of();
  }
}
