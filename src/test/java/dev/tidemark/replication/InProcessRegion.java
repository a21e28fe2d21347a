package dev.tidemark.replication;

import dev.tidemark.tables.Database;
import dev.tidemark.tables.Replication;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.TestTables;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * For in-process tests of one region's replicator: table {@code t} of group {@code group-1} in
 * us-east-1 with an ACTIVE replica in eu-west-1, without the servers of ProxiedRegions.
 */
final class InProcessRegion {
  private InProcessRegion() {}

  /** The replication secret of {@link #replicator} and {@link RecordingPeer}. */
  static final byte[] SECRET = "a-replication-secret-of-32-bytes".getBytes(StandardCharsets.UTF_8);

  /** Table {@code t} in {@code db}, a member of group-1 with eu-west-1. */
  static Table replicatedTable(Database db) {
    return replicatedTable(db, "eu-west-1");
  }

  /** Table {@code t} in {@code db}, a member of group-1 with an ACTIVE replica in each region. */
  static Table replicatedTable(Database db, String... regions) {
    Table t = TestTables.create(db, "t", "NEW_AND_OLD_IMAGES");
    List<Replication.Replica> replicas = new java.util.ArrayList<>();
    for (String r : regions) {
      replicas.add(new Replication.Replica(r, "ACTIVE", null));
    }
    t.replication(new Replication("us-east-1", "group-1", replicas));
    return t;
  }

  /** A replicator of {@code db} (not started) with these peers and a valid secret. */
  static Replicator replicator(Database db, Map<String, URI> peers) {
    return new Replicator(db, new ReplicationConfig(peers, SECRET), System::currentTimeMillis);
  }
}
