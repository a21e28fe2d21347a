package dev.tidemark.awsbackup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.managed.Lifecycle;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One request's parameters by the model's member names: path labels (percent-decoded) and body
 * members in {@code input}, query parameters by their wire names in {@code query}. Readers check
 * types and answer AWS Backup's errors.
 */
public record Call(ObjectNode input, Map<String, String> query) {

  public String string(String member) {
    JsonNode v = input.get(member);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw invalid("Invalid value for " + member + ": expected a string.");
    }
    return v.asText();
  }

  public String required(String member) {
    String v = string(member);
    if (v == null || v.isEmpty()) {
      throw new DynamoException(
          WireError.MISSING_PARAMETER_VALUE, "Missing required parameter: " + member + ".");
    }
    return v;
  }

  public Long number(String member) {
    JsonNode v = input.get(member);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw invalid("Invalid value for " + member + ": expected an integer.");
    }
    return v.asLong();
  }

  /** A string-to-string map member (tags, restore metadata), or an empty map. */
  public Map<String, String> map(String member) {
    JsonNode v = input.get(member);
    Map<String, String> out = new TreeMap<>();
    if (v == null || v.isNull()) {
      return out;
    }
    if (!v.isObject()) {
      throw invalid("Invalid value for " + member + ": expected a map of strings.");
    }
    v.fields()
        .forEachRemaining(
            e -> {
              if (!e.getValue().isTextual()) {
                throw invalid("Invalid value for " + member + "." + e.getKey() + ".");
              }
              out.put(e.getKey(), e.getValue().asText());
            });
    return out;
  }

  public List<String> strings(String member) {
    JsonNode v = input.get(member);
    List<String> out = new ArrayList<>();
    if (v == null || v.isNull()) {
      return out;
    }
    if (!v.isArray()) {
      throw invalid("Invalid value for " + member + ": expected a list of strings.");
    }
    for (JsonNode e : v) {
      if (!e.isTextual()) {
        throw invalid("Invalid value for " + member + ": expected a list of strings.");
      }
      out.add(e.asText());
    }
    return out;
  }

  /** A {@code Lifecycle} member, validated with AWS's rules; {@link Lifecycle#NONE} when absent. */
  public Lifecycle lifecycle(String member) {
    JsonNode v = input.get(member);
    if (v == null || v.isNull()) {
      return Lifecycle.NONE;
    }
    if (!v.isObject()) {
      throw invalid("Invalid value for " + member + ": expected a structure.");
    }
    return new Lifecycle(
        days(v, member, "MoveToColdStorageAfterDays"), days(v, member, "DeleteAfterDays"));
  }

  private static Integer days(JsonNode lifecycle, String member, String field) {
    JsonNode d = lifecycle.get(field);
    if (d == null || d.isNull()) {
      return null;
    }
    if (!d.isIntegralNumber() || !d.canConvertToInt()) {
      throw invalid("Invalid value for " + member + "." + field + ": expected an integer.");
    }
    return d.asInt();
  }

  public String query(String wireName) {
    return query.get(wireName);
  }

  /**
   * An integer query parameter within {@code [min, max]}, or {@code absent}; out of range is
   * refused in the service's validation wording, naming the member as {@code member}.
   */
  public int queryInt(String wireName, String member, int min, int max, int absent) {
    String v = query.get(wireName);
    if (v == null) {
      return absent;
    }
    int n;
    try {
      n = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw invalid("Invalid value for " + wireName + ": " + v);
    }
    if (n < min || n > max) {
      throw invalid(
          "1 validation error detected: Value '"
              + n
              + "' at '"
              + member
              + "' failed to satisfy constraint: Member must have value "
              + (n < min ? "greater than or equal to " + min : "less than or equal to " + max));
    }
    return n;
  }

  /** A timestamp query parameter: ISO-8601 as botocore sends it, or epoch seconds. */
  public Long queryTime(String wireName) {
    String v = query.get(wireName);
    if (v == null) {
      return null;
    }
    try {
      return Instant.parse(v.endsWith("Z") || v.contains("+") ? v : v + "Z").toEpochMilli();
    } catch (DateTimeParseException e) {
      try {
        return new BigDecimal(v).movePointRight(3).longValue();
      } catch (NumberFormatException n) {
        throw invalid("Invalid timestamp for " + wireName + ": " + v);
      }
    }
  }

  public static DynamoException invalid(String message) {
    return new DynamoException(WireError.INVALID_PARAMETER_VALUE, message);
  }
}
