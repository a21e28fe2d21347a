package dev.tidemark.indexes;

import dev.tidemark.errors.DynamoException;
import dev.tidemark.expressions.DocumentPath;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.model.ItemSize;
import dev.tidemark.tables.IndexDefinition;
import dev.tidemark.tables.KeySchema;
import dev.tidemark.tables.TableDefinition;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Refuses items whose secondary-index key attributes an index cannot store: present with another
 * type than declared, an empty string or binary, or larger than a key value may be (2048 bytes for
 * a hash attribute, 1024 for a range attribute). DynamoDB names the alphabetically first index that
 * objects, so indexes are checked in name order.
 */
public final class IndexKeyCheck {
  /** Which request shape the item came from; UpdateItem words the empty-value refusal its way. */
  public enum Source {
    ITEM,
    UPDATE
  }

  /** DynamoDB's limits for a partition and a sort key value, which index keys share. */
  static final int MAX_HASH_BYTES = IndexEntries.MAX_HASH_BYTES;

  static final int MAX_RANGE_BYTES = IndexEntries.MAX_RANGE_BYTES;

  private IndexKeyCheck() {}

  public static void check(TableDefinition table, Map<String, AttributeValue> item, Source source) {
    List<IndexDefinition> indexes = table.allIndexes();
    if (indexes.isEmpty()) {
      return;
    }
    indexes.sort(Comparator.comparing(IndexDefinition::name));
    for (IndexDefinition index : indexes) {
      KeySchema k = index.keySchema();
      for (int i = 0; i < k.hashCount(); i++) {
        check(index, k.hashName(i), k.hashType(i), MAX_HASH_BYTES, item, source);
      }
      for (int i = 0; i < k.rangeCount(); i++) {
        check(index, k.rangeName(i), k.rangeType(i), MAX_RANGE_BYTES, item, source);
      }
    }
  }

  /**
   * Refuses update paths that reach inside an index key attribute (a map key or list element of
   * it): key attributes are scalars, so such a path could only make the item unindexable.
   */
  public static void checkUpdatedPaths(TableDefinition table, List<DocumentPath> paths) {
    for (DocumentPath p : paths) {
      if (p.isTopLevel()) {
        continue;
      }
      String name = p.topLevelName();
      for (IndexDefinition index : table.allIndexes()) {
        if (index.keySchema().isKeyAttribute(name)) {
          throw DynamoException.validation(
              "Key attributes must be scalars; list random access '[]' and map lookup '.' are not"
                  + " allowed: IndexKey: "
                  + name);
        }
      }
    }
  }

  private static void check(
      IndexDefinition index,
      String attribute,
      AttributeValue.Type type,
      int maxBytes,
      Map<String, AttributeValue> item,
      Source source) {
    AttributeValue v = item.get(attribute);
    if (v == null) {
      return;
    }
    if (v.type() != type) {
      throw DynamoException.invalidParameter(
          "Type mismatch for Index Key "
              + attribute
              + " Expected: "
              + type
              + " Actual: "
              + v.type()
              + " IndexName: "
              + index.name());
    }
    String empty = null;
    if (v instanceof AttributeValue.S s && s.value().isEmpty()) {
      empty = "string";
    } else if (v instanceof AttributeValue.B b && b.value().length() == 0) {
      empty = "binary";
    }
    if (empty == null) {
      long size = ItemSize.of(v);
      if (size > maxBytes) {
        // DynamoDB's text for a single-attribute index key; each part of a multi-attribute key is
        // held to its kind's limit the same way.
        throw DynamoException.invalidParameter(
            "Size limit exceeded for Index Key "
                + attribute
                + " Actual Size: "
                + size
                + " bytes Max Size: "
                + maxBytes
                + " bytes IndexName: "
                + index.name());
      }
      return;
    }
    if (source == Source.UPDATE) {
      throw DynamoException.validation(
          "One or more parameter values are not valid. The update expression attempted to update a"
              + " secondary index key to a value that is not supported. The AttributeValue for a"
              + " key attribute cannot contain an empty "
              + empty
              + " value.");
    }
    throw DynamoException.validation(
        "One or more parameter values are not valid. A value specified for a secondary index key is"
            + " not supported. The AttributeValue for a key attribute cannot contain an empty "
            + empty
            + " value. IndexName: "
            + index.name()
            + ", IndexKey: "
            + attribute);
  }
}
