package dev.tidemark.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.pitr.PitrService;
import dev.tidemark.space.DiskSpace;
import dev.tidemark.space.ReserveFile;
import dev.tidemark.storage.StorageUsage;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.IndexDefinition;
import dev.tidemark.tables.Table;
import java.util.HashMap;
import java.util.Map;

/**
 * The server's own status for {@code tidemark status} (HTTP {@code GET /tidemark/status}): the free
 * space of each watched disk and what uses the data directory's, so that an operator facing a full
 * disk knows what to free. Not a DynamoDB operation: its name holds a dot, which the DynamoDB
 * target routing never dispatches to.
 */
public final class ServerStatus implements Action {
  public static final String NAME = "Tidemark.Status";

  private final Database db;
  private final PitrService pitr;
  private final ReserveFile reserve;

  /**
   * @param reserve the data directory's reserve file, or null when there is none (in memory)
   */
  public ServerStatus(Database db, PitrService pitr, ReserveFile reserve) {
    this.db = db;
    this.pitr = pitr;
    this.reserve = reserve;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode request) {
    ObjectNode out = Json.object();
    ObjectNode replication = db.globalTables().status();
    if (replication != null) {
      out.set("Replication", replication);
    }
    ArrayNode volumes = out.putArray("Volumes");
    for (DiskSpace.VolumeStatus v : db.space().status()) {
      ObjectNode o = volumes.addObject();
      o.put("Volume", v.label());
      o.put("Path", v.path());
      o.put("FreeBytes", v.freeBytes());
      o.put("TotalBytes", v.totalBytes());
      o.put("MinFreeBytes", v.minFreeBytes());
      o.put("Full", v.full());
      if (v.full()) {
        o.put("FullSinceMillis", v.fullSinceMillis());
        o.put("RefusedRequests", v.refusedSinceFull());
      }
    }
    if (reserve != null) {
      ObjectNode r = out.putObject("ReserveFile");
      r.put("Path", reserve.path().toString());
      r.put("Bytes", reserve.bytes());
      r.put("Present", reserve.exists());
    }
    out.set("DataDirectory", usage(db, pitr));
    return out;
  }

  /** What uses the data directory: per table (with indexes), the change log and who holds it. */
  static ObjectNode usage(Database db, PitrService pitr) {
    StorageUsage u = db.storage().usage();
    ObjectNode o = Json.object();
    ArrayNode tables = o.putArray("Tables");
    Map<Long, Long> unnamed = new HashMap<>(u.tableBytes());
    for (String name : db.catalog().names()) {
      Table t = db.catalog().find(name).orElse(null);
      if (t == null) {
        continue;
      }
      ObjectNode row = tables.addObject();
      row.put("TableName", name);
      Long onDisk = unnamed.remove(t.id());
      row.put("BytesOnDisk", onDisk == null ? 0 : onDisk);
      row.put("ItemBytes", t.sizeBytes());
      row.put("ItemCount", t.itemCount());
      long indexBytes = 0;
      for (IndexDefinition i : t.definition().allIndexes()) {
        indexBytes += db.indexes().stats(t.id(), i).sizeBytes();
      }
      row.put("IndexBytes", indexBytes);
      PitrService.Status p = pitr.status(t);
      if (p.enabled() && p.latestMillis() != null) {
        row.put("PitrArchiveLagMillis", Math.max(0, db.now() - p.latestMillis()));
      }
      row.put("StreamEnabled", t.definition().streamViewType() != null);
    }
    // Restores in progress and dropped tables whose space a running backup still reads.
    o.put("OtherTableSpaceBytes", unnamed.values().stream().mapToLong(Long::longValue).sum());
    o.put("ChangeLogBytes", u.changeLogBytes());
    o.put("CatalogBytes", u.metaBytes());
    o.put("WriteAheadLogBytes", u.walBytes());
    o.put("MemtableBytes", u.memtableBytes());
    o.put("PendingCompactionBytes", u.pendingCompactionBytes());
    return o;
  }

  /** One line for the log: the biggest users of the data directory. */
  public static String summary(Database db, PitrService pitr) {
    ObjectNode u = usage(db, pitr);
    StringBuilder s = new StringBuilder();
    long tables = 0;
    String biggest = null;
    long biggestBytes = -1;
    for (JsonNode t : u.path("Tables")) {
      long b = t.path("BytesOnDisk").asLong();
      tables += b;
      if (b > biggestBytes) {
        biggestBytes = b;
        biggest = t.path("TableName").asText();
      }
    }
    s.append("tables ").append(DiskSpace.bytes(tables));
    if (biggest != null) {
      s.append(" (largest ").append(biggest).append(' ').append(DiskSpace.bytes(biggestBytes));
      s.append(')');
    }
    s.append(", change log ").append(DiskSpace.bytes(u.path("ChangeLogBytes").asLong()));
    s.append(", write-ahead log ").append(DiskSpace.bytes(u.path("WriteAheadLogBytes").asLong()));
    s.append(", memtables to flush ").append(DiskSpace.bytes(u.path("MemtableBytes").asLong()));
    s.append(", compaction debt ")
        .append(DiskSpace.bytes(u.path("PendingCompactionBytes").asLong()));
    return s.toString();
  }
}
