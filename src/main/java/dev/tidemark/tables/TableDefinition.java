package dev.tidemark.tables;

import dev.tidemark.model.AttributeValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
