package dev.tidemark.expressions;

import dev.tidemark.model.AttributeValue;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Evaluates resolved condition trees. A missing attribute makes every comparison false except
 * {@code <>}, which holds because nothing equals a missing attribute.
 */
final class Eval {
  private Eval() {}

  static Condition condition(Node resolved) {
    return new Condition() {
      @Override
      public boolean test(Map<String, AttributeValue> item) {
        return Eval.test(resolved, item);
      }

      // Walked on demand: only Query asks, and conditions on the write path should not pay.
      @Override
      public Set<String> topLevelNames() {
        Set<String> names = new LinkedHashSet<>();
        collectNames(resolved, names);
        return Collections.unmodifiableSet(names);
      }
    };
  }

  private static void collectNames(Node n, Set<String> out) {
    if (n instanceof Node.Resolved r) {
      out.add(r.path().topLevelName());
    }
    for (Node child : Node.children(n)) {
      collectNames(child, out);
    }
  }

  static boolean test(Node n, Map<String, AttributeValue> item) {
    if (n instanceof Node.And a) {
      return test(a.left(), item) && test(a.right(), item);
    } else if (n instanceof Node.Or o) {
      return test(o.left(), item) || test(o.right(), item);
    } else if (n instanceof Node.Not x) {
      return !test(x.inner(), item);
    } else if (n instanceof Node.Compare c) {
      return compare(c.op(), operand(c.left(), item), operand(c.right(), item));
    } else if (n instanceof Node.Between b) {
      AttributeValue v = operand(b.value(), item);
      AttributeValue lo = operand(b.low(), item);
      AttributeValue hi = operand(b.high(), item);
      return Values.ordered(v, lo)
          && Values.ordered(v, hi)
          && Values.compare(lo, v) <= 0
          && Values.compare(v, hi) <= 0;
    } else if (n instanceof Node.In in) {
      AttributeValue v = operand(in.value(), item);
      if (v == null) {
        return false;
      }
      for (Node x : in.list()) {
        if (v.equals(operand(x, item))) {
          return true;
        }
      }
      return false;
    } else if (n instanceof Node.Call c) {
      return function(c, item);
    }
    throw new IllegalStateException("not a condition: " + n);
  }

  static boolean compare(String op, AttributeValue l, AttributeValue r) {
    switch (op) {
      case "=":
        return l != null && l.equals(r);
      case "<>":
        return l == null || !l.equals(r);
      default:
        if (!Values.ordered(l, r)) {
          return false;
        }
        int c = Values.compare(l, r);
        return switch (op) {
          case "<" -> c < 0;
          case "<=" -> c <= 0;
          case ">" -> c > 0;
          case ">=" -> c >= 0;
          default -> throw new IllegalStateException(op);
        };
    }
  }

  private static boolean function(Node.Call c, Map<String, AttributeValue> item) {
    switch (c.name()) {
      case "attribute_exists":
        return operand(c.args().get(0), item) != null;
      case "attribute_not_exists":
        return operand(c.args().get(0), item) == null;
      case "attribute_type":
        {
          AttributeValue v = operand(c.args().get(0), item);
          AttributeValue t = operand(c.args().get(1), item);
          return v != null && t instanceof AttributeValue.S s && v.type().name().equals(s.value());
        }
      case "begins_with":
        return Values.beginsWith(operand(c.args().get(0), item), operand(c.args().get(1), item));
      case "contains":
        return Values.contains(operand(c.args().get(0), item), operand(c.args().get(1), item));
      default:
        throw new IllegalStateException("not a condition function: " + c.name());
    }
  }

  /** The value of an operand, or null when it refers to something the item does not have. */
  static AttributeValue operand(Node n, Map<String, AttributeValue> item) {
    if (n instanceof Node.Literal l) {
      return l.value();
    } else if (n instanceof Node.Resolved r) {
      return r.path().get(item);
    } else if (n instanceof Node.Call c && c.name().equals("size")) {
      AttributeValue v = operand(c.args().get(0), item);
      return v == null ? null : Values.size(v);
    }
    throw new IllegalStateException("not an operand: " + n);
  }
}
