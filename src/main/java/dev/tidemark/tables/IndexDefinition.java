package dev.tidemark.tables;

import java.util.List;
import java.util.Objects;

/**
 * A secondary index as declared on the table.
 *
 * @param projectionType ALL, KEYS_ONLY or INCLUDE
 * @param nonKeyAttributes the INCLUDE list, empty otherwise
 * @param number the index's leading key byte in the table's key space (2..254), stable for the
 *     index's life; 0 only in catalogs written before indexes held data (see {@code
 *     docs/architecture.md})
 * @param status {@link #ACTIVE}, or {@link #CREATING} while existing items are being backfilled
 */
public record IndexDefinition(
    String name,
    boolean global,
    KeySchema keySchema,
    String projectionType,
    List<String> nonKeyAttributes,
    Throughput throughput,
    int number,
    String status) {
  public static final String ACTIVE = "ACTIVE";
  public static final String CREATING = "CREATING";

  /**
   * Lowest and highest index number; 0x01 leads base-table items. 0xFF stays free so that every
   * index's key range has an exclusive upper bound of one byte.
   */
  public static final int FIRST_NUMBER = 2;

  public static final int LAST_NUMBER = 254;

  public IndexDefinition {
    Objects.requireNonNull(name);
    Objects.requireNonNull(keySchema);
    Objects.requireNonNull(projectionType);
    nonKeyAttributes = nonKeyAttributes == null ? List.of() : List.copyOf(nonKeyAttributes);
    throughput = throughput == null ? Throughput.ZERO : throughput;
    if (number != 0 && (number < FIRST_NUMBER || number > LAST_NUMBER)) {
      throw new IllegalArgumentException("index number out of range: " + number);
    }
    // Catalogs from before index data carry no status: their indexes were declared ACTIVE.
    status = status == null ? ACTIVE : status;
    if (!status.equals(ACTIVE) && !status.equals(CREATING)) {
      throw new IllegalArgumentException("unknown index status: " + status);
    }
  }

  /** A declared index that has no storage number yet; the catalog assigns one on creation. */
  public IndexDefinition(
      String name,
      boolean global,
      KeySchema keySchema,
      String projectionType,
      List<String> nonKeyAttributes,
      Throughput throughput) {
    this(name, global, keySchema, projectionType, nonKeyAttributes, throughput, 0, ACTIVE);
  }

  public IndexDefinition withNumber(int newNumber) {
    return new IndexDefinition(
        name, global, keySchema, projectionType, nonKeyAttributes, throughput, newNumber, status);
  }

  public IndexDefinition withStatus(String newStatus) {
    return new IndexDefinition(
        name, global, keySchema, projectionType, nonKeyAttributes, throughput, number, newStatus);
  }

  public IndexDefinition withThroughput(Throughput newThroughput) {
    return new IndexDefinition(
        name, global, keySchema, projectionType, nonKeyAttributes, newThroughput, number, status);
  }

  /**
   * Whether the index's entries carry this top-level attribute: the table's and the index's key
   * attributes always, then everything (ALL) or the INCLUDE list.
   */
  public boolean projects(KeySchema table, String attribute) {
    if ("ALL".equals(projectionType)
        || table.isKeyAttribute(attribute)
        || keySchema.isKeyAttribute(attribute)) {
      return true;
    }
    return "INCLUDE".equals(projectionType) && nonKeyAttributes.contains(attribute);
  }
}
