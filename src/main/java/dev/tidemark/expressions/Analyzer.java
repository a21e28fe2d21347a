package dev.tidemark.expressions;

import dev.tidemark.errors.DynamoException;
import dev.tidemark.model.AttributeValue;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checks DynamoDB makes after syntax, in the order it makes them, and placeholder resolution.
 * Each check walks the whole tree before the next starts, so that when an expression has several
 * problems the one reported is the one DynamoDB reports.
 */
final class Analyzer {
  static final int MAX_IN_OPERANDS = 100;
  static final int MAX_OPERATORS = 300;
  static final int MAX_PATH_DEPTH = 32;

  static final Set<String> CONDITION_FUNCTIONS =
      Set.of(
          "attribute_exists",
          "attribute_not_exists",
          "attribute_type",
          "begins_with",
          "contains",
          "size");
  static final Set<String> UPDATE_FUNCTIONS = Set.of("if_not_exists", "list_append");
  private static final Map<String, Integer> ARITY =
      Map.of(
          "attribute_exists", 1,
          "attribute_not_exists", 1,
          "attribute_type", 2,
          "begins_with", 2,
          "contains", 2,
          "size", 1,
          "if_not_exists", 2,
          "list_append", 2);
  private static final Set<String> TYPE_NAMES =
      Set.of("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL");
  private static final String ANY_TYPE = "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}";

  private final String param;
  private final ExpressionContext ctx;

  Analyzer(String param, ExpressionContext ctx) {
    this.param = param;
    this.ctx = ctx;
  }

  private DynamoException error(String detail) {
    return Parser.error(param, detail);
  }

  // ---- whole expressions ----

  Node condition(Node raw) {
    limits(raw);
    redundantParens(raw);
    functionNames(raw, CONDITION_FUNCTIONS);
    functionUsage(raw, true);
    reserved(raw);
    Node r = resolve(raw);
    arity(r);
    operandTypes(r);
    attributeTypeNames(r);
    documentPaths(r);
    distinct(r);
    return r;
  }

  List<UpdatePlan.Action> update(List<Parser.Action> raw, List<String> clauses) {
    for (Parser.Action a : raw) {
      if (a.value() != null) {
        limits(a.value());
        redundantParens(a.value());
        functionNames(a.value(), UPDATE_FUNCTIONS);
      }
    }
    for (Parser.Action a : raw) {
      reserved(a.path());
      if (a.value() != null) {
        reserved(a.value());
      }
    }
    Set<String> seen = new HashSet<>();
    for (String c : clauses) {
      if (!seen.add(c)) {
        throw error("The \"" + c + "\" section can only be used once in an update expression;");
      }
    }
    List<UpdatePlan.Action> actions = new ArrayList<>();
    for (Parser.Action a : raw) {
      DocumentPath path = ((Node.Resolved) resolve(a.path())).path();
      Node value = a.value() == null ? null : resolve(a.value());
      actions.add(new UpdatePlan.Action(a.clause(), path, value));
    }
    List<DocumentPath> paths = new ArrayList<>();
    actions.forEach(a -> paths.add(a.path()));
    checkOverlaps(paths);
    for (UpdatePlan.Action a : actions) {
      if (a.clause().equals("ADD") || a.clause().equals("DELETE")) {
        AttributeValue v = ((Node.Literal) a.value()).value();
        boolean ok = Values.isSet(v) || (a.clause().equals("ADD") && v instanceof AttributeValue.N);
        if (!ok) {
          throw error(
              "Incorrect operand type for operator or function; operator: "
                  + a.clause()
                  + ", operand type: "
                  + Values.longTypeName(v));
        }
      }
    }
    for (UpdatePlan.Action a : actions) {
      if (a.clause().equals("SET")) {
        arity(a.value());
      }
    }
    for (UpdatePlan.Action a : actions) {
      if (a.clause().equals("SET")) {
        documentPaths(a.value());
      }
    }
    for (UpdatePlan.Action a : actions) {
      if (a.clause().equals("SET")) {
        operandTypes(a.value());
      }
    }
    return actions;
  }

  List<DocumentPath> projection(List<Node.Path> raw) {
    raw.forEach(this::reserved);
    List<DocumentPath> paths = new ArrayList<>();
    for (Node.Path p : raw) {
      paths.add(((Node.Resolved) resolve(p)).path());
    }
    checkOverlaps(paths);
    return paths;
  }

  // ---- individual checks ----

  private void limits(Node raw) {
    int[] operators = {0};
    walk(
        raw,
        n -> {
          if (n instanceof Node.In in && in.list().size() > MAX_IN_OPERANDS) {
            throw error(
                "The IN operator is provided with too many operands; number of operands: "
                    + in.list().size());
          }
          if (!(n instanceof Node.Path
              || n instanceof Node.Value
              || n instanceof Node.Paren
              || n instanceof Node.Resolved
              || n instanceof Node.Literal)) {
            operators[0]++;
          }
        });
    if (operators[0] > MAX_OPERATORS) {
      throw error("The expression contains too many operators; operator count: " + operators[0]);
    }
  }

  private void redundantParens(Node raw) {
    walk(
        raw,
        n -> {
          if (n instanceof Node.Paren p && p.inner() instanceof Node.Paren) {
            throw error("The expression has redundant parentheses;");
          }
        });
  }

  private void functionNames(Node raw, Set<String> allowed) {
    walk(
        raw,
        n -> {
          if (n instanceof Node.Call c && !allowed.contains(c.name())) {
            throw error("Invalid function name; function: " + c.name());
          }
        });
  }

  /** Condition functions stand where a condition is expected, size() where an operand is. */
  private void functionUsage(Node n, boolean conditionPosition) {
    if (n instanceof Node.Paren p) {
      functionUsage(p.inner(), conditionPosition);
      return;
    }
    if (n instanceof Node.Call c && conditionPosition == c.name().equals("size")) {
      throw error(
          "The function is not allowed to be used this way in an expression; function: "
              + c.name());
    }
    boolean childrenAreConditions =
        n instanceof Node.And || n instanceof Node.Or || n instanceof Node.Not;
    for (Node child : Node.children(n)) {
      functionUsage(child, childrenAreConditions);
    }
  }

  private void reserved(Node raw) {
    walk(
        raw,
        n -> {
          if (n instanceof Node.Path p) {
            for (Node.Part part : p.parts()) {
              if (part.name() != null
                  && !part.placeholder()
                  && ReservedWords.isReserved(part.name())) {
                throw error(
                    "Attribute name is a reserved keyword; reserved keyword: " + part.name());
              }
            }
          }
        });
  }

  /** Substitutes placeholders in source order, so the first undefined one is reported. */
  Node resolve(Node n) {
    if (n instanceof Node.Path p) {
      List<DocumentPath.Element> elements = new ArrayList<>();
      for (Node.Part part : p.parts()) {
        if (part.name() == null) {
          elements.add(new DocumentPath.Index(part.index()));
        } else if (part.placeholder()) {
          String name = ctx.name(part.name());
          if (name == null) {
            throw error(
                "An expression attribute name used in the document path is not defined;"
                    + " attribute name: "
                    + part.name());
          }
          elements.add(new DocumentPath.Name(name));
        } else {
          elements.add(new DocumentPath.Name(part.name()));
        }
      }
      if (elements.size() > MAX_PATH_DEPTH) {
        throw error(
            "The document path has too many nesting levels; nesting levels: " + elements.size());
      }
      return new Node.Resolved(new DocumentPath(elements));
    } else if (n instanceof Node.Value v) {
      AttributeValue value = ctx.value(v.placeholder());
      if (value == null) {
        throw error(
            "An expression attribute value used in expression is not defined; attribute value: "
                + v.placeholder());
      }
      return new Node.Literal(value);
    } else if (n instanceof Node.Paren p) {
      return resolve(p.inner());
    } else if (n instanceof Node.Call c) {
      List<Node> args = new ArrayList<>();
      c.args().forEach(a -> args.add(resolve(a)));
      return new Node.Call(c.name(), args);
    } else if (n instanceof Node.Arith a) {
      Node l = resolve(a.left());
      return new Node.Arith(a.op(), l, resolve(a.right()));
    } else if (n instanceof Node.Compare c) {
      Node l = resolve(c.left());
      return new Node.Compare(c.op(), l, resolve(c.right()));
    } else if (n instanceof Node.Between b) {
      Node v = resolve(b.value());
      Node lo = resolve(b.low());
      return new Node.Between(v, lo, resolve(b.high()));
    } else if (n instanceof Node.In in) {
      Node v = resolve(in.value());
      List<Node> list = new ArrayList<>();
      in.list().forEach(x -> list.add(resolve(x)));
      return new Node.In(v, list);
    } else if (n instanceof Node.And a) {
      Node l = resolve(a.left());
      return new Node.And(l, resolve(a.right()));
    } else if (n instanceof Node.Or o) {
      Node l = resolve(o.left());
      return new Node.Or(l, resolve(o.right()));
    } else if (n instanceof Node.Not x) {
      return new Node.Not(resolve(x.inner()));
    }
    return n;
  }

  private void arity(Node r) {
    walk(
        r,
        n -> {
          if (n instanceof Node.Call c && c.args().size() != ARITY.get(c.name())) {
            throw error(
                "Incorrect number of operands for operator or function; operator or function: "
                    + c.name()
                    + ", number of operands: "
                    + c.args().size());
          }
        });
  }

  /**
   * The type an operand is known to have before evaluation, or null when it depends on the item.
   */
  private static String staticType(Node n) {
    if (n instanceof Node.Literal l) {
      return l.value().type().name();
    } else if (n instanceof Node.Call c && c.name().equals("size")) {
      return "N";
    } else if (n instanceof Node.Call c && c.name().equals("list_append")) {
      return "L";
    } else if (n instanceof Node.Arith) {
      return "N";
    }
    return null;
  }

  private DynamoException operandType(String function, String type) {
    return error(
        "Incorrect operand type for operator or function; operator or function: "
            + function
            + ", operand type: "
            + type);
  }

  private void operandTypes(Node r) {
    walk(
        r,
        n -> {
          if (n instanceof Node.Call c) {
            switch (c.name()) {
              case "attribute_type" -> {
                Node t = c.args().get(1);
                String type = t instanceof Node.Resolved ? ANY_TYPE : staticType(t);
                if (!"S".equals(type)) {
                  throw operandType("attribute_type", type);
                }
              }
              case "begins_with" -> {
                for (Node a : c.args()) {
                  String type = staticType(a);
                  if (type != null && !type.equals("S") && !type.equals("B")) {
                    throw operandType("begins_with", type);
                  }
                }
              }
              case "size" -> {
                String type = staticType(c.args().get(0));
                if ("N".equals(type) || "BOOL".equals(type) || "NULL".equals(type)) {
                  throw operandType("size", type);
                }
              }
              case "list_append" -> {
                for (Node a : c.args()) {
                  String type = staticType(a);
                  if (type != null && !type.equals("L")) {
                    throw operandType("list_append", type);
                  }
                }
              }
              default -> {}
            }
          } else if (n instanceof Node.Arith a) {
            for (Node x : List.of(a.left(), a.right())) {
              String type = staticType(x);
              if (type != null && !type.equals("N")) {
                throw operandType(a.op(), type);
              }
            }
          } else if (n instanceof Node.Compare c && !c.op().equals("=") && !c.op().equals("<>")) {
            for (Node x : List.of(c.left(), c.right())) {
              scalarOperand(c.op(), x);
            }
          } else if (n instanceof Node.Between b) {
            for (Node x : List.of(b.value(), b.low(), b.high())) {
              scalarOperand("BETWEEN", x);
            }
            if (b.low() instanceof Node.Literal lo && b.high() instanceof Node.Literal hi) {
              String bounds =
                  "lower bound operand: "
                      + Values.render(lo.value())
                      + ", upper bound operand: "
                      + Values.render(hi.value());
              if (lo.value().type() != hi.value().type()) {
                throw error(
                    "The BETWEEN operator requires same data type for lower and upper bounds; "
                        + bounds);
              }
              if (Values.compare(lo.value(), hi.value()) > 0) {
                throw error(
                    "The BETWEEN operator requires upper bound to be greater than or equal to"
                        + " lower bound; "
                        + bounds);
              }
            }
          }
        });
  }

  private void scalarOperand(String operator, Node x) {
    String type = staticType(x);
    if (type != null && !type.equals("N") && !type.equals("S") && !type.equals("B")) {
      throw operandType(operator, type);
    }
  }

  private void attributeTypeNames(Node r) {
    walk(
        r,
        n -> {
          if (n instanceof Node.Call c
              && c.name().equals("attribute_type")
              && c.args().get(1) instanceof Node.Literal l
              && l.value() instanceof AttributeValue.S s
              && !TYPE_NAMES.contains(s.value())) {
            throw error(
                "Invalid attribute type name found; type: "
                    + s.value()
                    + ", valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
          }
        });
  }

  private void documentPaths(Node r) {
    walk(
        r,
        n -> {
          if (n instanceof Node.Call c
              && (c.name().equals("attribute_exists")
                  || c.name().equals("attribute_not_exists")
                  || c.name().equals("attribute_type")
                  || c.name().equals("if_not_exists"))
              && !(c.args().get(0) instanceof Node.Resolved)) {
            throw error(
                "Operator or function requires a document path; operator or function: " + c.name());
          }
        });
  }

  private void distinct(Node r) {
    walk(
        r,
        n -> {
          List<Node> operands;
          String operator;
          if (n instanceof Node.Compare c) {
            operands = List.of(c.left(), c.right());
            operator = c.op();
          } else if (n instanceof Node.Call c
              && (c.name().equals("contains")
                  || c.name().equals("begins_with")
                  || c.name().equals("attribute_type"))) {
            operands = c.args();
            operator = c.name();
          } else {
            return;
          }
          if (operands.get(0) instanceof Node.Resolved first
              && operands.subList(1, operands.size()).contains(first)) {
            throw error(
                "The first operand must be distinct from the remaining operands for this operator"
                    + " or function; operator: "
                    + operator
                    + ", first operand: "
                    + first.path());
          }
        });
  }

  /** Rejects a path repeated, nested in another, or used both as a map and as a list. */
  void checkOverlaps(List<DocumentPath> paths) {
    for (int i = 0; i < paths.size(); i++) {
      for (int j = i + 1; j < paths.size(); j++) {
        DocumentPath a = paths.get(i);
        DocumentPath b = paths.get(j);
        if (a.startsWith(b) || b.startsWith(a)) {
          throw error(
              "Two document paths overlap with each other; must remove or rewrite one of these"
                  + " paths; path one: "
                  + a
                  + ", path two: "
                  + b);
        }
      }
    }
    for (int i = 0; i < paths.size(); i++) {
      for (int j = i + 1; j < paths.size(); j++) {
        DocumentPath a = paths.get(i);
        DocumentPath b = paths.get(j);
        if (conflict(a, b)) {
          throw error(
              "Two document paths conflict with each other; must remove or rewrite one of these"
                  + " paths; path one: "
                  + a
                  + ", path two: "
                  + b);
        }
      }
    }
  }

  private static boolean conflict(DocumentPath a, DocumentPath b) {
    int n = Math.min(a.size(), b.size());
    for (int k = 0; k < n; k++) {
      DocumentPath.Element x = a.elements().get(k);
      DocumentPath.Element y = b.elements().get(k);
      if (!x.equals(y)) {
        return x.getClass() != y.getClass();
      }
    }
    return false;
  }

  static void walk(Node n, java.util.function.Consumer<Node> visit) {
    visit.accept(n);
    for (Node c : Node.children(n)) {
      walk(c, visit);
    }
  }
}
