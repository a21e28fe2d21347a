package dev.tidemark.tables;

import java.util.List;
import java.util.Objects;

/**
 * A secondary index as declared on the table.
 *
 * @param projectionType ALL, KEYS_ONLY or INCLUDE
 * @param nonKeyAttributes the INCLUDE list, empty otherwise
 */
public record IndexDefinition(
    String name,
    boolean global,
    KeySchema keySchema,
    String projectionType,
    List<String> nonKeyAttributes,
    Throughput throughput) {
  public IndexDefinition {
    Objects.requireNonNull(name);
    Objects.requireNonNull(keySchema);
    Objects.requireNonNull(projectionType);
    nonKeyAttributes = nonKeyAttributes == null ? List.of() : List.copyOf(nonKeyAttributes);
    throughput = throughput == null ? Throughput.ZERO : throughput;
  }
}
