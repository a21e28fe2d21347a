package dev.tidemark.tables;

import java.util.List;
import java.util.Objects;

/**
 * A table's membership in a multi-Region strongly consistent global table (MRSC, {@code
 * MultiRegionConsistency: STRONG}): exactly three regions, two or three of them holding the table
 * and at most one witness that only votes. Immutable and fixed for the group's life, as on AWS.
 * Writes to such a table are agreed through the group's consensus log before they are applied; see
 * {@code dev.tidemark.replication.strong}.
 *
 * @param localRegion this server's region (a replica; the witness never has the table)
 * @param groupId identifies the consensus group (a UUID)
 * @param replicas the other regions holding the table, never this one (as DynamoDB lists them)
 * @param witness the witness region, or null when three regions hold the table
 */
public record StrongReplication(
    String localRegion, String groupId, List<String> replicas, String witness) {
  public StrongReplication {
    Objects.requireNonNull(localRegion);
    Objects.requireNonNull(groupId);
    replicas = List.copyOf(replicas);
    if (replicas.size() + (witness == null ? 0 : 1) != 2) {
      throw new IllegalArgumentException("an MRSC group has exactly three regions");
    }
    if (replicas.contains(localRegion) || localRegion.equals(witness)) {
      throw new IllegalArgumentException("the local region is listed as another member");
    }
  }
}
