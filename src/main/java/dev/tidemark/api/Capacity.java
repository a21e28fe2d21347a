package dev.tidemark.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.indexes.IndexEntries;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.model.ItemSize;
import dev.tidemark.tables.IndexDefinition;
import dev.tidemark.tables.KeySchema;
import dev.tidemark.tables.TableDefinition;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Consumed capacity (ReturnConsumedCapacity), computed by DynamoDB's rules. All of them live here:
 *
 * <ul>
 *   <li>an item read costs one unit per started 4 KB of the item, at least one unit, even when the
 *       item does not exist; an eventually consistent read costs half of that;
 *   <li>Query and Scan add up the sizes of all items they read (before any filter) and round up to
 *       4 KB once per request, again at least one unit;
 *   <li>an item write costs one unit per started 1 KB of the larger of the item before and after
 *       the write, at least one unit (deleting an item that does not exist still costs one);
 *   <li>in a transaction every read and write costs twice as much, and a ConditionCheck is billed
 *       as a write of the item it checked.
 * </ul>
 *
 * Projections make no read cheaper: DynamoDB charges for the item it read, not what it returned.
 *
 * <p>Secondary indexes: DynamoDB charges index writes separately and reports them under {@code
 * GlobalSecondaryIndexes}/{@code LocalSecondaryIndexes} when INDEXES is asked for. A {@link Tally}
 * carries per-index units and renders them; index maintenance adds them through {@link
 * Tally#indexUnits}; {@link Tally#write(String, TableDefinition, Map, Map)} adds them for every
 * index an item write changes, by DynamoDB's rules (an entry put or deleted is one write of its
 * projected size; a moved index key is a delete and a put; a change outside the projection costs
 * the index nothing).
 */
public final class Capacity {
  private static final long READ_UNIT_BYTES = 4096;
  private static final long WRITE_UNIT_BYTES = 1024;

  /** The values of ReturnConsumedCapacity, in DynamoDB's order for its validation message. */
  public static final List<String> RETURN_VALUES = List.of("INDEXES", "TOTAL", "NONE");

  private Capacity() {}

  /** What the client asked to get back. */
  public enum Return {
    NONE,
    TOTAL,
    INDEXES;

    /** The parameter's value, already checked against {@link #RETURN_VALUES}; null means NONE. */
    public static Return of(String validated) {
      return validated == null ? NONE : valueOf(validated);
    }
  }

  /** How a request's units are reported: transactions name the kind of unit they consumed. */
  public enum Kind {
    /** Non-transactional operations report CapacityUnits only. */
    STANDARD(null, 1),
    /** TransactGetItems, and idempotent replays of TransactWriteItems. */
    TRANSACTIONAL_READ("ReadCapacityUnits", 2),
    /** TransactWriteItems. */
    TRANSACTIONAL_WRITE("WriteCapacityUnits", 2);

    private final String field;
    private final int factor;

    Kind(String field, int factor) {
      this.field = field;
      this.factor = factor;
    }
  }

  /** Units of reading one item (null if it does not exist) with GetItem-style reads. */
  public static double itemRead(Map<String, AttributeValue> item, boolean consistent) {
    return reads(item == null ? 0 : ItemSize.of(item), consistent);
  }

  /** Units of a Query or Scan page that read items of {@code totalBytes} together. */
  public static double rangeRead(long totalBytes, boolean consistent) {
    return reads(totalBytes, consistent);
  }

  /** Units of writing one item: the larger of the old and new item (either may be null). */
  public static double itemWrite(
      Map<String, AttributeValue> oldItem, Map<String, AttributeValue> newItem) {
    long size =
        Math.max(
            oldItem == null ? 0 : ItemSize.of(oldItem), newItem == null ? 0 : ItemSize.of(newItem));
    return Math.max(1, ceilDiv(size, WRITE_UNIT_BYTES));
  }

  /** Write units one item write costs on one index (0 when its entry does not change). */
  static double indexWrite(
      KeySchema table,
      IndexDefinition index,
      Map<String, AttributeValue> oldItem,
      Map<String, AttributeValue> newItem) {
    Map<String, AttributeValue> before =
        oldItem != null && IndexEntries.indexed(index, oldItem)
            ? IndexEntries.project(table, index, oldItem)
            : null;
    Map<String, AttributeValue> after =
        newItem != null && IndexEntries.indexed(index, newItem)
            ? IndexEntries.project(table, index, newItem)
            : null;
    if (before == null && after == null) {
      return 0;
    }
    if (before == null) {
      return entryWrite(after);
    }
    if (after == null) {
      return entryWrite(before);
    }
    boolean sameKey =
        java.util.Arrays.equals(
            IndexEntries.key(table, index, oldItem), IndexEntries.key(table, index, newItem));
    if (!sameKey) {
      return entryWrite(before) + entryWrite(after);
    }
    return before.equals(after) ? 0 : Math.max(entryWrite(before), entryWrite(after));
  }

  private static double entryWrite(Map<String, AttributeValue> entry) {
    return Math.max(1, ceilDiv(ItemSize.of(entry), WRITE_UNIT_BYTES));
  }

  private static double reads(long bytes, boolean consistent) {
    double units = Math.max(1, ceilDiv(bytes, READ_UNIT_BYTES));
    return consistent ? units : units / 2;
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  /**
   * The capacity one request consumed, per table and index, in the order tables were first touched.
   * Table names are kept as the request spelled them: DynamoDB echoes an ARN when given one.
   */
  public static final class Tally {
    private final Kind kind;
    private final Map<String, Use> tables = new LinkedHashMap<>();

    public Tally(Kind kind) {
      this.kind = kind;
    }

    /** Notes a table the request addresses, so it is reported even if it consumed nothing yet. */
    public Tally touch(String tableName) {
      tables.computeIfAbsent(tableName, n -> new Use());
      return this;
    }

    /** An item read; transactional reads are always strongly consistent. */
    public Tally read(String tableName, Map<String, AttributeValue> item, boolean consistent) {
      return tableUnits(
          tableName, kind.factor * itemRead(item, consistent || kind != Kind.STANDARD));
    }

    /** A Query or Scan page. */
    public Tally rangeRead(String tableName, long totalBytes, boolean consistent) {
      return tableUnits(tableName, Capacity.rangeRead(totalBytes, consistent));
    }

    /**
     * A Query or Scan page read from a secondary index: the units are the index's, not the table's.
     */
    public Tally indexRangeRead(
        String tableName, String indexName, boolean global, long totalBytes, boolean consistent) {
      touch(tableName);
      return indexUnits(tableName, indexName, global, Capacity.rangeRead(totalBytes, consistent));
    }

    /** An item write, or a transaction's ConditionCheck (old and new item the same). */
    public Tally write(
        String tableName,
        Map<String, AttributeValue> oldItem,
        Map<String, AttributeValue> newItem) {
      return tableUnits(tableName, kind.factor * itemWrite(oldItem, newItem));
    }

    /** An item write, plus the writes it causes on each of the table's secondary indexes. */
    public Tally write(
        String tableName,
        TableDefinition table,
        Map<String, AttributeValue> oldItem,
        Map<String, AttributeValue> newItem) {
      write(tableName, oldItem, newItem);
      for (IndexDefinition index : table.allIndexes()) {
        double units = indexWrite(table.keySchema(), index, oldItem, newItem);
        if (units > 0) {
          indexUnits(tableName, index.name(), index.global(), kind.factor * units);
        }
      }
      return this;
    }

    private Tally tableUnits(String tableName, double units) {
      tables.computeIfAbsent(tableName, n -> new Use()).table += units;
      return this;
    }

    /** Units consumed on a secondary index of a table. */
    public Tally indexUnits(String tableName, String indexName, boolean global, double units) {
      Use u = tables.computeIfAbsent(tableName, n -> new Use());
      (global ? u.global : u.local).merge(indexName, units, Double::sum);
      return this;
    }

    /** Adds {@code ConsumedCapacity} as one object: GetItem, PutItem, Query and the like. */
    public void putSingle(ObjectNode out, Return r) {
      if (r == Return.NONE || tables.isEmpty()) {
        return;
      }
      Map.Entry<String, Use> only = tables.entrySet().iterator().next();
      out.set("ConsumedCapacity", render(only.getKey(), only.getValue(), r));
    }

    /** Adds {@code ConsumedCapacity} as a list with one object per table: batches, transactions. */
    public void putList(ObjectNode out, Return r) {
      if (r == Return.NONE) {
        return;
      }
      ArrayNode list = out.putArray("ConsumedCapacity");
      for (Map.Entry<String, Use> e : tables.entrySet()) {
        list.add(render(e.getKey(), e.getValue(), r));
      }
    }

    private ObjectNode render(String tableName, Use u, Return r) {
      ObjectNode n = Json.object();
      n.put("TableName", tableName);
      fill(n, u.total());
      if (r == Return.INDEXES) {
        fill(n.putObject("Table"), u.table);
        putIndexes(n, "GlobalSecondaryIndexes", u.global);
        putIndexes(n, "LocalSecondaryIndexes", u.local);
      }
      return n;
    }

    private void putIndexes(ObjectNode n, String field, Map<String, Double> indexes) {
      if (indexes.isEmpty()) {
        return;
      }
      ObjectNode map = n.putObject(field);
      indexes.forEach((name, units) -> fill(map.putObject(name), units));
    }

    private void fill(ObjectNode n, double units) {
      n.put("CapacityUnits", units);
      if (kind.field != null) {
        n.put(kind.field, units);
      }
    }
  }

  private static final class Use {
    double table;
    final Map<String, Double> global = new LinkedHashMap<>();
    final Map<String, Double> local = new LinkedHashMap<>();

    double total() {
      double t = table;
      for (double v : global.values()) {
        t += v;
      }
      for (double v : local.values()) {
        t += v;
      }
      return t;
    }
  }
}
