package dev.tidemark.expressions;

import dev.tidemark.errors.DynamoException;
import dev.tidemark.model.AttributeValue;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The ExpressionAttributeNames and ExpressionAttributeValues of one request, shared by all of its
 * expressions. It records which placeholders the expressions used, because DynamoDB rejects a
 * request that defines one no expression uses.
 *
 * <p>Absent and empty maps are treated alike here; the caller checks DynamoDB's "must not be empty"
 * rule, since only it still knows whether the parameter was sent.
 */
public final class ExpressionContext {
  private static final Pattern NAME_KEY = Pattern.compile("#[A-Za-z0-9_]+");
  private static final Pattern VALUE_KEY = Pattern.compile(":[A-Za-z0-9_]+");

  private final Map<String, String> names;
  private final Map<String, AttributeValue> values;
  private final Set<String> usedNames = new HashSet<>();
  private final Set<String> usedValues = new HashSet<>();

  /** Null maps mean the parameter was not given. */
  public ExpressionContext(Map<String, String> names, Map<String, AttributeValue> values) {
    this.names = names == null ? Map.of() : new LinkedHashMap<>(names);
    this.values = values == null ? Map.of() : new LinkedHashMap<>(values);
    for (String k : this.names.keySet()) {
      if (!NAME_KEY.matcher(k).matches()) {
        throw DynamoException.validation(
            "ExpressionAttributeNames contains invalid key: Syntax error; key: \"" + k + "\"");
      }
    }
    for (String k : this.values.keySet()) {
      if (!VALUE_KEY.matcher(k).matches()) {
        throw DynamoException.validation(
            "ExpressionAttributeValues contains invalid key: Syntax error; key: \"" + k + "\"");
      }
    }
  }

  /** A context for requests that have no expression parameters. */
  static ExpressionContext empty() {
    return new ExpressionContext(null, null);
  }

  /** The attribute name for a {@code #placeholder}, or null when undefined. */
  String name(String placeholder) {
    String n = names.get(placeholder);
    if (n != null) {
      usedNames.add(placeholder);
    }
    return n;
  }

  /** The value for a {@code :placeholder}, or null when undefined. */
  AttributeValue value(String placeholder) {
    AttributeValue v = values.get(placeholder);
    if (v != null) {
      usedValues.add(placeholder);
    }
    return v;
  }

  /**
   * Throws DynamoDB's ValidationException for names or values that no expression used. Call it
   * after every expression of the request has been parsed.
   */
  public void checkAllUsed() {
    List<String> unusedNames = unused(names.keySet(), usedNames);
    if (!unusedNames.isEmpty()) {
      throw DynamoException.validation(
          "Value provided in ExpressionAttributeNames unused in expressions: keys: {"
              + String.join(", ", unusedNames)
              + "}");
    }
    List<String> unusedValues = unused(values.keySet(), usedValues);
    if (!unusedValues.isEmpty()) {
      throw DynamoException.validation(
          "Value provided in ExpressionAttributeValues unused in expressions: keys: {"
              + String.join(", ", unusedValues)
              + "}");
    }
  }

  private static List<String> unused(Set<String> defined, Set<String> used) {
    List<String> out = new ArrayList<>();
    for (String k : defined) {
      if (!used.contains(k)) {
        out.add(k);
      }
    }
    return out;
  }
}
