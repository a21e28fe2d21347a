package dev.tidemark.tables;

import dev.tidemark.errors.DynamoException;
import java.util.List;

/**
 * What the table actions need from cross-region replication (global tables, version 2019.11.21):
 * which regions exist, and adding or removing a replica of a table in one of them. The replication
 * package implements it; a server without peers uses {@link #NONE}.
 */
public interface GlobalTables {
  /** The other regions this server knows (its peers), in configuration order. */
  List<String> peerRegions();

  /**
   * Creates a replica of {@code table} in {@code region}: the table there, its fill and from then
   * on both ways replication. Returns once the replica exists (CREATING); the fill runs on.
   * Validation of the request has been done; refusals of the peer are thrown as {@link
   * DynamoException}.
   */
  void createReplica(Table table, String region);

  /** Deletes the replica of {@code table} in {@code region} and takes it out of the group. */
  void deleteReplica(Table table, String region);

  /** {@code table}, a group member, was deleted here by a client: the others stop replicating. */
  void tableDeleted(Table table);

  /**
   * Peers, replica groups, shipping cursors and replication lag for operators, or null when the
   * server has no peers and replicates nothing.
   */
  default com.fasterxml.jackson.databind.node.ObjectNode status() {
    return null;
  }

  /** No peers: every region name in ReplicaUpdates is unknown. */
  GlobalTables NONE =
      new GlobalTables() {
        @Override
        public List<String> peerRegions() {
          return List.of();
        }

        @Override
        public void createReplica(Table table, String region) {
          throw new IllegalStateException("no peers");
        }

        @Override
        public void deleteReplica(Table table, String region) {
          throw new IllegalStateException("no peers");
        }

        @Override
        public void tableDeleted(Table table) {}
      };
}
