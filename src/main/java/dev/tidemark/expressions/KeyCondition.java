package dev.tidemark.expressions;

import dev.tidemark.model.AttributeValue;

/**
 * A Query's key condition resolved against a key schema: equality on the partition key and an
 * optional condition on the sort key. Obtain one from {@link ParsedKeyCondition#resolve}.
 */
public record KeyCondition(String hashAttribute, AttributeValue hashValue, RangeCondition range) {}
