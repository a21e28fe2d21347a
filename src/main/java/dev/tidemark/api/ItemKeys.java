package dev.tidemark.api;

import dev.tidemark.errors.DynamoException;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.model.ItemSize;
import dev.tidemark.storage.KeyBounds;
import dev.tidemark.storage.KeyEncoding;
import dev.tidemark.tables.KeySchema;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Primary keys: validation with DynamoDB's messages, and the storage key of an item. Item keys in a
 * table's space start with {@link #ITEMS}, leaving other leading bytes for index entries.
 */
public final class ItemKeys {
  /** Leading byte of base-table item keys in a table's key space. */
  public static final byte ITEMS = 0x01;

  private static final int MAX_HASH_BYTES = 2048;
  private static final int MAX_RANGE_BYTES = 1024;
  private static final byte[] ITEMS_PREFIX = {ITEMS};

  private ItemKeys() {}

  /** Validates a {@code Key} parameter: exactly the schema's attributes, with the right types. */
  public static Map<String, AttributeValue> fromKey(
      KeySchema schema, Map<String, AttributeValue> key) {
    return fromKey(schema, key, "The provided key element does not match the schema");
  }

  /**
   * Like {@link #fromKey(KeySchema, Map)}, but a key whose attributes or types do not fit the
   * schema is refused with {@code mismatch}: the text DynamoDB gives depends on the parameter (an
   * ExclusiveStartKey is refused differently from a Key, and differently by Query and Scan).
   */
  public static Map<String, AttributeValue> fromKey(
      KeySchema schema, Map<String, AttributeValue> key, String mismatch) {
    int expected = schema.hasRange() ? 2 : 1;
    AttributeValue hash = key.get(schema.hashName());
    AttributeValue range = schema.hasRange() ? key.get(schema.rangeName()) : null;
    if (key.size() != expected
        || hash == null
        || hash.type() != schema.hashType()
        || (schema.hasRange() && (range == null || range.type() != schema.rangeType()))) {
      throw DynamoException.validation(mismatch);
    }
    checkValue(schema.hashName(), hash, MAX_HASH_BYTES, true);
    if (range != null) {
      checkValue(schema.rangeName(), range, MAX_RANGE_BYTES, false);
    }
    return key;
  }

  /** Validates the key attributes inside a full item (PutItem) and returns them. */
  public static Map<String, AttributeValue> fromItem(
      KeySchema schema, Map<String, AttributeValue> item) {
    if (item.containsKey("")) {
      // Attribute names have at least one character. DynamoDB's wording here is not confirmed
      // against the service; the type and the refusal are.
      throw DynamoException.invalidParameter(
          "An AttributeValue may not contain an empty attribute name");
    }
    Map<String, AttributeValue> key = new LinkedHashMap<>();
    key.put(
        schema.hashName(),
        inItem(schema.hashName(), schema.hashType(), item, MAX_HASH_BYTES, true));
    if (schema.hasRange()) {
      key.put(
          schema.rangeName(),
          inItem(schema.rangeName(), schema.rangeType(), item, MAX_RANGE_BYTES, false));
    }
    return key;
  }

  private static AttributeValue inItem(
      String name,
      AttributeValue.Type type,
      Map<String, AttributeValue> item,
      int max,
      boolean hash) {
    AttributeValue v = item.get(name);
    if (v == null) {
      throw DynamoException.invalidParameter("Missing the key " + name + " in the item");
    }
    if (v.type() != type) {
      throw DynamoException.invalidParameter(
          "Type mismatch for key " + name + " expected: " + type + " actual: " + v.type());
    }
    checkValue(name, v, max, hash);
    return v;
  }

  private static void checkValue(String name, AttributeValue v, int max, boolean hash) {
    if (v instanceof AttributeValue.S s && s.value().isEmpty()) {
      throw DynamoException.validation(
          "One or more parameter values are not valid. The AttributeValue for a key attribute"
              + " cannot contain an empty string value. Key: "
              + name);
    }
    if (v instanceof AttributeValue.B b && b.value().length() == 0) {
      throw DynamoException.validation(
          "One or more parameter values are not valid. The AttributeValue for a key attribute"
              + " cannot contain an empty binary value. Key: "
              + name);
    }
    if (ItemSize.of(v) > max) {
      throw DynamoException.invalidParameter(
          hash
              ? "Size of hashkey has exceeded the maximum size limit of2048 bytes"
              : "Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
    }
  }

  /** Extracts the key attributes of a stored item, for LastEvaluatedKey and change records. */
  public static Map<String, AttributeValue> keyOf(
      KeySchema schema, Map<String, AttributeValue> item) {
    Map<String, AttributeValue> key = new LinkedHashMap<>();
    key.put(schema.hashName(), item.get(schema.hashName()));
    if (schema.hasRange()) {
      key.put(schema.rangeName(), item.get(schema.rangeName()));
    }
    return key;
  }

  public static byte[] storageKey(KeySchema schema, Map<String, AttributeValue> key) {
    return KeyBounds.concat(
        ITEMS_PREFIX,
        KeyEncoding.itemKey(
            key.get(schema.hashName()), schema.hasRange() ? key.get(schema.rangeName()) : null));
  }

  public static byte[] partitionPrefix(AttributeValue hash) {
    return KeyBounds.concat(ITEMS_PREFIX, KeyEncoding.partitionPrefix(hash));
  }

  /** The range of all base-table items in a table's space. */
  public static byte[] itemsLower() {
    return ITEMS_PREFIX.clone();
  }

  public static byte[] itemsUpper() {
    return new byte[] {ITEMS + 1};
  }
}
