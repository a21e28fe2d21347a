package dev.tidemark.expressions;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.model.AttributeJson;
import dev.tidemark.model.AttributeValue;
import java.util.LinkedHashMap;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Test helpers: items and placeholder maps written in relaxed JSON ({a:{N:'1'}}). */
final class T {
  private T() {}

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(JsonParser.Feature.ALLOW_SINGLE_QUOTES)
          .enable(JsonParser.Feature.ALLOW_UNQUOTED_FIELD_NAMES);

  static JsonNode json(String relaxed) {
    try {
      return JSON.readTree(relaxed);
    } catch (Exception e) {
      throw new IllegalArgumentException(relaxed, e);
    }
  }

  static Map<String, AttributeValue> item(String relaxed) {
    return AttributeJson.readMap(json(relaxed));
  }

  static AttributeValue value(String relaxed) {
    return AttributeJson.read(json(relaxed));
  }

  /** A context from relaxed JSON: names as {'#a':'a'}, values as {':v':{N:'1'}}. */
  static ExpressionContext ctx(String names, String values) {
    Map<String, String> n = new LinkedHashMap<>();
    if (names != null) {
      json(names).fields().forEachRemaining(e -> n.put(e.getKey(), e.getValue().asText()));
    }
    return new ExpressionContext(n, values == null ? Map.of() : item(values));
  }

  static ExpressionContext values(String values) {
    return ctx(null, values);
  }

  static AbstractThrowableAssert<?, ? extends Throwable> validation(
      ThrowingCallable call, String message) {
    return assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            DynamoException.class,
            e ->
                org.assertj.core.api.Assertions.assertThat(e.error())
                    .isEqualTo(WireError.VALIDATION))
        .hasMessage(message);
  }

  static boolean cond(String expr, ExpressionContext ctx, Map<String, AttributeValue> item) {
    return Expressions.parseCondition(expr, ctx, "ConditionExpression").test(item);
  }

  static String wire(Map<String, AttributeValue> item) {
    return AttributeJson.writeMap(item).toString();
  }
}
