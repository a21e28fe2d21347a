package dev.tidemark.expressions;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Entry points for DynamoDB's expression language and its legacy equivalents. Every method
 * validates completely before returning, throwing DynamoDB's ValidationException with DynamoDB's
 * message, so a request that fails here has changed nothing.
 */
public final class Expressions {
  private Expressions() {}

  /**
   * @param parameterName "ConditionExpression" or "FilterExpression"; it prefixes error messages
   */
  public static Condition parseCondition(String expr, ExpressionContext ctx, String parameterName) {
    Parser p = Parser.forText(expr, parameterName, false);
    Node raw = p.parseCondition();
    return Eval.condition(new Analyzer(parameterName, ctx).condition(raw));
  }

  /**
   * The top-level attribute names a condition or filter expression reads, placeholders resolved.
   * The expression must already have been parsed with {@link #parseCondition}.
   */
  public static java.util.Set<String> topLevelNames(
      String expr, ExpressionContext ctx, String parameterName) {
    Parser p = Parser.forText(expr, parameterName, false);
    Node resolved = new Analyzer(parameterName, ctx).condition(p.parseCondition());
    java.util.Set<String> names = new java.util.LinkedHashSet<>();
    Analyzer.walk(
        resolved,
        n -> {
          if (n instanceof Node.Resolved r) {
            names.add(r.path().topLevelName());
          }
        });
    return names;
  }

  public static UpdatePlan parseUpdate(String expr, ExpressionContext ctx) {
    Parser p = Parser.forText(expr, "UpdateExpression", true);
    var raw = p.parseUpdate();
    return new UpdatePlan(new Analyzer("UpdateExpression", ctx).update(raw, p.clauses));
  }

  public static Projection parseProjection(String expr, ExpressionContext ctx) {
    Parser p = Parser.forText(expr, "ProjectionExpression", false);
    var raw = p.parseProjection();
    return new Projection(new Analyzer("ProjectionExpression", ctx).projection(raw));
  }

  /**
   * Parses a KeyConditionExpression. The result still needs the key schema: call {@link
   * ParsedKeyCondition#resolve} with the partition and sort key names of the table or index.
   */
  public static ParsedKeyCondition parseKeyCondition(String expr, ExpressionContext ctx) {
    Parser p = Parser.forText(expr, "KeyConditionExpression", false);
    Node raw = p.parseCondition();
    return KeyConditions.fromTree(new Analyzer("KeyConditionExpression", ctx).condition(raw));
  }

  /** Legacy Expected, combined with ConditionalOperator (null means AND). */
  public static Condition fromExpected(JsonNode expected, String conditionalOperator) {
    return Legacy.expected(expected, conditionalOperator);
  }

  /** Legacy QueryFilter or ScanFilter, combined with ConditionalOperator (null means AND). */
  public static Condition fromFilter(JsonNode queryOrScanFilter, String conditionalOperator) {
    return Legacy.filter(queryOrScanFilter, conditionalOperator);
  }

  /** Legacy Query KeyConditions; resolve the result against the key schema as for expressions. */
  public static ParsedKeyCondition fromKeyConditions(JsonNode keyConditions) {
    return Legacy.keyConditions(keyConditions);
  }

  /** Legacy AttributeUpdates: PUT, ADD and DELETE actions on top-level attributes. */
  public static UpdatePlan fromAttributeUpdates(JsonNode attributeUpdates) {
    return Legacy.attributeUpdates(attributeUpdates);
  }

  public static Projection fromAttributesToGet(JsonNode attributesToGet) {
    return Legacy.attributesToGet(attributesToGet);
  }
}
