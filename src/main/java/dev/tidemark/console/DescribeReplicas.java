package dev.tidemark.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Json;
import dev.tidemark.replication.LagHistory;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.GlobalTables;
import dev.tidemark.tables.Table;
import java.util.function.LongSupplier;

/**
 * {@code DescribeReplicas}: what the console's Replicas tab shows beyond DescribeTable's {@code
 * Replicas}: the regions a replica can be created in (this server's peers), and per replica the
 * replication state the server keeps for {@code tidemark replicas status} and {@code /metrics}
 * ({@link GlobalTables#status()}): how far the change log's shipping to that region trails, fill
 * progress, whether the peer answers, and the lag of the writes that region's replica sent here,
 * measured here when they were applied, with its last hour kept by the server ({@code LastHour}:
 * per 10 s bucket that received writes, their count, mean and maximum lag), so a tab opened now
 * draws the past hour. Input: {@code TableName}.
 */
final class DescribeReplicas implements ConsoleOperation {
  static final String NAME = "DescribeReplicas";

  private final Database db;
  private final LongSupplier clock;

  DescribeReplicas(Database db, LongSupplier clock) {
    this.db = db;
    this.clock = clock;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public ObjectNode execute(JsonNode req) {
    Table table = TableInput.require(db, req);
    GlobalTables global = db.globalTables();
    ObjectNode out = Json.object();
    out.put("TableName", table.name());
    out.put("NowMillis", clock.getAsLong());
    ArrayNode peers = out.putArray("PeerRegions");
    global.peerRegions().forEach(peers::add);
    ArrayNode replicas = out.putArray("Replicas");
    // The status covers every table; it is what the metrics read, so both say the same.
    JsonNode status = global.status();
    if (status == null) {
      return out;
    }
    out.put("RegionName", status.path("region").asText());
    JsonNode mine = null;
    for (JsonNode t : status.path("tables")) {
      if (table.name().equals(t.path("table").asText())) {
        mine = t;
      }
    }
    if (mine == null) {
      return out;
    }
    for (JsonNode m : mine.path("replicas")) {
      String region = m.path("region").asText();
      ObjectNode r = replicas.addObject();
      r.put("RegionName", region);
      r.put("ReplicaStatus", m.path("status").asText());
      copyText(m, "statusDescription", r, "ReplicaStatusDescription");
      copyText(m, "refillNeeded", r, "RefillNeeded");
      if (m.has("fillPercent")) {
        r.put("FillPercent", m.get("fillPercent").asInt());
      }
      r.put("ShippedThroughSequence", m.path("shippedThroughSeq").asLong());
      r.put("PendingChangeLogPositions", m.path("pendingSeqs").asLong());
      for (JsonNode p : status.path("peers")) {
        if (region.equals(p.path("region").asText())) {
          r.put("PeerReachable", p.path("reachable").asBoolean());
          r.put("Paused", p.path("paused").asBoolean());
          if (p.has("lastContactMillis")) {
            r.put("LastContactMillis", p.get("lastContactMillis").asLong());
          }
          copyText(p, "lastError", r, "LastError");
        }
      }
      for (JsonNode l : status.path("lag")) {
        if (region.equals(l.path("from").asText())) {
          ObjectNode lag = r.putObject("LagToThisRegion");
          lag.put("P50Millis", l.path("p50Millis").asLong());
          lag.put("P99Millis", l.path("p99Millis").asLong());
          lag.put("MaxMillis", l.path("maxMillis").asLong());
          lag.put("Samples", l.path("samples").asLong());
          lag.put("Applied", l.path("applied").asLong());
          lag.put("Superseded", l.path("superseded").asLong());
          lag.put("BucketMillis", LagHistory.BUCKET_MILLIS);
          ArrayNode hour = lag.putArray("LastHour");
          for (JsonNode b : l.path("lastHour")) {
            hour.addObject()
                .put("StartMillis", b.path("startMillis").asLong())
                .put("Records", b.path("records").asLong())
                .put("MeanMillis", b.path("meanMillis").asLong())
                .put("MaxMillis", b.path("maxMillis").asLong());
          }
        }
      }
    }
    return out;
  }

  private static void copyText(JsonNode from, String field, ObjectNode to, String name) {
    if (from.hasNonNull(field)) {
      to.put(name, from.get(field).asText());
    }
  }
}
