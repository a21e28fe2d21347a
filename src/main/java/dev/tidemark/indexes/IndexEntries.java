package dev.tidemark.indexes;

import dev.tidemark.model.AttributeValue;
import dev.tidemark.storage.KeyBounds;
import dev.tidemark.storage.KeyEncoding;
import dev.tidemark.tables.IndexDefinition;
import dev.tidemark.tables.KeySchema;
import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a secondary index's entries live and what they hold. Entries share their table's key space
 * with the items: an entry key is {@code number ‖ enc(index hash)+ ‖ enc(index range)* ‖ enc(table
 * hash) ‖ enc(table range)?}, one encoding per key attribute (a multi-attribute key has several).
 * Encodings are order-preserving and prefix-free, so entries sort by index key and then by table
 * key, several items may share an index key, and one index partition (or a range-key condition on
 * it) is one contiguous key range. The value is the projected item in the item codec.
 */
public final class IndexEntries {
  /** DynamoDB's limits on an index's partition and sort key values, as on the table's keys. */
  public static final int MAX_HASH_BYTES = 2048;

  public static final int MAX_RANGE_BYTES = 1024;

  private IndexEntries() {}

  /** The first key of the index's range. */
  public static byte[] lower(IndexDefinition index) {
    return new byte[] {(byte) index.number()};
  }

  /** The exclusive end of the index's range (numbers stop below 0xFF, so this is one byte). */
  public static byte[] upper(IndexDefinition index) {
    return new byte[] {(byte) (index.number() + 1)};
  }

  /**
   * Whether the item belongs in the index: it has every index key attribute, with the declared
   * type, not empty and within the key size limits. Items that do not are simply absent (sparse
   * indexes); writes that would store such a value are refused before they get here ({@link
   * IndexKeyCheck}), but items written before a global index existed may still have one, and
   * DynamoDB leaves those out of the backfill too.
   */
  public static boolean indexed(IndexDefinition index, Map<String, AttributeValue> item) {
    KeySchema k = index.keySchema();
    if (!valid(item.get(k.hashName()), k.hashType(), IndexKeyCheck.MAX_HASH_BYTES)
        || (k.hasRange()
            && !valid(item.get(k.rangeName()), k.rangeType(), IndexKeyCheck.MAX_RANGE_BYTES))) {
      return false;
    }
    // A multi-attribute key: the item is indexed only when every part is there.
    for (int i = 1; i < k.hashCount(); i++) {
      if (!valid(item.get(k.hashName(i)), k.hashType(i), IndexKeyCheck.MAX_HASH_BYTES)) {
        return false;
      }
    }
    for (int i = 1; i < k.rangeCount(); i++) {
      if (!valid(item.get(k.rangeName(i)), k.rangeType(i), IndexKeyCheck.MAX_RANGE_BYTES)) {
        return false;
      }
    }
    return true;
  }

  private static boolean valid(AttributeValue v, AttributeValue.Type type, int maxBytes) {
    if (v == null || v.type() != type) {
      return false;
    }
    // A number's key size is at most 21 bytes, far below either limit.
    if (v instanceof AttributeValue.S s) {
      return s.utf8Length() > 0 && s.utf8Length() <= maxBytes;
    }
    if (v instanceof AttributeValue.B b) {
      return b.value().length() > 0 && b.value().length() <= maxBytes;
    }
    return true;
  }

  /**
   * The entry key of an item (or of a start key holding the table and index key attributes). The
   * caller has checked {@link #indexed}.
   */
  public static byte[] key(
      KeySchema table, IndexDefinition index, Map<String, AttributeValue> item) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    out.write(index.number());
    KeySchema k = index.keySchema();
    out.writeBytes(KeyEncoding.encode(item.get(k.hashName())));
    if (k.composite()) {
      moreParts(out, k, item);
    } else if (k.hasRange()) {
      out.writeBytes(KeyEncoding.encode(item.get(k.rangeName())));
    }
    out.writeBytes(KeyEncoding.encode(item.get(table.hashName())));
    if (table.hasRange()) {
      out.writeBytes(KeyEncoding.encode(item.get(table.rangeName())));
    }
    return out.toByteArray();
  }

  /**
   * The parts of a multi-attribute key after the first hash attribute. Each encoding is
   * order-preserving and prefix-free, so the concatenation sorts by (h1, h2, ..., r1, r2, ...) and
   * every equality prefix of it is one contiguous range (docs/key-encoding.md). Kept apart from
   * {@link #key} so that an ordinary index's key is built by exactly the code it was built by
   * before multi-attribute keys.
   */
  private static void moreParts(
      ByteArrayOutputStream out, KeySchema k, Map<String, AttributeValue> item) {
    for (int i = 1; i < k.hashCount(); i++) {
      out.writeBytes(KeyEncoding.encode(item.get(k.hashName(i))));
    }
    for (int i = 0; i < k.rangeCount(); i++) {
      out.writeBytes(KeyEncoding.encode(item.get(k.rangeName(i))));
    }
  }

  /** The common prefix of every entry whose (single) index hash key is {@code hash}. */
  public static byte[] partitionPrefix(IndexDefinition index, AttributeValue hash) {
    return KeyBounds.concat(lower(index), KeyEncoding.partitionPrefix(hash));
  }

  /**
   * The common prefix of every entry whose index hash attributes have these values (in KeySchema
   * order) and whose first range attributes equal {@code rangePrefix}.
   */
  public static byte[] prefix(
      IndexDefinition index, List<AttributeValue> hash, List<AttributeValue> rangePrefix) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    out.write(index.number());
    for (AttributeValue v : hash) {
      out.writeBytes(KeyEncoding.encode(v));
    }
    for (AttributeValue v : rangePrefix) {
      out.writeBytes(KeyEncoding.encode(v));
    }
    return out.toByteArray();
  }

  /** The item as the index stores it: keys plus what the projection carries. */
  public static Map<String, AttributeValue> project(
      KeySchema table, IndexDefinition index, Map<String, AttributeValue> item) {
    if ("ALL".equals(index.projectionType())) {
      return item;
    }
    Map<String, AttributeValue> out = new LinkedHashMap<>();
    for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
      if (index.projects(table, e.getKey())) {
        out.put(e.getKey(), e.getValue());
      }
    }
    return out;
  }

  /**
   * The key DynamoDB reports as LastEvaluatedKey for an index read: the table's key attributes and
   * the index's, taken from an entry.
   */
  public static Map<String, AttributeValue> startKeyOf(
      KeySchema table, IndexDefinition index, Map<String, AttributeValue> entry) {
    Map<String, AttributeValue> key = new LinkedHashMap<>();
    for (String name : keyNames(table, index)) {
      key.put(name, entry.get(name));
    }
    return key;
  }

  /** Table key attributes then index key attributes, without repeats (an LSI shares the hash). */
  public static java.util.Set<String> keyNames(KeySchema table, IndexDefinition index) {
    java.util.Set<String> names = new java.util.LinkedHashSet<>();
    names.add(table.hashName());
    if (table.hasRange()) {
      names.add(table.rangeName());
    }
    for (KeySchema.Part p : index.keySchema().parts()) {
      names.add(p.name());
    }
    return names;
  }
}
