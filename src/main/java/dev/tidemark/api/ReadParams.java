package dev.tidemark.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.expressions.Condition;
import dev.tidemark.expressions.ExpressionContext;
import dev.tidemark.expressions.Expressions;
import dev.tidemark.expressions.Projection;

/**
 * The filter and projection parameters that reads share, each given either as an expression or as
 * its legacy form; {@link ExpressionParams} has already refused requests that mix the two.
 */
public final class ReadParams {
  private ReadParams() {}

  /** FilterExpression, or the legacy QueryFilter/ScanFilter; null when there is none. */
  public static Condition filter(
      ExpressionContext ctx, String filterExpression, JsonNode legacyFilter, String operator) {
    if (filterExpression != null) {
      return Expressions.parseCondition(filterExpression, ctx, "FilterExpression");
    }
    return legacyFilter == null ? null : Expressions.fromFilter(legacyFilter, operator);
  }

  /** ProjectionExpression, or the legacy AttributesToGet; null means whole items. */
  public static Projection projection(
      ExpressionContext ctx, String projectionExpression, JsonNode attributesToGet) {
    if (projectionExpression != null) {
      return Expressions.parseProjection(projectionExpression, ctx);
    }
    if (attributesToGet == null) {
      return null;
    }
    // An empty list is a member constraint on DynamoDB, not "return nothing".
    if (attributesToGet.isArray() && attributesToGet.isEmpty()) {
      new Constraints()
          .add(
              "Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must have"
                  + " length greater than or equal to 1")
          .check();
    }
    return Expressions.fromAttributesToGet(attributesToGet);
  }
}
