package dev.tidemark.expressions;

import dev.tidemark.model.AttributeValue;
import java.util.List;

/**
 * Expression syntax tree. The parser builds the raw forms ({@link Path}, {@link Value}, {@link
 * Paren}); resolution replaces them by {@link Resolved} and {@link Literal} and drops the
 * parentheses, so evaluation never sees a placeholder.
 */
sealed interface Node {

  /** A path as written: each part is a bare name, a {@code #placeholder} or a list index. */
  record Path(List<Part> parts) implements Node {
    public Path {
      parts = List.copyOf(parts);
    }
  }

  /** One written path step; {@code name} is null for an index. */
  record Part(String name, boolean placeholder, int index) {}

  record Value(String placeholder) implements Node {}

  record Call(String name, List<Node> args) implements Node {
    public Call {
      args = List.copyOf(args);
    }
  }

  record Paren(Node inner) implements Node {}

  record Arith(String op, Node left, Node right) implements Node {}

  record Compare(String op, Node left, Node right) implements Node {}

  record Between(Node value, Node low, Node high) implements Node {}

  record In(Node value, List<Node> list) implements Node {
    public In {
      list = List.copyOf(list);
    }
  }

  record And(Node left, Node right) implements Node {}

  record Or(Node left, Node right) implements Node {}

  record Not(Node inner) implements Node {}

  record Resolved(DocumentPath path) implements Node {}

  record Literal(AttributeValue value) implements Node {}

  /** Children in source order, which is the order DynamoDB reports the first problem in. */
  static List<Node> children(Node n) {
    if (n instanceof Call c) {
      return c.args();
    } else if (n instanceof Paren p) {
      return List.of(p.inner());
    } else if (n instanceof Arith a) {
      return List.of(a.left(), a.right());
    } else if (n instanceof Compare c) {
      return List.of(c.left(), c.right());
    } else if (n instanceof Between b) {
      return List.of(b.value(), b.low(), b.high());
    } else if (n instanceof In in) {
      List<Node> all = new java.util.ArrayList<>();
      all.add(in.value());
      all.addAll(in.list());
      return all;
    } else if (n instanceof And a) {
      return List.of(a.left(), a.right());
    } else if (n instanceof Or o) {
      return List.of(o.left(), o.right());
    } else if (n instanceof Not x) {
      return List.of(x.inner());
    }
    return List.of();
  }

  /** Whether a node can stand where an operand is expected (syntactically). */
  static boolean isOperand(Node n) {
    if (n instanceof Paren p) {
      return isOperand(p.inner());
    }
    return n instanceof Path || n instanceof Value || n instanceof Call || n instanceof Arith;
  }

  /** Whether a node can stand where a condition is expected (syntactically). */
  static boolean isCondition(Node n) {
    if (n instanceof Paren p) {
      return isCondition(p.inner());
    }
    return n instanceof Compare
        || n instanceof Between
        || n instanceof In
        || n instanceof And
        || n instanceof Or
        || n instanceof Not
        || n instanceof Call;
  }
}
