package dev.tidemark.tables;

import java.util.List;
import java.util.Objects;

/**
 * A table's membership in a replica group (a global table, version 2019.11.21), as the write path
 * and DescribeTable see it. Immutable; the replication package swaps it whole. A table without one
 * is an ordinary regional table, and the write path does no replication work for it.
 *
 * @param localRegion the region stamped into this server's writes
 * @param groupId identifies the group, so that a replica deleted and re-created is a new group and
 *     a late message for the old one is refused
 * @param replicas the other regions, never this one (as DynamoDB lists them)
 */
public record Replication(String localRegion, String groupId, List<Replica> replicas) {
  public Replication {
    Objects.requireNonNull(localRegion);
    Objects.requireNonNull(groupId);
    replicas = List.copyOf(replicas);
  }

  /** The same group with {@code region}'s entry set to {@code status} and {@code percent}. */
  public Replication withReplica(String region, String status, Integer percent) {
    return withReplica(region, status, percent, null);
  }

  /** As {@link #withReplica(String, String, Integer)}, saying why in ReplicaStatusDescription. */
  public Replication withReplica(
      String region, String status, Integer percent, String description) {
    List<Replica> next = new java.util.ArrayList<>();
    for (Replica m : replicas) {
      next.add(m.region().equals(region) ? new Replica(region, status, percent, description) : m);
    }
    return new Replication(localRegion, groupId, next);
  }

  /**
   * One other region of the group.
   *
   * @param status a ReplicaStatus: CREATING, ACTIVE, DELETING, CREATION_FAILED ...
   * @param percentProgress while CREATING, how much of the fill has been sent; null otherwise
   * @param statusDescription ReplicaStatusDescription: why a replica is not simply ACTIVE (a
   *     re-fill), or null
   */
  public record Replica(
      String region, String status, Integer percentProgress, String statusDescription) {
    public Replica {
      Objects.requireNonNull(region);
      Objects.requireNonNull(status);
    }

    public Replica(String region, String status, Integer percentProgress) {
      this(region, status, percentProgress, null);
    }
  }
}
