package dev.tidemark.expressions;

import dev.tidemark.errors.DynamoException;
import dev.tidemark.model.AttributeValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A key condition as parsed, before the key schema is known: single-attribute conditions joined by
 * AND. Parsing already rejects everything DynamoDB rejects without the schema (OR, NOT, functions
 * other than begins_with, nested paths, two conditions on one attribute, and so on); {@link
 * #resolve} applies the schema, because which attributes are partition keys decides which
 * conditions must be equalities, and how many conditions a key allows.
 */
public final class ParsedKeyCondition {
  /** A multi-attribute index key has at most four hash and four range attributes. */
  static final int MAX_CONDITIONS = 8;

  private final List<RangeCondition> conditions;

  ParsedKeyCondition(List<RangeCondition> conditions) {
    this.conditions = List.copyOf(conditions);
  }

  /** The conditions in the order written. */
  public List<RangeCondition> conditions() {
    return conditions;
  }

  /**
   * Resolves against the key of the table or index queried.
   *
   * @param hashNames its hash attributes in KeySchema order
   * @param rangeNames its range attributes in KeySchema order, empty if it has none
   */
  public KeyCondition resolve(List<String> hashNames, List<String> rangeNames) {
    if (hashNames.size() == 1 && rangeNames.size() <= 1) {
      return resolve(hashNames.get(0), rangeNames.isEmpty() ? null : rangeNames.get(0));
    }
    return resolveComposite(hashNames, rangeNames);
  }

  /**
   * Splits the conditions into partition-key equality and sort-key condition, for a key of one hash
   * and at most one range attribute.
   *
   * @param rangeKeyName the sort key of the table or index queried, or null if it has none
   */
  public KeyCondition resolve(String hashKeyName, String rangeKeyName) {
    if (conditions.size() > 2) {
      throw DynamoException.validation("Conditions can be of length 1 or 2 only");
    }
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
    return new KeyCondition(hash.value(), range);
  }

  /**
   * DynamoDB's rules for a multi-attribute key: an equality on every hash attribute; conditions on
   * range attributes only for a leading run r1..rk in KeySchema order (the order written does not
   * matter), all equalities but the last, which may be any key comparison. DynamoDB's exact wording
   * is not published; the messages say which rule was broken with the words its answers are known
   * to contain (docs/conformance.md).
   */
  private KeyCondition resolveComposite(List<String> hashNames, List<String> rangeNames) {
    Map<String, RangeCondition> byName = new HashMap<>();
    for (RangeCondition c : conditions) {
      byName.put(c.attribute(), c);
    }
    List<AttributeValue> hash = new ArrayList<>();
    for (String name : hashNames) {
      RangeCondition c = byName.remove(name);
      if (c == null || c.op() != RangeCondition.Op.EQ) {
        throw DynamoException.validation(
            "Query key condition not supported: every HASH key attribute of the index needs an"
                + " equality condition; "
                + (c == null ? "missing: " : "not an equality: ")
                + name);
      }
      hash.add(c.value());
    }
    List<RangeCondition> range = new ArrayList<>();
    for (String name : rangeNames) {
      RangeCondition c = byName.remove(name);
      if (c == null) {
        break;
      }
      range.add(c);
    }
    if (!byName.isEmpty()) {
      String next = byName.keySet().iterator().next();
      if (rangeNames.contains(next)) {
        throw DynamoException.validation(
            "Query key condition not supported: RANGE key attributes must be used in KeySchema"
                + " order without gaps, each with an equality condition except the last; "
                + next
                + " follows a RANGE key attribute without a condition");
      }
      throw DynamoException.validation(
          "Query key condition not supported: " + next + " is not a key attribute of the index");
    }
    for (int i = 0; i < range.size() - 1; i++) {
      if (range.get(i).op() != RangeCondition.Op.EQ) {
        throw DynamoException.validation(
            "Query key condition not supported: RANGE key attributes must be used in KeySchema"
                + " order without gaps, each with an equality condition except the last; "
                + range.get(i).attribute()
                + " is followed by another RANGE key condition");
      }
    }
    List<AttributeValue> prefix = new ArrayList<>();
    for (int i = 0; i < range.size() - 1; i++) {
      prefix.add(range.get(i).value());
    }
    return new KeyCondition(hash, prefix, range.isEmpty() ? null : range.get(range.size() - 1));
  }
}
