package dev.tidemark.expressions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.model.AttributeJson;
import dev.tidemark.model.AttributeValue;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The pre-expression parameters: Expected, QueryFilter/ScanFilter, KeyConditions, etc. */
final class Legacy {
  private Legacy() {}

  private static final Set<String> OPERATORS =
      Set.of(
          "EQ",
          "NE",
          "LE",
          "LT",
          "GE",
          "GT",
          "NOT_NULL",
          "NULL",
          "CONTAINS",
          "NOT_CONTAINS",
          "BEGINS_WITH",
          "IN",
          "BETWEEN");

  private static DynamoException invalid(String detail) {
    return DynamoException.invalidParameter(detail);
  }

  // ---- conditions ----

  static Condition expected(JsonNode expected, String conditionalOperator) {
    List<Condition> parts = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = fields(expected); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      parts.add(expectedOne(e.getKey(), e.getValue()));
    }
    return combine(parts, conditionalOperator);
  }

  private static Condition expectedOne(String attr, JsonNode spec) {
    JsonNode value = present(spec, "Value");
    JsonNode exists = present(spec, "Exists");
    JsonNode op = present(spec, "ComparisonOperator");
    JsonNode list = present(spec, "AttributeValueList");
    if (op != null) {
      String operator = op.asText();
      if (exists != null) {
        throw invalid(
            "Exists and ComparisonOperator cannot be used together for Attribute: " + attr);
      }
      if (value != null && list != null) {
        throw invalid(
            "Value and AttributeValueList cannot be used together for Attribute: " + attr);
      }
      if (value == null
          && list == null
          && !operator.equals("NULL")
          && !operator.equals("NOT_NULL")) {
        throw invalid(
            "Value or AttributeValueList must be used with ComparisonOperator: "
                + operator
                + " for Attribute: "
                + attr);
      }
      List<AttributeValue> args =
          value != null ? List.of(AttributeJson.read(value)) : readList(list);
      return comparison(attr, operator, args, "expected");
    }
    if (list != null) {
      throw invalid(
          "AttributeValueList can only be used with a ComparisonOperator for Attribute: " + attr);
    }
    boolean mustExist = exists == null || exists.asBoolean();
    if (!mustExist) {
      if (value != null) {
        throw invalid("Value cannot be used when Exists is false for Attribute: " + attr);
      }
      return item -> !item.containsKey(attr);
    }
    if (value == null) {
      throw invalid(
          "Value must be provided when Exists is "
              + (exists == null ? "null" : "true")
              + " for Attribute: "
              + attr);
    }
    AttributeValue v = AttributeJson.read(value);
    return item -> v.equals(item.get(attr));
  }

  static Condition filter(JsonNode filter, String conditionalOperator) {
    List<Condition> parts = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = fields(filter); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode op = present(e.getValue(), "ComparisonOperator");
      if (op == null) {
        throw DynamoException.validation(
            "1 validation error detected: Value null at 'filter."
                + e.getKey()
                + ".member.comparisonOperator' failed to satisfy constraint: Member must not be"
                + " null");
      }
      parts.add(
          comparison(
              e.getKey(),
              op.asText(),
              readList(present(e.getValue(), "AttributeValueList")),
              "filter"));
    }
    return combine(parts, conditionalOperator);
  }

  private static Condition combine(List<Condition> parts, String conditionalOperator) {
    boolean or = "OR".equals(conditionalOperator);
    return item -> {
      for (Condition c : parts) {
        if (c.test(item) == or) {
          return or;
        }
      }
      return !or;
    };
  }

  /** Validates one ComparisonOperator with its arguments and returns its test. */
  static Condition comparison(String attr, String op, List<AttributeValue> args, String where) {
    checkArguments(attr, op, args, where);
    return item -> evaluate(op, item.get(attr), args);
  }

  private static void checkArguments(
      String attr, String op, List<AttributeValue> args, String where) {
    if (!OPERATORS.contains(op)) {
      throw DynamoException.validation(
          "1 validation error detected: Value '"
              + op
              + "' at '"
              + where
              + "."
              + attr
              + ".member.comparisonOperator' failed to satisfy constraint: Member must satisfy"
              + " enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE,"
              + " BEGINS_WITH, GE, CONTAINS]");
    }
    int n = args.size();
    boolean countOk =
        switch (op) {
          case "NULL", "NOT_NULL" -> n == 0;
          case "IN" -> n >= 1;
          case "BETWEEN" -> n == 2;
          default -> n == 1;
        };
    if (!countOk) {
      throw invalid("Invalid number of argument(s) for the " + op + " ComparisonOperator");
    }
    for (AttributeValue a : args) {
      boolean typeOk =
          switch (op) {
            case "LE", "LT", "GE", "GT", "IN", "BETWEEN" -> Values.isScalar(a);
            case "CONTAINS", "NOT_CONTAINS" ->
                !Values.isSet(a)
                    && !(a instanceof AttributeValue.M)
                    && !(a instanceof AttributeValue.L);
            case "BEGINS_WITH" -> a instanceof AttributeValue.S || a instanceof AttributeValue.B;
            default -> true;
          };
      if (!typeOk) {
        throw invalid(
            "ComparisonOperator "
                + op
                + " is not valid for "
                + a.type().name()
                + " AttributeValue type");
      }
    }
    if ((op.equals("IN") || op.equals("BETWEEN"))
        && args.stream().map(AttributeValue::type).distinct().count() > 1) {
      throw invalid("AttributeValues inside AttributeValueList must be of same type");
    }
    if (op.equals("BETWEEN") && Values.compare(args.get(0), args.get(1)) > 0) {
      throw DynamoException.validation(
          "The BETWEEN condition was provided a range where the lower bound is greater than the"
              + " upper bound");
    }
  }

  private static boolean evaluate(String op, AttributeValue v, List<AttributeValue> args) {
    AttributeValue a = args.isEmpty() ? null : args.get(0);
    return switch (op) {
      case "NULL" -> v == null;
      case "NOT_NULL" -> v != null;
      case "EQ" -> Eval.compare("=", v, a);
      case "NE" -> Eval.compare("<>", v, a);
      case "LT" -> Eval.compare("<", v, a);
      case "LE" -> Eval.compare("<=", v, a);
      case "GT" -> Eval.compare(">", v, a);
      case "GE" -> Eval.compare(">=", v, a);
      case "CONTAINS" -> Values.contains(v, a);
      case "NOT_CONTAINS" -> !Values.contains(v, a);
      case "BEGINS_WITH" -> Values.beginsWith(v, a);
      case "IN" -> v != null && args.contains(v);
      case "BETWEEN" ->
          Values.ordered(v, a) && Values.compare(a, v) <= 0 && Values.compare(v, args.get(1)) <= 0;
      default -> throw new IllegalStateException(op);
    };
  }

  // ---- KeyConditions ----

  static ParsedKeyCondition keyConditions(JsonNode keyConditions) {
    int size = keyConditions == null || keyConditions.isNull() ? 0 : keyConditions.size();
    if (size < 1 || size > ParsedKeyCondition.MAX_CONDITIONS) {
      throw DynamoException.validation("Conditions can be of length 1 or 2 only");
    }
    List<RangeCondition> out = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = fields(keyConditions); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode opNode = present(e.getValue(), "ComparisonOperator");
      String op = opNode == null ? "" : opNode.asText();
      List<AttributeValue> args = readList(present(e.getValue(), "AttributeValueList"));
      checkArguments(e.getKey(), op, args, "keyConditions");
      RangeCondition.Op rop =
          switch (op) {
            case "EQ" -> RangeCondition.Op.EQ;
            case "LT" -> RangeCondition.Op.LT;
            case "LE" -> RangeCondition.Op.LE;
            case "GT" -> RangeCondition.Op.GT;
            case "GE" -> RangeCondition.Op.GE;
            case "BETWEEN" -> RangeCondition.Op.BETWEEN;
            case "BEGINS_WITH" -> RangeCondition.Op.BEGINS_WITH;
            default ->
                throw DynamoException.validation(
                    "Attempted conditional constraint is not an indexable operation");
          };
      out.add(
          new RangeCondition(
              e.getKey(), rop, args.get(0), rop == RangeCondition.Op.BETWEEN ? args.get(1) : null));
    }
    return new ParsedKeyCondition(out);
  }

  // ---- AttributeUpdates ----

  static UpdatePlan attributeUpdates(JsonNode updates) {
    List<UpdatePlan.Action> actions = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = fields(updates); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode actionNode = present(e.getValue(), "Action");
      String action = actionNode == null ? "PUT" : actionNode.asText();
      JsonNode valueNode = present(e.getValue(), "Value");
      AttributeValue value = valueNode == null ? null : AttributeJson.read(valueNode);
      if (value == null && !action.equals("DELETE")) {
        throw invalid("Only DELETE action is allowed when no attribute value is specified");
      }
      DocumentPath path = DocumentPath.of(e.getKey());
      Node literal = value == null ? null : new Node.Literal(value);
      switch (action) {
        case "PUT" -> actions.add(new UpdatePlan.Action("PUT", path, literal));
        case "ADD" -> {
          if (!(value instanceof AttributeValue.N
              || value instanceof AttributeValue.L
              || Values.isSet(value))) {
            throw invalid("ADD action is not supported for the type " + value.type().name());
          }
          actions.add(new UpdatePlan.Action("LEGACY_ADD", path, literal));
        }
        case "DELETE" -> {
          if (value != null && !Values.isSet(value)) {
            throw invalid(
                "DELETE action with value is not supported for the type " + value.type().name());
          }
          actions.add(new UpdatePlan.Action("LEGACY_DELETE", path, literal));
        }
        default ->
            throw DynamoException.validation(
                "1 validation error detected: Value '"
                    + action
                    + "' at 'attributeUpdates."
                    + e.getKey()
                    + ".member.action' failed to satisfy constraint: Member must satisfy enum value"
                    + " set: [ADD, PUT, DELETE]");
      }
    }
    return new UpdatePlan(actions);
  }

  // ---- AttributesToGet ----

  static Projection attributesToGet(JsonNode names) {
    Set<String> seen = new LinkedHashSet<>();
    List<DocumentPath> paths = new ArrayList<>();
    if (names != null) {
      for (JsonNode n : names) {
        dev.tidemark.model.AttributeJson.checkNameLength(n.asText());
        if (!seen.add(n.asText())) {
          throw invalid("Duplicate value in attribute name: " + n.asText());
        }
        paths.add(DocumentPath.of(n.asText()));
      }
    }
    return new Projection(paths);
  }

  // ---- helpers ----

  private static Iterator<Map.Entry<String, JsonNode>> fields(JsonNode node) {
    return node == null || node.isNull() ? java.util.Collections.emptyIterator() : node.fields();
  }

  private static JsonNode present(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v == null || v.isNull() ? null : v;
  }

  private static List<AttributeValue> readList(JsonNode list) {
    List<AttributeValue> out = new ArrayList<>();
    if (list != null) {
      for (JsonNode x : list) {
        out.add(AttributeJson.read(x));
      }
    }
    return out;
  }
}
