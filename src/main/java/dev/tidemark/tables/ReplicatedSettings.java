package dev.tidemark.tables;

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

  /** STANDARD or STANDARD_INFREQUENT_ACCESS. */
  String TABLE_CLASS = "tableClass";

  /**
   * A client changed {@code aspects} of {@code table} in this region. Called after the change took
   * effect, possibly under the catalog's lock; it must not block. Changes made to apply another
   * region's settings are not reported back.
   */
  void changed(Table table, Set<String> aspects);

  /** No peers: nothing to synchronize. */
  ReplicatedSettings NONE = (table, aspects) -> {};
}
