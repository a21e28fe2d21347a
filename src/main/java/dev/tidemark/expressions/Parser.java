package dev.tidemark.expressions;

import dev.tidemark.errors.DynamoException;
import dev.tidemark.expressions.Token.Kind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Recursive-descent parser for the four expression grammars. It only checks syntax; every other
 * rule is checked afterwards by {@link Analyzer}, because DynamoDB reports a syntax error anywhere
 * in the text before any other kind of error.
 *
 * <p>Conditions and operands share one entry point for parenthesised text, since {@code (a)} may be
 * an operand and {@code (a = b)} a condition; which one it must be is decided by what follows it.
 */
final class Parser {
  static final int MAX_EXPRESSION_BYTES = 4096;

  /**
   * How deep the parser recurses (parenthesised conditions, operands and function arguments, NOT
   * chains) before it stops. A 4 KB text can nest about 2,000 levels, enough to overflow a request
   * thread's stack; deeper than this, an expression DynamoDB would accept cannot be: every level
   * beyond a redundant pair of parentheses adds an operator, and DynamoDB allows 300.
   */
  static final int MAX_NESTING = 400;

  private static final Set<String> CONDITION_KEYWORDS = Set.of("AND", "OR", "NOT", "BETWEEN", "IN");
  private static final Set<String> UPDATE_KEYWORDS = Set.of("SET", "REMOVE", "ADD", "DELETE");

  private final String text;
  private final String param;
  private final List<Token> tokens;
  private final boolean update;
  private int pos;
  private int depth;

  private Parser(String text, String param, boolean update) {
    this.text = text;
    this.param = param;
    this.update = update;
    this.tokens = Lexer.tokenize(text);
  }

  /** Checks the limits DynamoDB applies to the raw text before parsing it. */
  static Parser forText(String text, String param, boolean update) {
    if (text == null || text.isBlank()) {
      throw error(param, "The expression can not be empty;");
    }
    int bytes = text.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_EXPRESSION_BYTES) {
      throw error(
          param,
          "Expression size has exceeded the maximum allowed size; expression size: " + bytes);
    }
    return new Parser(text, param, update);
  }

  static DynamoException error(String param, String detail) {
    return DynamoException.validation("Invalid " + param + ": " + detail);
  }

  // ---- conditions ----

  Node parseCondition() {
    Node n = parseOr();
    if (!peek().is(Kind.EOF)) {
      throw syntaxError(pos);
    }
    requireCondition(n);
    return n;
  }

  private Node parseOr() {
    enter();
    Node left = parseAnd();
    while (peek().isKeyword("OR")) {
      requireCondition(left);
      pos++;
      Node right = parseAnd();
      requireCondition(right);
      left = new Node.Or(left, right);
    }
    depth--;
    return left;
  }

  private Node parseAnd() {
    Node left = parseNot();
    while (peek().isKeyword("AND")) {
      requireCondition(left);
      pos++;
      Node right = parseNot();
      requireCondition(right);
      left = new Node.And(left, right);
    }
    return left;
  }

  private Node parseNot() {
    if (peek().isKeyword("NOT")) {
      pos++;
      enter();
      Node inner = parseNot();
      depth--;
      requireCondition(inner);
      return new Node.Not(inner);
    }
    return parsePredicate();
  }

  private Node parsePredicate() {
    Node first;
    if (peek().is(Kind.LPAREN)) {
      pos++;
      Node inner = parseOr();
      expect(Kind.RPAREN);
      first = new Node.Paren(inner);
    } else {
      first = parseOperand();
    }
    Token t = peek();
    if (t.isComparator()) {
      requireOperand(first);
      pos++;
      return new Node.Compare(t.text(), first, parseOperand());
    }
    if (t.isKeyword("BETWEEN")) {
      requireOperand(first);
      pos++;
      Node low = parseOperand();
      if (!peek().isKeyword("AND")) {
        throw syntaxError(pos);
      }
      pos++;
      return new Node.Between(first, low, parseOperand());
    }
    if (t.isKeyword("IN")) {
      requireOperand(first);
      pos++;
      expect(Kind.LPAREN);
      List<Node> list = new ArrayList<>();
      list.add(parseOperand());
      while (peek().is(Kind.COMMA)) {
        pos++;
        list.add(parseOperand());
      }
      expect(Kind.RPAREN);
      return new Node.In(first, list);
    }
    return first;
  }

  /** A condition operand: a path, a value placeholder, a function call, or one in parentheses. */
  private Node parseOperand() {
    enter();
    Node operand = operand();
    depth--;
    return operand;
  }

  private Node operand() {
    Token t = peek();
    switch (t.kind()) {
      case LPAREN -> {
        pos++;
        Node inner = update ? parseSetValue() : parseOperand();
        expect(Kind.RPAREN);
        return new Node.Paren(inner);
      }
      case VALUE -> {
        pos++;
        return new Node.Value(t.text());
      }
      case NAME -> {
        return parsePath();
      }
      case IDENT -> {
        if (isKeyword(t)) {
          throw syntaxError(pos);
        }
        if (tokens.get(pos + 1).is(Kind.LPAREN)) {
          pos += 2;
          List<Node> args = new ArrayList<>();
          args.add(parseOperand());
          while (peek().is(Kind.COMMA)) {
            pos++;
            args.add(parseOperand());
          }
          expect(Kind.RPAREN);
          return new Node.Call(t.text(), args);
        }
        return parsePath();
      }
      default -> throw syntaxError(pos);
    }
  }

  private boolean isKeyword(Token t) {
    String upper = t.text().toUpperCase(java.util.Locale.ROOT);
    return update ? UPDATE_KEYWORDS.contains(upper) : CONDITION_KEYWORDS.contains(upper);
  }

  private Node.Path parsePath() {
    List<Node.Part> parts = new ArrayList<>();
    Token first = peek();
    if (!(first.is(Kind.IDENT) || first.is(Kind.NAME)) || isKeyword(first)) {
      throw syntaxError(pos);
    }
    pos++;
    parts.add(new Node.Part(first.text(), first.is(Kind.NAME), -1));
    while (true) {
      if (peek().is(Kind.DOT)) {
        pos++;
        Token t = peek();
        if (!(t.is(Kind.IDENT) || t.is(Kind.NAME))) {
          throw syntaxError(pos);
        }
        pos++;
        parts.add(new Node.Part(t.text(), t.is(Kind.NAME), -1));
      } else if (peek().is(Kind.LBRACKET)) {
        pos++;
        Token t = peek();
        int index;
        try {
          index = t.is(Kind.NUMBER) ? Integer.parseInt(t.text()) : -1;
        } catch (NumberFormatException e) {
          index = -1;
        }
        if (index < 0) {
          throw syntaxError(pos);
        }
        pos++;
        expect(Kind.RBRACKET);
        parts.add(new Node.Part(null, false, index));
      } else {
        return new Node.Path(parts);
      }
    }
  }

  private void requireCondition(Node n) {
    if (!Node.isCondition(n)) {
      throw syntaxError(pos);
    }
  }

  private void requireOperand(Node n) {
    if (!Node.isOperand(n)) {
      throw syntaxError(pos);
    }
  }

  // ---- updates ----

  /** One clause action as written; {@code value} is null for REMOVE. */
  record Action(String clause, Node.Path path, Node value) {}

  /** Clause keywords in order of appearance, for the each-clause-once rule. */
  final List<String> clauses = new ArrayList<>();

  List<Action> parseUpdate() {
    List<Action> actions = new ArrayList<>();
    while (!peek().is(Kind.EOF)) {
      Token kw = peek();
      String clause = kw.text().toUpperCase(java.util.Locale.ROOT);
      if (!kw.is(Kind.IDENT) || !UPDATE_KEYWORDS.contains(clause)) {
        throw syntaxError(pos);
      }
      pos++;
      clauses.add(clause);
      do {
        Node.Path path = parsePath();
        Node value = null;
        switch (clause) {
          case "SET" -> {
            expect(Kind.EQ);
            value = parseSetValue();
          }
          case "ADD", "DELETE" -> {
            Token v = peek();
            if (!v.is(Kind.VALUE)) {
              throw syntaxError(pos);
            }
            pos++;
            value = new Node.Value(v.text());
          }
          default -> {}
        }
        actions.add(new Action(clause, path, value));
      } while (consume(Kind.COMMA));
    }
    return actions;
  }

  private Node parseSetValue() {
    Node left = parseOperand();
    Token t = peek();
    if (t.is(Kind.PLUS) || t.is(Kind.MINUS)) {
      pos++;
      return new Node.Arith(t.text(), left, parseOperand());
    }
    return left;
  }

  // ---- projections ----

  List<Node.Path> parseProjection() {
    List<Node.Path> paths = new ArrayList<>();
    paths.add(parsePath());
    while (consume(Kind.COMMA)) {
      paths.add(parsePath());
    }
    if (!peek().is(Kind.EOF)) {
      throw syntaxError(pos);
    }
    return paths;
  }

  // ---- helpers ----

  /**
   * One level deeper; past {@link #MAX_NESTING} the expression is refused with the error DynamoDB
   * gives it, found from the text: too many operators when it has more than 300 (DynamoDB checks
   * that first), otherwise redundant parentheses, the only other way to nest this deep.
   */
  private void enter() {
    if (++depth <= MAX_NESTING) {
      return;
    }
    // Counted as the analyzer counts nodes: comparisons, arithmetic, function calls, AND, OR, NOT
    // and IN; a BETWEEN is one operator, counted through the AND it always has.
    int operators = 0;
    for (int i = 0; i < tokens.size(); i++) {
      Token t = tokens.get(i);
      boolean keyword =
          t.isKeyword("AND") || t.isKeyword("OR") || t.isKeyword("NOT") || t.isKeyword("IN");
      boolean call = t.is(Kind.IDENT) && !isKeyword(t) && tokens.get(i + 1).is(Kind.LPAREN);
      if (keyword || call || t.isComparator() || t.is(Kind.PLUS) || t.is(Kind.MINUS)) {
        operators++;
      }
    }
    if (operators > Analyzer.MAX_OPERATORS) {
      throw error(
          param, "The expression contains too many operators; operator count: " + operators);
    }
    throw error(param, "The expression has redundant parentheses;");
  }

  private Token peek() {
    return tokens.get(pos);
  }

  private boolean consume(Kind k) {
    if (peek().is(k)) {
      pos++;
      return true;
    }
    return false;
  }

  private void expect(Kind k) {
    if (!consume(k)) {
      throw syntaxError(pos);
    }
  }

  /**
   * DynamoDB quotes the offending token and the source text from the token before it to the token
   * after it; at the end of input, from the last token to the end of the text.
   */
  private DynamoException syntaxError(int index) {
    Token t = tokens.get(index);
    int from = index > 0 ? tokens.get(index - 1).start() : t.start();
    int to;
    if (t.is(Kind.EOF)) {
      to = text.length();
    } else if (!tokens.get(index + 1).is(Kind.EOF)) {
      to = tokens.get(index + 1).end();
    } else {
      to = t.end();
    }
    return error(
        param,
        "Syntax error; token: \"" + t.text() + "\", near: \"" + text.substring(from, to) + "\"");
  }
}
