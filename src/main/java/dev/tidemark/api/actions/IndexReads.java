package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.ItemKeys;
import dev.tidemark.api.ReadRequest;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.expressions.Condition;
import dev.tidemark.expressions.DocumentPath;
import dev.tidemark.expressions.KeyCondition;
import dev.tidemark.expressions.ParsedKeyCondition;
import dev.tidemark.expressions.Projection;
import dev.tidemark.expressions.RangeCondition;
import dev.tidemark.indexes.IndexEntries;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.storage.Cursor;
import dev.tidemark.storage.ItemCodec;
import dev.tidemark.storage.KeyBounds;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.IndexDefinition;
import dev.tidemark.tables.KeySchema;
import dev.tidemark.tables.Table;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Query and Scan with IndexName: reads of a secondary index's entries, in index key order and then
 * table key order. What a read returns follows DynamoDB: by default the projected attributes; a
 * global index returns only what it projects; a local index fetches the table item when the request
 * needs attributes the index does not hold (ALL_ATTRIBUTES, a projection naming them, or a filter,
 * which is then evaluated on the table item).
 */
final class IndexReads {
  private static final byte[] NEXT = {0};

  private IndexReads() {}

  /** The index a read names, refused with DynamoDB's messages when it cannot serve the read. */
  static IndexDefinition resolve(
      Table table, String indexName, Boolean consistentRead, String select) {
    IndexDefinition index =
        table
            .definition()
            .index(indexName)
            .orElseThrow(
                () ->
                    DynamoException.validation(
                        "The table does not have the specified index: " + indexName));
    if (index.global() && Boolean.TRUE.equals(consistentRead)) {
      throw DynamoException.validation(
          "Consistent reads are not supported on global secondary indexes");
    }
    if (index.global()
        && "ALL_ATTRIBUTES".equals(select)
        && !"ALL".equals(index.projectionType())) {
      throw DynamoException.invalidParameter(
          "Select type ALL_ATTRIBUTES is not supported for global secondary index "
              + indexName
              + " because its projection type is not ALL");
    }
    if (!IndexDefinition.ACTIVE.equals(index.status()) || index.number() == 0) {
      // Local indexes are only ever built when a catalog from before index data is upgraded;
      // an index without a number has no entries until that upgrade.
      throw DynamoException.validation(
          "Cannot read from backfilling "
              + (index.global() ? "global" : "local")
              + " secondary index: "
              + indexName);
    }
    return index;
  }

  /**
   * Resolves a key condition against a multi-attribute index key and checks every value's type
   * against its attribute's.
   */
  static KeyCondition resolveKey(ParsedKeyCondition parsed, KeySchema k) {
    List<String> hashNames = new ArrayList<>();
    List<String> rangeNames = new ArrayList<>();
    k.hashParts().forEach(p -> hashNames.add(p.name()));
    k.rangeParts().forEach(p -> rangeNames.add(p.name()));
    KeyCondition key = parsed.resolve(hashNames, rangeNames);
    boolean typed = true;
    for (int i = 0; i < key.hashValues().size(); i++) {
      typed &= key.hashValues().get(i).type() == k.hashType(i);
    }
    for (int i = 0; i < key.rangePrefix().size(); i++) {
      typed &= key.rangePrefix().get(i).type() == k.rangeType(i);
    }
    RangeCondition last = key.range();
    if (last != null) {
      AttributeValue.Type t = k.rangeType(key.rangePrefix().size());
      typed &= last.value().type() == t && (last.upper() == null || last.upper().type() == t);
    }
    if (!typed) {
      throw DynamoException.invalidParameter("Condition parameter type does not match schema type");
    }
    return key;
  }

  static ObjectNode query(
      Database db,
      Table table,
      IndexDefinition index,
      KeyCondition key,
      boolean reverse,
      Map<String, AttributeValue> startKey,
      ReadRequest read,
      Condition filter,
      Projection projection,
      String select) {
    KeySchema schema = table.keySchema();
    KeySchema ik = index.keySchema();
    // The equalities (every hash attribute, then the leading range attributes) are one byte prefix;
    // the last range condition narrows it like a sort-key condition narrows a partition.
    byte[] prefix = IndexEntries.prefix(index, key.hashValues(), key.rangePrefix());
    byte[][] bounds = Query.bounds(prefix, key.range());
    byte[] lower = bounds[0];
    byte[] upper = bounds[1];
    if (!startKey.isEmpty()) {
      Map<String, AttributeValue> start = startKey(schema, index, startKey);
      for (int i = 0; i < key.hashValues().size(); i++) {
        if (!start.get(ik.hashName(i)).equals(key.hashValues().get(i))) {
          throw DynamoException.validation(
              "The provided starting key is outside query boundaries based on provided conditions");
        }
      }
      boolean inRange = true;
      for (int i = 0; i < key.rangePrefix().size(); i++) {
        inRange &= start.get(ik.rangeName(i)).equals(key.rangePrefix().get(i));
      }
      if (key.range() != null) {
        inRange &= key.range().matches(start.get(ik.rangeName(key.rangePrefix().size())));
      }
      if (!inRange) {
        throw DynamoException.validation(
            "The provided starting key does not match the range key predicate");
      }
      byte[] s = IndexEntries.key(schema, index, start);
      if (reverse) {
        upper = min(upper, s);
      } else {
        lower = max(lower, KeyBounds.concat(s, NEXT));
      }
    }
    try (Cursor cursor = db.storage().scan(table.id(), lower, upper, reverse)) {
      return page(db, table, index, cursor, entry -> true, read, filter, projection, select);
    }
  }

  static ObjectNode scan(
      Database db,
      Table table,
      IndexDefinition index,
      Map<String, AttributeValue> startKey,
      Predicate<Map<String, AttributeValue>> segment,
      ReadRequest read,
      Condition filter,
      Projection projection,
      String select) {
    byte[] lower = IndexEntries.lower(index);
    if (!startKey.isEmpty()) {
      Map<String, AttributeValue> start = startKey(table.keySchema(), index, startKey);
      lower = KeyBounds.concat(IndexEntries.key(table.keySchema(), index, start), NEXT);
    }
    try (Cursor cursor = db.storage().scan(table.id(), lower, IndexEntries.upper(index), false)) {
      return page(db, table, index, cursor, segment, read, filter, projection, select);
    }
  }

  private static ObjectNode page(
      Database db,
      Table table,
      IndexDefinition index,
      Cursor cursor,
      Predicate<Map<String, AttributeValue>> include,
      ReadRequest read,
      Condition filter,
      Projection projection,
      String select) {
    KeySchema schema = table.keySchema();
    boolean allAttributes = "ALL_ATTRIBUTES".equals(select);
    boolean fetch =
        !index.global()
            && !"ALL".equals(index.projectionType())
            && (allAttributes
                || filter != null
                || (projection != null && !projectsAll(schema, index, projection)));
    UnaryOperator<Map<String, AttributeValue>> view =
        fetch ? entry -> tableItem(db, table, entry) : entry -> entry;
    BinaryOperator<Map<String, AttributeValue>> unprojected =
        allAttributes ? (entry, item) -> item : (entry, item) -> entry;
    return read.page(
        cursor, include, view, unprojected, entry -> IndexEntries.startKeyOf(schema, index, entry));
  }

  private static boolean projectsAll(KeySchema schema, IndexDefinition index, Projection p) {
    for (DocumentPath path : p.paths()) {
      if (!index.projects(schema, path.topLevelName())) {
        return false;
      }
    }
    return true;
  }

  /** The table item an entry stands for, or null when it was deleted after the entry was read. */
  private static Map<String, AttributeValue> tableItem(
      Database db, Table table, Map<String, AttributeValue> entry) {
    KeySchema schema = table.keySchema();
    byte[] raw =
        db.storage().get(table.id(), ItemKeys.storageKey(schema, ItemKeys.keyOf(schema, entry)));
    return raw == null ? null : ItemCodec.decode(raw);
  }

  /**
   * Validates an ExclusiveStartKey for an index read: exactly the table's and the index's key
   * attributes, with their declared types. DynamoDB checks the index keys before the table keys.
   */
  private static Map<String, AttributeValue> startKey(
      KeySchema table, IndexDefinition index, Map<String, AttributeValue> given) {
    if (!given.keySet().equals(IndexEntries.keyNames(table, index))) {
      throw DynamoException.validation("The provided starting key is invalid");
    }
    if (!typed(index.keySchema(), given)) {
      throw DynamoException.validation("The provided key element does not match the schema");
    }
    if (!typed(table, given)) {
      throw DynamoException.validation(
          "The provided starting key is invalid: The provided key element does not match the"
              + " schema");
    }
    return given;
  }

  private static boolean typed(KeySchema k, Map<String, AttributeValue> key) {
    boolean typed = true;
    for (int i = 0; i < k.hashCount(); i++) {
      typed &= key.get(k.hashName(i)).type() == k.hashType(i);
    }
    for (int i = 0; i < k.rangeCount(); i++) {
      typed &= key.get(k.rangeName(i)).type() == k.rangeType(i);
    }
    return typed;
  }

  private static byte[] max(byte[] a, byte[] b) {
    return Arrays.compareUnsigned(a, b) >= 0 ? a : b;
  }

  private static byte[] min(byte[] a, byte[] b) {
    return Arrays.compareUnsigned(a, b) <= 0 ? a : b;
  }
}
