package dev.tidemark.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.expressions.ExpressionContext;
import dev.tidemark.model.AttributeJson;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.model.ItemSize;
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
    checkSubstitutionSizes(names, values);
    return new ExpressionContext(names == null ? Map.of() : names, values);
  }

  /** DynamoDB's limit on one placeholder ("#name" is five bytes, ":val" four). */
  static final int MAX_PLACEHOLDER_BYTES = 255;

  /** DynamoDB's limit on all ExpressionAttributeNames and ExpressionAttributeValues together. */
  static final long MAX_SUBSTITUTION_BYTES = 2L * 1024 * 1024;

  /**
   * The documented expression-parameter limits: placeholders of at most 255 bytes, and at most 2 MB
   * of names and values in all. DynamoDB refuses both with a ValidationException; its wording is
   * not confirmed, so the texts are ours.
   */
  private static void checkSubstitutionSizes(
      Map<String, String> names, Map<String, AttributeValue> values) {
    long total = 0;
    if (names != null) {
      for (Map.Entry<String, String> e : names.entrySet()) {
        total += placeholder("ExpressionAttributeNames", e.getKey()) + utf8(e.getValue());
      }
    }
    for (Map.Entry<String, AttributeValue> e : values.entrySet()) {
      total += placeholder("ExpressionAttributeValues", e.getKey()) + ItemSize.of(e.getValue());
    }
    if (total > MAX_SUBSTITUTION_BYTES) {
      throw DynamoException.validation(
          "ExpressionAttributeNames and ExpressionAttributeValues together exceed the maximum"
              + " allowed size of 2 MB; size: "
              + total);
    }
  }

  private static int placeholder(String parameter, String key) {
    int bytes = utf8(key);
    if (bytes > MAX_PLACEHOLDER_BYTES) {
      throw DynamoException.validation(
          parameter
              + " contains invalid key: the key exceeds the maximum allowed length of "
              + MAX_PLACEHOLDER_BYTES
              + " bytes; key: "
              + key);
    }
    return bytes;
  }

  // Counts without allocating: this runs on every request that carries placeholders.
  private static int utf8(String s) {
    return ItemSize.utf8Length(s);
  }
}
