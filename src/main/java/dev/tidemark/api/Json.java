package dev.tidemark.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.errors.DynamoException;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Typed access to request fields. A field of the wrong JSON type is a SerializationException, as
 * DynamoDB's protocol layer answers before validation runs.
 */
public final class Json {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private Json() {}

  public static ObjectNode object() {
    return F.objectNode();
  }

  public static JsonNode field(JsonNode req, String name) {
    JsonNode v = req.get(name);
    return v == null || v.isNull() ? null : v;
  }

  public static String string(JsonNode req, String name) {
    JsonNode v = field(req, name);
    if (v == null) {
      return null;
    }
    if (!v.isTextual()) {
      throw DynamoException.serialization(
          "Unexpected value type for '" + name + "': expected a string");
    }
    return v.textValue();
  }

  public static Boolean bool(JsonNode req, String name) {
    JsonNode v = field(req, name);
    if (v == null) {
      return null;
    }
    if (!v.isBoolean()) {
      throw DynamoException.serialization(
          "Unexpected value type for '" + name + "': expected a boolean");
    }
    return v.booleanValue();
  }

  public static Long integer(JsonNode req, String name) {
    JsonNode v = field(req, name);
    if (v == null) {
      return null;
    }
    if (!v.isNumber()
        || !v.canConvertToLong()
        || (v.isFloatingPointNumber() && v.decimalValue().stripTrailingZeros().scale() > 0)) {
      throw DynamoException.serialization(
          "Unexpected value type for '" + name + "': expected an integer");
    }
    return v.longValue();
  }

  private static final BigDecimal MIN_MILLIS = BigDecimal.valueOf(Long.MIN_VALUE);
  private static final BigDecimal MAX_MILLIS = BigDecimal.valueOf(Long.MAX_VALUE);

  /** An epoch-seconds timestamp (fractions allowed) as milliseconds. */
  public static Long epochMillis(JsonNode req, String name) {
    JsonNode v = field(req, name);
    if (v == null) {
      return null;
    }
    // A float past double's range (1E+400) parses as infinity, which has no decimal value; one in
    // range may still be past any millisecond a long holds, which must not wrap around.
    if (!v.isNumber() || (v.isFloatingPointNumber() && !Double.isFinite(v.doubleValue()))) {
      throw DynamoException.serialization(
          "Unexpected value type for '" + name + "': expected a timestamp");
    }
    BigDecimal millis = v.decimalValue().multiply(BigDecimal.valueOf(1000));
    if (millis.compareTo(MIN_MILLIS) < 0 || millis.compareTo(MAX_MILLIS) > 0) {
      throw DynamoException.serialization(
          "Unexpected value for '" + name + "': the timestamp is out of range");
    }
    return millis.longValue();
  }

  public static JsonNode array(JsonNode req, String name) {
    JsonNode v = field(req, name);
    if (v != null && !v.isArray()) {
      throw DynamoException.serialization(
          "Unexpected value type for '" + name + "': expected a list");
    }
    return v;
  }

  public static JsonNode objectField(JsonNode req, String name) {
    JsonNode v = field(req, name);
    if (v != null && !v.isObject()) {
      throw DynamoException.serialization(
          "Unexpected value type for '" + name + "': expected a structure");
    }
    return v;
  }

  public static Map<String, String> stringMap(JsonNode req, String name) {
    JsonNode v = objectField(req, name);
    if (v == null) {
      return null;
    }
    Map<String, String> out = new LinkedHashMap<>();
    v.fields()
        .forEachRemaining(
            e -> {
              if (!e.getValue().isTextual()) {
                throw DynamoException.serialization(
                    "Unexpected value type in '" + name + "': expected strings");
              }
              out.put(e.getKey(), e.getValue().textValue());
            });
    return out;
  }

  /** Epoch milliseconds as DynamoDB's wire timestamps: epoch seconds with a fraction. */
  public static BigDecimal seconds(long millis) {
    return BigDecimal.valueOf(millis).movePointLeft(3);
  }
}
