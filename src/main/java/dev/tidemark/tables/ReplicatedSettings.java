package dev.tidemark.tables;

import java.util.Map;
import java.util.Set;

/**
 * The settings of a global table that DynamoDB (version 2019.11.21) keeps the same in every
 * replica: its global secondary indexes, its TTL specification, its capacity mode and throughput,
 * and its table class. Actions that change one of them on a table in a replica group report it
 * here, and the replication package carries it to every other member. Deletion protection, PITR,
 * tags and backups stay per replica and are never reported.
 */
public interface ReplicatedSettings {
  /** Global secondary indexes: created and deleted alike everywhere. */
  String INDEXES = "indexes";

  /** The TTL specification. */
  String TTL = "ttl";

  /** Billing mode and provisioned throughput. */
  String CAPACITY = "capacity";

  /**
   * STANDARD or STANDARD_INFREQUENT_ACCESS: the group's class, and the per-replica overrides of it
   * (ReplicaUpdates' {@code TableClassOverride}), which a later change of the group's class clears.
   */
  String TABLE_CLASS = "tableClass";

  /**
   * A client changed {@code aspects} of {@code table} in this region. Called after the change took
   * effect, possibly under the catalog's lock; it must not block. Changes made to apply another
   * region's settings are not reported back.
   */
  void changed(Table table, Set<String> aspects);

  /**
   * Gives replica {@code region} of {@code table}'s group its own table class (a {@code
   * TableClassOverride}), carried to every member like a change of the group's class.
   */
  default void overrideTableClass(Table table, String region, String tableClass) {
    throw new IllegalStateException("no replica groups without peers");
  }

  /** The table class overrides of {@code table}'s group, by region; empty when there are none. */
  default Map<String, String> tableClassOverrides(Table table) {
    return Map.of();
  }

  /** Replica {@code region} left {@code table}'s group: its override goes with it. */
  default void replicaLeft(Table table, String region) {}

  /** No peers: nothing to synchronize. */
  ReplicatedSettings NONE = (table, aspects) -> {};
}
