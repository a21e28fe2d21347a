package dev.tidemark.expressions;

import dev.tidemark.model.AttributeValue;
import java.util.List;
import java.util.Objects;

/**
 * A Query's key condition resolved against a key schema: equality on every partition key attribute
 * and, optionally, conditions on the first sort key attributes. Obtain one from {@link
 * ParsedKeyCondition#resolve}.
 *
 * @param hashValues the partition key values, in KeySchema order (one unless the index has a
 *     multi-attribute partition key)
 * @param rangePrefix equality values of the sort key attributes before the one {@code range}
 *     constrains, in KeySchema order (empty unless the index has a multi-attribute sort key)
 * @param range the condition on the last constrained sort key attribute, or null if none is
 */
public record KeyCondition(
    List<AttributeValue> hashValues, List<AttributeValue> rangePrefix, RangeCondition range) {
  public KeyCondition {
    hashValues = List.copyOf(hashValues);
    rangePrefix = List.copyOf(rangePrefix);
    if (hashValues.isEmpty() || (range == null && !rangePrefix.isEmpty())) {
      throw new IllegalArgumentException("a key condition needs the hash key, then a range prefix");
    }
    Objects.requireNonNull(hashValues.get(0));
  }

  /** A key condition on a key of one hash and at most one range attribute. */
  public KeyCondition(AttributeValue hashValue, RangeCondition range) {
    this(List.of(hashValue), List.of(), range);
  }

  /** The first (for a table, the only) partition key value. */
  public AttributeValue hashValue() {
    return hashValues.get(0);
  }
}
