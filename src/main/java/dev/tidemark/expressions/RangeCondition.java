package dev.tidemark.expressions;

import dev.tidemark.model.AttributeValue;

/**
 * One key condition on one attribute. {@code upper} is set for BETWEEN only. In a {@link
 * ParsedKeyCondition} the partition-key condition has this form too (always EQ once resolved).
 */
public record RangeCondition(String attribute, Op op, AttributeValue value, AttributeValue upper) {
  public enum Op {
    EQ,
    LT,
    LE,
    GT,
    GE,
    BETWEEN,
    BEGINS_WITH
  }

  /** Whether a key attribute value satisfies this condition (false for a missing value). */
  public boolean matches(AttributeValue v) {
    if (v == null) {
      return false;
    }
    if (op == Op.EQ) {
      return v.equals(value);
    }
    if (op == Op.BEGINS_WITH) {
      return Values.beginsWith(v, value);
    }
    if (!Values.ordered(v, value)) {
      return false;
    }
    int c = Values.compare(v, value);
    return switch (op) {
      case LT -> c < 0;
      case LE -> c <= 0;
      case GT -> c > 0;
      case GE -> c >= 0;
      case BETWEEN -> c >= 0 && Values.ordered(v, upper) && Values.compare(v, upper) <= 0;
      default -> throw new IllegalStateException(op.name());
    };
  }
}
