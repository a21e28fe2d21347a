package dev.tidemark.expressions;

import dev.tidemark.errors.DynamoException;
import dev.tidemark.model.AttributeValue;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The KeyConditionExpression rules that come after the general condition checks. They are not
 * prefixed with "Invalid KeyConditionExpression:", matching DynamoDB.
 */
final class KeyConditions {
  private KeyConditions() {}

  static ParsedKeyCondition fromTree(Node resolved) {
    Analyzer.walk(
        resolved,
        n -> {
          String bad = null;
          if (n instanceof Node.Or) {
            bad = "OR";
          } else if (n instanceof Node.Not) {
            bad = "NOT";
          } else if (n instanceof Node.In) {
            bad = "IN";
          } else if (n instanceof Node.Compare c && c.op().equals("<>")) {
            bad = "<>";
          } else if (n instanceof Node.Call c
              && !c.name().equals("begins_with")
              && !c.name().equals("size")) {
            bad = c.name();
          }
          if (bad != null) {
            throw DynamoException.validation(
                "Invalid operator used in KeyConditionExpression: " + bad);
          }
        });
    List<Node> flat = new ArrayList<>();
    flatten(resolved, flat);
    List<RangeCondition> out = new ArrayList<>();
    for (Node n : flat) {
      out.add(condition(n));
    }
    Set<String> seen = new HashSet<>();
    for (RangeCondition c : out) {
      if (!seen.add(c.attribute())) {
        throw DynamoException.validation(
            "KeyConditionExpressions must only contain one condition per key");
      }
    }
    if (out.size() > ParsedKeyCondition.MAX_CONDITIONS) {
      // No key allows more; fewer are checked against the key schema (ParsedKeyCondition.resolve).
      throw DynamoException.validation("Conditions can be of length 1 or 2 only");
    }
    return new ParsedKeyCondition(out);
  }

  private static void flatten(Node n, List<Node> out) {
    if (n instanceof Node.And a) {
      flatten(a.left(), out);
      flatten(a.right(), out);
    } else {
      out.add(n);
    }
  }

  private static RangeCondition condition(Node n) {
    List<Node> operands;
    String name;
    if (n instanceof Node.Compare c) {
      operands = List.of(c.left(), c.right());
      name = c.op();
    } else if (n instanceof Node.Between b) {
      operands = List.of(b.value(), b.low(), b.high());
      name = "BETWEEN";
    } else {
      Node.Call c = (Node.Call) n;
      operands = c.args();
      name = c.name();
    }
    boolean needsKeyFirst = !(n instanceof Node.Compare);
    if (needsKeyFirst && !(operands.get(0) instanceof Node.Resolved)) {
      throw DynamoException.validation(
          "Invalid condition in KeyConditionExpression: "
              + name
              + " operator must have the key attribute as its first operand");
    }
    int keyAt = -1;
    for (int i = 0; i < operands.size(); i++) {
      Node o = operands.get(i);
      if (o instanceof Node.Call) {
        throw DynamoException.validation(
            "KeyConditionExpressions cannot contain nested operations");
      }
      if (o instanceof Node.Resolved r) {
        if (keyAt >= 0) {
          throw DynamoException.validation(
              "Invalid condition in KeyConditionExpression: Multiple attribute names used in one"
                  + " condition");
        }
        if (!r.path().isTopLevel()) {
          throw DynamoException.validation(
              "KeyConditionExpressions cannot have conditions on nested attributes");
        }
        keyAt = i;
      }
    }
    if (keyAt < 0) {
      throw DynamoException.validation(
          "Invalid condition in KeyConditionExpression: No key attribute specified");
    }
    String attribute = ((Node.Resolved) operands.get(keyAt)).path().topLevelName();
    if (n instanceof Node.Between) {
      return new RangeCondition(
          attribute, RangeCondition.Op.BETWEEN, literal(operands.get(1)), literal(operands.get(2)));
    }
    if (!(n instanceof Node.Compare)) {
      return new RangeCondition(
          attribute, RangeCondition.Op.BEGINS_WITH, literal(operands.get(1)), null);
    }
    // "value op key" reads as "key flipped-op value".
    boolean flipped = keyAt == 1;
    AttributeValue value = literal(operands.get(flipped ? 0 : 1));
    RangeCondition.Op op =
        switch (name) {
          case "=" -> RangeCondition.Op.EQ;
          case "<" -> flipped ? RangeCondition.Op.GT : RangeCondition.Op.LT;
          case "<=" -> flipped ? RangeCondition.Op.GE : RangeCondition.Op.LE;
          case ">" -> flipped ? RangeCondition.Op.LT : RangeCondition.Op.GT;
          case ">=" -> flipped ? RangeCondition.Op.LE : RangeCondition.Op.GE;
          default -> throw new IllegalStateException(name);
        };
    return new RangeCondition(attribute, op, value, null);
  }

  private static AttributeValue literal(Node n) {
    return ((Node.Literal) n).value();
  }
}
