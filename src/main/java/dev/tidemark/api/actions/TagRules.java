package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.Json;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.Table;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * DynamoDB's tagging rules, shared by CreateTable and the tagging actions: at most 50 tags per
 * table, keys of 1 to 128 and values of 0 to 256 characters (letters, digits, white space and
 * {@code + - = . _ : / @}), and no keys in the {@code aws:} namespace, which AWS reserves for
 * itself.
 */
final class TagRules {
  static final int MAX_TAGS = 50;
  private static final String CHARACTERS = "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*";
  private static final Pattern ALLOWED = Pattern.compile(CHARACTERS);
  private static final Pattern TABLE_ARN =
      Pattern.compile("arn:aws:dynamodb:([a-z0-9-]+):(\\d{12}):table/([a-zA-Z0-9_.-]{3,255})");

  private TagRules() {}

  /**
   * Reads a Tags list, adding length and character violations to {@code c} (member names like
   * {@code tags.1.member.key}, as DynamoDB numbers list members from 1).
   */
  static Map<String, String> read(JsonNode tags, Constraints c) {
    Map<String, String> out = new LinkedHashMap<>();
    if (tags == null) {
      return out;
    }
    int i = 0;
    for (JsonNode t : tags) {
      i++;
      if (!t.isObject()) {
        throw DynamoException.serialization(
            "Unexpected value type for 'Tags': expected a list of structures");
      }
      String member = "tags." + i + ".member.";
      String key = Json.string(t, "Key");
      String value = Json.string(t, "Value");
      c.notNull(Json.field(t, "Key"), member + "key")
          .length(key, member + "key", 1, 128)
          .notNull(Json.field(t, "Value"), member + "value")
          .length(value, member + "value", 0, 256);
      pattern(c, key, member + "key");
      pattern(c, value, member + "value");
      out.put(key, value);
    }
    return out;
  }

  static void pattern(Constraints c, String value, String member) {
    if (value != null && !ALLOWED.matcher(value).matches()) {
      c.add(
          "Value '"
              + value
              + "' at '"
              + member
              + "' failed to satisfy constraint: Member must satisfy regular expression pattern: "
              + CHARACTERS);
    }
  }

  /** Refuses keys in the namespace AWS reserves for the tags it assigns itself. */
  static void checkNotReserved(Iterable<String> keys) {
    for (String k : keys) {
      if (k != null && k.startsWith("aws:")) {
        throw DynamoException.invalidParameter(
            "Tag keys starting with 'aws:' are reserved for AWS use: " + k);
      }
    }
  }

  static void checkCount(int count) {
    if (count > MAX_TAGS) {
      throw DynamoException.invalidParameter(
          "A table can have at most " + MAX_TAGS + " tags; this request would leave " + count);
    }
  }

  /** Refuses a ResourceArn that is not a table ARN, before anything else about it is checked. */
  static Matcher checkArn(String arn) {
    Matcher m = TABLE_ARN.matcher(arn);
    if (!m.matches()) {
      throw DynamoException.validation(
          "Invalid TableArn: Invalid ResourceArn provided as input " + arn);
    }
    return m;
  }

  /** The live table a ResourceArn names, or DynamoDB's errors for a malformed or unknown ARN. */
  static Table requireTable(Database db, String arn) {
    Matcher m = checkArn(arn);
    if (!m.group(1).equals(db.region()) || !m.group(2).equals(db.account())) {
      throw notFound(arn);
    }
    return db.catalog().find(m.group(3)).orElseThrow(() -> notFound(arn));
  }

  // "ResourcArn" is DynamoDB's own spelling in this message.
  private static DynamoException notFound(String arn) {
    return DynamoException.resourceNotFound(
        "Requested resource not found: ResourcArn: " + arn + " not found");
  }
}
