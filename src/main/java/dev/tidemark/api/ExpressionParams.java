package dev.tidemark.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.expressions.ExpressionContext;
import dev.tidemark.model.AttributeJson;
import dev.tidemark.model.AttributeValue;
import java.util.List;
import java.util.Map;

/**
 * The expression parameters of a request: reads ExpressionAttributeNames and Values, refuses them
 * when no expression uses them, and refuses mixing expressions with legacy parameters, with
 * DynamoDB's messages. The one mix DynamoDB allows is legacy KeyConditions with the other
 * expressions of a Query.
 */
public final class ExpressionParams {
  private ExpressionParams() {}

  /**
   * @param expressions the expression parameters present in the request (names to values, nulls
   *     allowed)
   * @param legacy the legacy parameters present (names to nodes, nulls allowed)
   */
  public static ExpressionContext read(
      JsonNode req, Map<String, String> expressions, Map<String, JsonNode> legacy) {
    Map<String, String> names = Json.stringMap(req, "ExpressionAttributeNames");
    JsonNode valuesNode = Json.objectField(req, "ExpressionAttributeValues");
    boolean anyExpression = expressions.values().stream().anyMatch(e -> e != null);
    // DynamoDB lets legacy KeyConditions go with FilterExpression and ProjectionExpression; only
    // KeyConditionExpression is its conflicting counterpart.
    boolean keyConditionsAlone = expressions.get("KeyConditionExpression") == null;
    List<String> legacyUsed =
        legacy.entrySet().stream()
            .filter(e -> e.getValue() != null)
            .map(Map.Entry::getKey)
            .filter(name -> !(keyConditionsAlone && name.equals("KeyConditions")))
            .toList();
    List<String> expressionUsed =
        expressions.entrySet().stream()
            .filter(e -> e.getValue() != null)
            .map(Map.Entry::getKey)
            .toList();
    if (!legacyUsed.isEmpty() && !expressionUsed.isEmpty()) {
      throw DynamoException.validation(
          "Can not use both expression and non-expression parameters in the same request:"
              + " Non-expression parameters: {"
              + String.join(", ", legacyUsed)
              + "} Expression parameters: {"
              + String.join(", ", expressionUsed)
              + "}");
    }
    if (names != null && !anyExpression) {
      throw DynamoException.validation(
          "ExpressionAttributeNames can only be specified when using expressions");
    }
    if (valuesNode != null && !anyExpression) {
      throw DynamoException.validation(
          "ExpressionAttributeValues can only be specified when using expressions");
    }
    if (names != null && names.isEmpty()) {
      throw DynamoException.validation("ExpressionAttributeNames must not be empty");
    }
    if (names != null) {
      for (Map.Entry<String, String> name : names.entrySet()) {
        if (name.getValue().isEmpty()) {
          throw DynamoException.validation(
              "ExpressionAttributeNames contains invalid value: Empty attribute name for key "
                  + name.getKey());
        }
        AttributeJson.checkNameLength(name.getValue());
      }
    }
    if (valuesNode != null && valuesNode.isEmpty()) {
      throw DynamoException.validation("ExpressionAttributeValues must not be empty");
    }
    Map<String, AttributeValue> values = AttributeJson.readMap(valuesNode);
    return new ExpressionContext(names == null ? Map.of() : names, values);
  }
}
