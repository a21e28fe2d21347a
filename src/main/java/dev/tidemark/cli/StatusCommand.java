package dev.tidemark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.space.DiskSpace;
import java.io.PrintStream;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tidemark status}: a running server's disks (free space, the reserve, whether writes are
 * refused) and what uses the data directory, so that an operator facing a full disk knows what to
 * free. Reads {@code GET /tidemark/status}.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description =
        "Show a running server's free disk space and what uses it (tables, indexes, change log,"
            + " write-ahead log, compaction debt).")
final class StatusCommand implements Callable<Integer> {
  @Option(
      names = "--endpoint",
      description = "Server URL (default: ${DEFAULT-VALUE}).",
      defaultValue = "http://127.0.0.1:8000")
  String endpoint;

  @Option(names = "--json", description = "Print the server's answer as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    JsonNode status = new ServerClient(endpoint).get("/tidemark/status");
    if (json) {
      System.out.println(
          ServerClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(status));
    } else {
      print(status, System.out);
    }
    return 0;
  }

  static void print(JsonNode status, PrintStream out) {
    for (JsonNode v : status.path("Volumes")) {
      out.printf(
          "%-15s %s: %s free of %s, reserve %s%s%n",
          v.path("Volume").asText(),
          v.path("Path").asText(),
          DiskSpace.bytes(v.path("FreeBytes").asLong()),
          DiskSpace.bytes(v.path("TotalBytes").asLong()),
          DiskSpace.bytes(v.path("MinFreeBytes").asLong()),
          v.path("Full").asBoolean()
              ? " - FULL since "
                  + Instant.ofEpochMilli(v.path("FullSinceMillis").asLong())
                  + ", "
                  + v.path("RefusedRequests").asLong()
                  + " requests refused"
              : "");
    }
    JsonNode reserve = status.path("ReserveFile");
    if (!reserve.isMissingNode()) {
      out.printf(
          "reserve file    %s: %s, %s%n",
          reserve.path("Path").asText(),
          DiskSpace.bytes(reserve.path("Bytes").asLong()),
          reserve.path("Present").asBoolean()
              ? "present"
              : "released (written again when there is room)");
    }
    JsonNode d = status.path("DataDirectory");
    out.println();
    out.printf(
        "%-32s %12s %12s %12s %10s  %s%n",
        "TABLE", "ON DISK", "ITEMS", "INDEXES", "ITEMCOUNT", "HOLDS CHANGE LOG FOR");
    for (JsonNode t : d.path("Tables")) {
      StringBuilder holds = new StringBuilder();
      if (t.path("StreamEnabled").asBoolean()) {
        holds.append("stream ");
      }
      if (t.has("PitrArchiveLagMillis")) {
        holds
            .append("PITR (archive ")
            .append(t.path("PitrArchiveLagMillis").asLong())
            .append(" ms behind)");
      }
      out.printf(
          "%-32s %12s %12s %12s %10d  %s%n",
          t.path("TableName").asText(),
          DiskSpace.bytes(t.path("BytesOnDisk").asLong()),
          DiskSpace.bytes(t.path("ItemBytes").asLong()),
          DiskSpace.bytes(t.path("IndexBytes").asLong()),
          t.path("ItemCount").asLong(),
          holds.toString().strip());
    }
    out.printf("%-32s %12s%n", "change log", DiskSpace.bytes(d.path("ChangeLogBytes").asLong()));
    out.printf(
        "%-32s %12s%n", "write-ahead log", DiskSpace.bytes(d.path("WriteAheadLogBytes").asLong()));
    out.printf(
        "%-32s %12s%n",
        "compaction debt", DiskSpace.bytes(d.path("PendingCompactionBytes").asLong()));
    out.printf(
        "%-32s %12s%n", "in memory, to flush", DiskSpace.bytes(d.path("MemtableBytes").asLong()));
    out.printf(
        "%-32s %12s%n",
        "other table spaces", DiskSpace.bytes(d.path("OtherTableSpaceBytes").asLong()));
    out.printf("%-32s %12s%n", "catalog", DiskSpace.bytes(d.path("CatalogBytes").asLong()));
  }
}
