package dev.tidemark.expressions;

import dev.tidemark.model.AttributeValue;
import java.util.Map;

/** A parsed condition or filter, evaluated against one item. */
public interface Condition {
  /** The item is an empty map when no item exists. */
  boolean test(Map<String, AttributeValue> item);
}
