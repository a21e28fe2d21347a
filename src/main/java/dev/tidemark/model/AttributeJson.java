package dev.tidemark.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.errors.DynamoException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Converts attribute values between DynamoDB's JSON wire form and {@link AttributeValue}. */
public final class AttributeJson {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final int MAX_NESTING = 32;

  /** DynamoDB's limit on attribute names, in UTF-8 bytes. */
  public static final int MAX_NAME_BYTES = 65535;

  private AttributeJson() {}

  /** Reads an item, a key or any other map of attribute values. */
  public static Map<String, AttributeValue> readMap(JsonNode node) {
    if (node == null || node.isNull()) {
      return Map.of();
    }
    if (!node.isObject()) {
      throw DynamoException.serialization("Unexpected value type in payload: expected a map");
    }
    Map<String, AttributeValue> out = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      checkNameLength(e.getKey());
      out.put(e.getKey(), read(e.getValue(), 0));
    }
    return out;
  }

  public static AttributeValue read(JsonNode node) {
    return read(node, 0);
  }

  private static AttributeValue read(JsonNode node, int depth) {
    if (node == null || !node.isObject()) {
      throw DynamoException.serialization(
          "Unexpected value type in payload: an AttributeValue must be an object");
    }
    if (depth > MAX_NESTING) {
      throw DynamoException.validation(
          "Nesting Levels have exceeded supported limits: Supported level of nesting is "
              + MAX_NESTING);
    }
    int set = 0;
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String n = names.next();
      if (!node.get(n).isNull()) {
        set++;
      }
    }
    if (set == 0) {
      throw DynamoException.validation(
          "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
    }
    if (set > 1) {
      throw DynamoException.validation(
          "Supplied AttributeValue has more than one datatypes set, must contain exactly one of"
              + " the supported datatypes");
    }
    Map.Entry<String, JsonNode> e = firstNonNull(node);
    JsonNode v = e.getValue();
    switch (e.getKey()) {
      case "S":
        return new AttributeValue.S(text(v, "S"));
      case "N":
        return new AttributeValue.N(number(text(v, "N")));
      case "B":
        return new AttributeValue.B(binary(v));
      case "BOOL":
        if (!v.isBoolean()) {
          throw DynamoException.serialization("Unexpected value type in payload: BOOL");
        }
        return new AttributeValue.Bool(v.booleanValue());
      case "NULL":
        if (!v.isBoolean()) {
          throw DynamoException.serialization("Unexpected value type in payload: NULL");
        }
        if (!v.booleanValue()) {
          throw DynamoException.invalidParameter(
              "Null attribute value types must have the value of true");
        }
        return new AttributeValue.Null();
      case "SS":
        {
          List<String> items = new ArrayList<>();
          for (JsonNode x : array(v, "SS")) {
            items.add(text(x, "SS"));
          }
          if (items.isEmpty()) {
            throw DynamoException.invalidParameter("An string set  may not be empty");
          }
          checkDuplicates(items, items);
          return new AttributeValue.SS(new LinkedHashSet<>(items));
        }
      case "NS":
        {
          List<String> raw = new ArrayList<>();
          List<BigDecimal> items = new ArrayList<>();
          for (JsonNode x : array(v, "NS")) {
            String t = text(x, "NS");
            raw.add(t);
            items.add(Numbers.canonical(number(t)));
          }
          if (items.isEmpty()) {
            throw DynamoException.invalidParameter("An number set  may not be empty");
          }
          checkDuplicates(items, raw);
          return new AttributeValue.NS(new LinkedHashSet<>(items));
        }
      case "BS":
        {
          List<Bytes> items = new ArrayList<>();
          for (JsonNode x : array(v, "BS")) {
            items.add(binary(x));
          }
          if (items.isEmpty()) {
            throw DynamoException.invalidParameter("Binary sets should not be empty");
          }
          checkDuplicates(items, items);
          return new AttributeValue.BS(new LinkedHashSet<>(items));
        }
      case "M":
        {
          if (!v.isObject()) {
            throw DynamoException.serialization("Unexpected value type in payload: M");
          }
          Map<String, AttributeValue> m = new LinkedHashMap<>();
          Iterator<Map.Entry<String, JsonNode>> it = v.fields();
          while (it.hasNext()) {
            Map.Entry<String, JsonNode> f = it.next();
            checkNameLength(f.getKey());
            m.put(f.getKey(), read(f.getValue(), depth + 1));
          }
          return new AttributeValue.M(m);
        }
      case "L":
        {
          List<AttributeValue> l = new ArrayList<>();
          for (JsonNode x : array(v, "L")) {
            l.add(read(x, depth + 1));
          }
          return new AttributeValue.L(l);
        }
      default:
        throw DynamoException.serialization("Unexpected field in AttributeValue: " + e.getKey());
    }
  }

  /**
   * Attribute names are limited to 65535 UTF-8 bytes (DynamoDB documents "64 KB"; 65536 itself is
   * refused). The type and the number are DynamoDB's; the wording is not confirmed.
   */
  public static void checkNameLength(String name) {
    // A char is at most 3 UTF-8 bytes, so short names need no counting.
    if (name.length() > MAX_NAME_BYTES / 3
        && name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
      throw DynamoException.invalidParameter(
          "Attribute name exceeds the maximum allowed size of " + MAX_NAME_BYTES + " bytes");
    }
  }

  private static Map.Entry<String, JsonNode> firstNonNull(JsonNode node) {
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isNull()) {
        return e;
      }
    }
    throw new IllegalStateException("checked before");
  }

  private static <T> void checkDuplicates(List<T> items, List<?> shown) {
    Set<T> seen = new LinkedHashSet<>(items);
    if (seen.size() != items.size()) {
      throw DynamoException.invalidParameter("Input collection " + shown + " contains duplicates.");
    }
  }

  private static String text(JsonNode v, String type) {
    if (!v.isTextual()) {
      throw DynamoException.serialization(
          "Unexpected value type in payload: " + type + " must be a string");
    }
    return v.textValue();
  }

  private static Iterable<JsonNode> array(JsonNode v, String type) {
    if (!v.isArray()) {
      throw DynamoException.serialization(
          "Unexpected value type in payload: " + type + " must be a list");
    }
    return v;
  }

  private static Bytes binary(JsonNode v) {
    if (!v.isTextual()) {
      throw DynamoException.serialization("Unexpected value type in payload: B must be a string");
    }
    // DynamoDB reads B strictly: padded standard base64 whose last character carries no stray
    // bits (its texts, the second with its spelling, as dynalite records them).
    String text = v.textValue();
    if (text.length() % 4 != 0) {
      throw DynamoException.serialization(
          "Base64 encoded length is expected a multiple of 4 bytes but found: " + text.length());
    }
    byte[] decoded;
    try {
      decoded = java.util.Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      decoded = null;
    }
    if (decoded == null || !java.util.Base64.getEncoder().encodeToString(decoded).equals(text)) {
      throw DynamoException.serialization("Invalid last non-pad Base64 character dectected");
    }
    return Bytes.copyOf(decoded);
  }

  /** Parses and range-checks number text with DynamoDB's messages. */
  public static BigDecimal number(String text) {
    BigDecimal d = Numbers.parse(text);
    if (d == null) {
      throw DynamoException.validation(
          "The parameter cannot be converted to a numeric value: " + text);
    }
    switch (Numbers.check(d)) {
      case TOO_MANY_DIGITS:
        throw DynamoException.validation(
            "Attempting to store more than 38 significant digits in a Number");
      case OVERFLOW:
        throw DynamoException.validation(
            "Number overflow. Attempting to store a number with magnitude larger than supported"
                + " range");
      case UNDERFLOW:
        throw DynamoException.validation(
            "Number underflow. Attempting to store a number with magnitude smaller than supported"
                + " range");
      default:
        return d;
    }
  }

  public static ObjectNode writeMap(Map<String, AttributeValue> item) {
    ObjectNode o = JSON.objectNode();
    for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
      o.set(e.getKey(), write(e.getValue()));
    }
    return o;
  }

  public static ObjectNode write(AttributeValue value) {
    ObjectNode o = JSON.objectNode();
    if (value instanceof AttributeValue.S s) {
      o.put("S", s.value());
    } else if (value instanceof AttributeValue.N n) {
      o.put("N", n.text());
    } else if (value instanceof AttributeValue.B b) {
      o.put("B", b.value().toBase64());
    } else if (value instanceof AttributeValue.Bool b) {
      o.put("BOOL", b.value());
    } else if (value instanceof AttributeValue.Null) {
      o.put("NULL", true);
    } else if (value instanceof AttributeValue.SS ss) {
      ArrayNode a = o.putArray("SS");
      ss.values().forEach(a::add);
    } else if (value instanceof AttributeValue.NS ns) {
      ArrayNode a = o.putArray("NS");
      ns.values().forEach(x -> a.add(Numbers.toWire(x)));
    } else if (value instanceof AttributeValue.BS bs) {
      ArrayNode a = o.putArray("BS");
      bs.values().forEach(x -> a.add(x.toBase64()));
    } else if (value instanceof AttributeValue.M m) {
      o.set("M", writeMap(m.values()));
    } else if (value instanceof AttributeValue.L l) {
      ArrayNode a = o.putArray("L");
      l.values().forEach(x -> a.add(write(x)));
    }
    return o;
  }
}
