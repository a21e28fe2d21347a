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
 * type than declared, or an empty string or binary. DynamoDB names the alphabetically first index
 * that objects, so indexes are checked in name order.
 */
public final class IndexKeyCheck {
  /** Which request shape the item came from; UpdateItem words the empty-value refusal its way. */
  public enum Source {
    ITEM,
    UPDATE
  }

  private IndexKeyCheck() {}

  public static void check(TableDefinition table, Map<String, AttributeValue> item, Source source) {
    List<IndexDefinition> indexes = table.allIndexes();
    if (indexes.isEmpty()) {
      return;
    }
    indexes.sort(Comparator.comparing(IndexDefinition::name));
    for (IndexDefinition index : indexes) {
      KeySchema k = index.keySchema();
      check(index, k.hashName(), k.hashType(), item, source, IndexEntries.MAX_HASH_BYTES);
      if (k.hasRange()) {
        check(index, k.rangeName(), k.rangeType(), item, source, IndexEntries.MAX_RANGE_BYTES);
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
      Map<String, AttributeValue> item,
      Source source,
      int maxBytes) {
    AttributeValue v = item.get(attribute);
    if (v == null) {
      return;
    }
    long size = ItemSize.of(v);
    if (size > maxBytes && v.type() == type) {
      // DynamoDB's text, as observed from the service.
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
