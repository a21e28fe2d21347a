package dev.tidemark.replication.strong;

import dev.tidemark.tables.StrongReplication;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One MRSC group as every member persists it (meta key {@code strong/group/<group id>}, JSON): the
 * table, the three regions with their consensus addresses, which of them hold the table and which
 * one (if any) is the witness. The Raft group id is {@code groupId}; each region's Raft peer id is
 * its region name.
 *
 * @param groupId a UUID, also the Raft group's id
 * @param table the table's name (the same in every region holding it)
 * @param addresses region to its consensus endpoint, {@code host:port}, for all three regions
 * @param replicas the regions holding the table (two or three, this one included if it holds it)
 * @param witness the witness region, or null
 */
record GroupRecord(
    String groupId,
    String table,
    Map<String, String> addresses,
    List<String> replicas,
    String witness) {
  GroupRecord {
    Objects.requireNonNull(groupId);
    Objects.requireNonNull(table);
    addresses = Map.copyOf(new TreeMap<>(addresses));
    replicas = List.copyOf(replicas);
    if (addresses.size() != 3 || replicas.size() + (witness == null ? 0 : 1) != 3) {
      throw new IllegalArgumentException("an MRSC group has exactly three regions");
    }
    for (String r : replicas) {
      if (!addresses.containsKey(r)) {
        throw new IllegalArgumentException("no consensus address for " + r);
      }
    }
    if (witness != null && (!addresses.containsKey(witness) || replicas.contains(witness))) {
      throw new IllegalArgumentException("the witness must be a third region with an address");
    }
  }

  /** Whether {@code region} votes without holding the table. */
  boolean isWitness(String region) {
    return region.equals(witness);
  }

  /** The group as the table in {@code region} (a replica) sees it. */
  StrongReplication asSeenFrom(String region) {
    List<String> others = new ArrayList<>(replicas);
    others.remove(region);
    return new StrongReplication(region, groupId, others, witness);
  }
}
