package dev.tidemark.tables;

import dev.tidemark.model.AttributeValue;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything declared about one table incarnation. Immutable: an update produces a new definition.
 *
 * @param id the internal incarnation number that prefixes its storage and change log
 * @param tableId the UUID reported as {@code TableId}
 * @param streamViewType null when streams are off
 * @param sseEnabled null when SSESpecification was not given
 */
public record TableDefinition(
    String name,
    long id,
    String tableId,
    long createdMillis,
    KeySchema keySchema,
    Map<String, AttributeValue.Type> attributeDefinitions,
    String billingMode,
    Throughput throughput,
    List<IndexDefinition> localIndexes,
    List<IndexDefinition> globalIndexes,
    String streamViewType,
    Boolean sseEnabled,
    String sseType,
    String kmsMasterKeyId,
    String tableClass,
    boolean deletionProtection,
    long lastThroughputChangeMillis) {

  public static final String PROVISIONED = "PROVISIONED";
  public static final String PAY_PER_REQUEST = "PAY_PER_REQUEST";

  public TableDefinition {
    Objects.requireNonNull(name);
    Objects.requireNonNull(tableId);
    Objects.requireNonNull(keySchema);
    Objects.requireNonNull(billingMode);
    attributeDefinitions =
        java.util.Collections.unmodifiableMap(new LinkedHashMap<>(attributeDefinitions));
    localIndexes = localIndexes == null ? List.of() : List.copyOf(localIndexes);
    globalIndexes = globalIndexes == null ? List.of() : List.copyOf(globalIndexes);
    throughput = throughput == null ? Throughput.ZERO : throughput;
    if (tableClass == null) {
      tableClass = "STANDARD";
    }
  }

  public TableDefinition withDeletionProtection(boolean on) {
    return new TableDefinition(
        name,
        id,
        tableId,
        createdMillis,
        keySchema,
        attributeDefinitions,
        billingMode,
        throughput,
        localIndexes,
        globalIndexes,
        streamViewType,
        sseEnabled,
        sseType,
        kmsMasterKeyId,
        tableClass,
        on,
        lastThroughputChangeMillis);
  }

  public TableDefinition withCapacity(
      String newBillingMode, Throughput newThroughput, long changedAtMillis) {
    return new TableDefinition(
        name,
        id,
        tableId,
        createdMillis,
        keySchema,
        attributeDefinitions,
        newBillingMode,
        newThroughput,
        localIndexes,
        globalIndexes,
        streamViewType,
        sseEnabled,
        sseType,
        kmsMasterKeyId,
        tableClass,
        deletionProtection,
        changedAtMillis);
  }

  public TableDefinition withTableClass(String newClass) {
    return new TableDefinition(
        name,
        id,
        tableId,
        createdMillis,
        keySchema,
        attributeDefinitions,
        billingMode,
        throughput,
        localIndexes,
        globalIndexes,
        streamViewType,
        sseEnabled,
        sseType,
        kmsMasterKeyId,
        newClass,
        deletionProtection,
        lastThroughputChangeMillis);
  }

  /** The same table with other index lists and the attribute definitions their keys need. */
  public TableDefinition withIndexes(
      Map<String, AttributeValue.Type> newAttributeDefinitions,
      List<IndexDefinition> newLocalIndexes,
      List<IndexDefinition> newGlobalIndexes) {
    return new TableDefinition(
        name,
        id,
        tableId,
        createdMillis,
        keySchema,
        newAttributeDefinitions,
        billingMode,
        throughput,
        newLocalIndexes,
        newGlobalIndexes,
        streamViewType,
        sseEnabled,
        sseType,
        kmsMasterKeyId,
        tableClass,
        deletionProtection,
        lastThroughputChangeMillis);
  }

  /** Local then global indexes. */
  public List<IndexDefinition> allIndexes() {
    List<IndexDefinition> all = new ArrayList<>(localIndexes);
    all.addAll(globalIndexes);
    return all;
  }

  /** The local or global index with this name. */
  public Optional<IndexDefinition> index(String indexName) {
    return allIndexes().stream().filter(i -> i.name().equals(indexName)).findFirst();
  }

  /**
   * Gives every index without a storage number the lowest free one. Numbers of existing indexes
   * never change: their entries are stored under them.
   */
  public TableDefinition withIndexNumbers() {
    BitSet used = new BitSet();
    for (IndexDefinition i : allIndexes()) {
      used.set(i.number());
    }
    List<IndexDefinition> lsis = new ArrayList<>();
    for (IndexDefinition i : localIndexes) {
      lsis.add(numbered(i, used));
    }
    List<IndexDefinition> gsis = new ArrayList<>();
    for (IndexDefinition i : globalIndexes) {
      gsis.add(numbered(i, used));
    }
    return withIndexes(attributeDefinitions, lsis, gsis);
  }

  private static IndexDefinition numbered(IndexDefinition i, BitSet used) {
    if (i.number() != 0) {
      return i;
    }
    int n = used.nextClearBit(IndexDefinition.FIRST_NUMBER);
    if (n > IndexDefinition.LAST_NUMBER) {
      throw new IllegalStateException("no free index number");
    }
    used.set(n);
    return i.withNumber(n);
  }

  /** The same table with its stream switched on (a view type) or off (null). */
  public TableDefinition withStreamViewType(String newStreamViewType) {
    return new TableDefinition(
        name,
        id,
        tableId,
        createdMillis,
        keySchema,
        attributeDefinitions,
        billingMode,
        throughput,
        localIndexes,
        globalIndexes,
        newStreamViewType,
        sseEnabled,
        sseType,
        kmsMasterKeyId,
        tableClass,
        deletionProtection,
        lastThroughputChangeMillis);
  }
}
