package dev.tidemark.expressions;

import dev.tidemark.errors.DynamoException;
import java.util.List;

/**
 * A key condition as parsed, before the key schema is known: one or two single-attribute
 * conditions. Parsing already rejects everything DynamoDB rejects without the schema (OR, NOT,
 * functions other than begins_with, nested paths, two conditions on one attribute, and so on);
 * {@link #resolve} applies the schema, because which attribute is the partition key decides which
 * condition must be an equality.
 */
public final class ParsedKeyCondition {
  private final List<RangeCondition> conditions;

  ParsedKeyCondition(List<RangeCondition> conditions) {
    this.conditions = List.copyOf(conditions);
  }

  /** The conditions in the order written. */
  public List<RangeCondition> conditions() {
    return conditions;
  }

  /**
   * Splits the conditions into partition-key equality and sort-key condition.
   *
   * @param rangeKeyName the sort key of the table or index queried, or null if it has none
   */
  public KeyCondition resolve(String hashKeyName, String rangeKeyName) {
    RangeCondition hash = null;
    RangeCondition range = null;
    boolean foreign = false;
    for (RangeCondition c : conditions) {
      if (c.attribute().equals(hashKeyName)) {
        hash = c;
      } else if (c.attribute().equals(rangeKeyName)) {
        range = c;
      } else {
        foreign = true;
      }
    }
    if (hash == null) {
      throw DynamoException.validation("Query condition missed key schema element: " + hashKeyName);
    }
    if (foreign) {
      if (rangeKeyName == null) {
        throw DynamoException.validation("Query key condition not supported");
      }
      throw DynamoException.validation(
          "Query condition missed key schema element: " + rangeKeyName);
    }
    if (hash.op() != RangeCondition.Op.EQ) {
      throw DynamoException.validation("Query key condition not supported");
    }
    return new KeyCondition(hash.attribute(), hash.value(), range);
  }
}
