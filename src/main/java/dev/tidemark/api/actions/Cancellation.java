package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Json;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.tables.KeySchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * TransactionCanceledException and its CancellationReasons, one per action in request order: {@code
 * {"Code":"None"}} for an action that would have succeeded, ConditionalCheckFailed (with the item
 * when ReturnValuesOnConditionCheckFailure is ALL_OLD) or ValidationError for one that failed.
 *
 * <p>It also holds DynamoDB's split of key errors inside transactions, observed on the service: a
 * key whose attributes do not fit the table's schema cancels the transaction with a ValidationError
 * reason for that action, while an empty or oversized key value refuses the whole request with a
 * ValidationException before anything runs.
 */
final class Cancellation {
  static final String KEY_MISMATCH = "The provided key element does not match the schema";

  /** DynamoDB's limit on the aggregate size of the items in one transaction. */
  static final long MAX_TRANSACTION_BYTES = 4L * 1024 * 1024;

  private Cancellation() {}

  /** The reason of an action that would have succeeded. */
  static ObjectNode none() {
    return Json.object().put("Code", "None");
  }

  static ObjectNode validationError(String message) {
    return Json.object().put("Code", "ValidationError").put("Message", message);
  }

  /** The reason for an action whose evaluation refused. */
  static ObjectNode of(DynamoException e) {
    if (e.error() == WireError.CONDITIONAL_CHECK_FAILED) {
      ObjectNode r = Json.object().put("Code", "ConditionalCheckFailed");
      r.put("Message", e.getMessage());
      JsonNode item = e.extra() == null ? null : e.extra().get("Item");
      if (item != null) {
        r.set("Item", item);
      }
      return r;
    }
    if (e.error() == WireError.VALIDATION) {
      return validationError(e.getMessage());
    }
    // Refusals of other kinds (a table dropped mid-request, say) are not per-action reasons.
    throw e;
  }

  /**
   * Whether a refusal belongs to the whole request rather than to one action. DynamoDB words the
   * checks it makes on the request up front (empty key values) "One or more parameter values are
   * not valid", and those refuse the request; type mismatches, worded "were invalid", become the
   * action's ValidationError reason.
   */
  static boolean isUpFront(DynamoException e) {
    return e.error() == WireError.VALIDATION
        && e.getMessage().startsWith("One or more parameter values are not valid.");
  }

  /**
   * Refuses a transaction whose items add up to more than 4 MB: the items of its Puts and the keys
   * of its other actions as the request states them, and for TransactGetItems the items read.
   * DynamoDB rejects the request before any action runs, with a ValidationException as a public
   * conformance suite run against AWS expects; its wording is not confirmed, so the text is ours.
   */
  static void checkAggregateSize(long bytes) {
    if (bytes > MAX_TRANSACTION_BYTES) {
      throw DynamoException.validation("Transaction request cannot be larger than 4 MB");
    }
  }

  /** True when every reason is None, i.e. nothing refused. */
  static boolean allNone(List<ObjectNode> reasons) {
    return reasons.stream().allMatch(r -> "None".equals(r.get("Code").asText()));
  }

  static DynamoException exception(List<ObjectNode> reasons) {
    List<String> codes = new ArrayList<>();
    ArrayNode list = Json.object().arrayNode();
    for (ObjectNode r : reasons) {
      codes.add(r.get("Code").asText());
      list.add(r);
    }
    ObjectNode extra = Json.object();
    extra.set("CancellationReasons", list);
    return new DynamoException(
        WireError.TRANSACTION_CANCELED,
        "Transaction cancelled, please refer cancellation reasons for specific reasons ["
            + String.join(", ", codes)
            + "]",
        extra);
  }

  /**
   * Why a {@code Key} does not fit the schema (DynamoDB's message), or null if it does. Checks only
   * names and types; values are checked afterwards by {@code ItemKeys.fromKey}.
   */
  static String keyMismatch(KeySchema schema, Map<String, AttributeValue> key) {
    AttributeValue hash = key.get(schema.hashName());
    AttributeValue range = schema.hasRange() ? key.get(schema.rangeName()) : null;
    boolean fits =
        key.size() == (schema.hasRange() ? 2 : 1)
            && hash != null
            && hash.type() == schema.hashType()
            && (!schema.hasRange() || (range != null && range.type() == schema.rangeType()));
    return fits ? null : KEY_MISMATCH;
  }

  /** Why a Put's item lacks or mistypes a key attribute (PutItem's messages), or null. */
  static String itemKeyMismatch(KeySchema schema, Map<String, AttributeValue> item) {
    String problem = attributeMismatch(schema.hashName(), schema.hashType(), item);
    if (problem == null && schema.hasRange()) {
      problem = attributeMismatch(schema.rangeName(), schema.rangeType(), item);
    }
    return problem;
  }

  private static String attributeMismatch(
      String name, AttributeValue.Type type, Map<String, AttributeValue> item) {
    AttributeValue v = item.get(name);
    if (v == null) {
      return "One or more parameter values were invalid: Missing the key " + name + " in the item";
    }
    if (v.type() != type) {
      return "One or more parameter values were invalid: Type mismatch for key "
          + name
          + " expected: "
          + type
          + " actual: "
          + v.type();
    }
    return null;
  }
}
