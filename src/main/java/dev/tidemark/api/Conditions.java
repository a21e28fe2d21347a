package dev.tidemark.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.expressions.Condition;
import dev.tidemark.expressions.ExpressionContext;
import dev.tidemark.expressions.Expressions;
import dev.tidemark.model.AttributeJson;
import dev.tidemark.model.AttributeValue;
import java.util.List;
import java.util.Map;

/**
 * The write condition of PutItem, UpdateItem and DeleteItem (ConditionExpression or the legacy
 * Expected), and what a failed check answers.
 */
public final class Conditions {
  private Conditions() {}

  /** Parses the request's condition, or returns null when it has none. */
  public static Condition parse(JsonNode req, ExpressionContext ctx) {
    String expression = Json.string(req, "ConditionExpression");
    JsonNode expected = Json.objectField(req, "Expected");
    String operator = Json.string(req, "ConditionalOperator");
    new Constraints().oneOf(operator, "conditionalOperator", List.of("AND", "OR")).check();
    if (expression != null) {
      return Expressions.parseCondition(expression, ctx, "ConditionExpression");
    }
    if (expected != null) {
      return Expressions.fromExpected(expected, operator);
    }
    if (operator != null) {
      throw DynamoException.validation(
          "ConditionalOperator can only be used when Expected or QueryFilter or ScanFilter is"
              + " present");
    }
    return null;
  }

  /** Whether a failed check should return the old item (ReturnValuesOnConditionCheckFailure). */
  public static boolean returnOldOnFailure(JsonNode req) {
    String v = Json.string(req, "ReturnValuesOnConditionCheckFailure");
    new Constraints()
        .oneOf(v, "returnValuesOnConditionCheckFailure", List.of("ALL_OLD", "NONE"))
        .check();
    return "ALL_OLD".equals(v);
  }

  /** Checks the condition against the current item inside the write, failing the write if false. */
  public static void check(
      Condition condition, Map<String, AttributeValue> current, boolean returnOld) {
    if (condition == null) {
      return;
    }
    if (!condition.test(current == null ? Map.of() : current)) {
      ObjectNode extra = null;
      if (returnOld && current != null) {
        extra = Json.object();
        extra.set("Item", AttributeJson.writeMap(current));
      }
      throw DynamoException.conditionalCheckFailed(extra);
    }
  }
}
