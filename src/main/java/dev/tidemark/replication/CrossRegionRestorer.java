package dev.tidemark.replication;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.backup.BackupService;
import dev.tidemark.backup.SnapshotLoader;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.storage.BulkLoader;
import dev.tidemark.tables.CrossRegionRestores;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.TableDefinition;
import java.io.IOException;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The destination side of a cross-region restore. The source region is asked over the signed peer
 * channel ({@link RestoreChannel}), never its backup store directly: the source holds the keys that
 * decrypt its store and its PITR archive, the credentials of its object store, and the knowledge of
 * which history an ARN means, so one path serves a directory store, an S3 store and a lost store's
 * replacement alike, and the destination needs no access to anything of the source but its API
 * port.
 *
 * <p>The source resolves the request first (its refusals are the client's answer), then streams the
 * restored image, produced by its own restore code, in frames that this side pulls one by one into
 * the new table's bulk loader. The table is CREATING meanwhile and becomes ACTIVE only when the END
 * frame's entry count matches what was loaded; any failure drops it, as a local restore does. A
 * source that stops answering mid-stream is asked again for the same frame for up to {@link
 * #RESUME_FOR}; the source keeps its last frame for exactly that.
 */
public final class CrossRegionRestorer implements CrossRegionRestores {
  private static final Logger log = LoggerFactory.getLogger(CrossRegionRestorer.class);
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .findAndAddModules()
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .build();
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);
  static final Duration RESUME_FOR = Duration.ofSeconds(60);

  private final PeerCaller peers;
  private final BackupService backups;

  public CrossRegionRestorer(
      ReplicationConfig config, String region, BackupService backups, LongSupplier clock) {
    this.peers = new PeerCaller(config, region, clock);
    this.backups = backups;
  }

  @Override
  public Source pointInTime(String sourceRegion, String tableArn, Long atMillis) {
    if (!peers.knows(sourceRegion)) {
      throw CrossRegionRestores.unknownTableRegion(tableArn, sourceRegion);
    }
    ObjectNode req = JSON.createObjectNode().put("tableArn", tableArn);
    if (atMillis != null) {
      req.put("at", atMillis);
    }
    return source(sourceRegion, json(sourceRegion, "pitr", req));
  }

  @Override
  public Source backup(String sourceRegion, String backupArn) {
    if (!peers.knows(sourceRegion)) {
      throw CrossRegionRestores.unknownBackupRegion(backupArn, sourceRegion);
    }
    return source(
        sourceRegion,
        json(sourceRegion, "backup", JSON.createObjectNode().put("backupArn", backupArn)));
  }

  private Source source(String sourceRegion, JsonNode o) {
    try {
      return new Source(
          sourceRegion,
          o.hasNonNull("backupArn") ? o.get("backupArn").asText() : null,
          o.path("tableArn").asText(),
          o.path("instant").asLong(),
          JSON.treeToValue(o.path("definition"), TableDefinition.class));
    } catch (IOException | IllegalArgumentException e) {
      throw new DynamoException(
          WireError.INTERNAL_SERVER_ERROR,
          "Region " + sourceRegion + " described the restore's source unreadably: " + e);
    }
  }

  @Override
  public Table restore(Source source, TableDefinition target) {
    return backups.startRestore(target, source.summary(), loader -> pull(source, target, loader));
  }

  /**
   * Opens a session at the source and loads every frame it sends, checking the count at the end.
   */
  private SnapshotLoader.Result pull(Source source, TableDefinition target, BulkLoader loader)
      throws IOException {
    ObjectNode open = JSON.createObjectNode();
    if (source.backupArn() != null) {
      open.put("backupArn", source.backupArn());
    } else {
      open.put("tableArn", source.tableArn()).put("instant", source.instant());
    }
    open.set("target", JSON.valueToTree(target));
    String session = rawJson(source.region(), "open", open).path("session").asText();
    ObjectNode next = JSON.createObjectNode().put("session", session);
    long loaded = 0;
    int seq = 1;
    try {
      while (true) {
        byte[] frame = resumable(source.region(), next.put("seq", seq));
        RestoreChannel.Received r = RestoreChannel.read(frame, loader);
        switch (r.kind()) {
          case RestoreChannel.PREPARING -> {
            continue;
          }
          case RestoreChannel.FAILURE -> {
            throw new IOException(
                "region " + source.region() + " could not produce the restore: " + r.failure());
          }
          case RestoreChannel.END -> {
            if (r.sent() != loaded) {
              throw new IOException(
                  "region "
                      + source.region()
                      + " sent "
                      + r.sent()
                      + " entries, "
                      + loaded
                      + " arrived: the restore is incomplete");
            }
            log.info(
                "Restore of {} from {}: {} entries in {} frames",
                target.name(),
                source.region(),
                loaded,
                seq - 1);
            return r.result();
          }
          default -> {
            if (r.seq() != seq) {
              throw new IOException(
                  "region " + source.region() + " sent frame " + r.seq() + " for " + seq);
            }
            loaded += r.entries();
            seq++;
          }
        }
      }
    } finally {
      // Also after the END frame, which the source keeps in case its answer was lost.
      try {
        rawJson(source.region(), "close", JSON.createObjectNode().put("session", session));
      } catch (RuntimeException e) {
        log.debug("could not close restore session {} at {}", session, source.region(), e);
      }
    }
  }

  /** A frame, asked again while the source is unreachable, for up to {@link #RESUME_FOR}. */
  private byte[] resumable(String sourceRegion, JsonNode body) throws IOException {
    long deadline = System.nanoTime() + RESUME_FOR.toNanos();
    long backoff = 200;
    while (true) {
      try {
        return peers.call(sourceRegion, RestoreChannel.SERVICE, "next", body, CALL_TIMEOUT);
      } catch (PeerCaller.Unreachable e) {
        if (System.nanoTime() > deadline) {
          throw new IOException(e.getMessage());
        }
        log.warn(
            "Restore stream from {} interrupted; asking again: {}", sourceRegion, e.getMessage());
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", ie);
        }
        backoff = Math.min(5_000, backoff * 2);
      }
    }
  }

  /** A JSON answer for a client's request: an unreachable source is the client's 500. */
  private JsonNode json(String sourceRegion, String op, JsonNode body) {
    try {
      return rawJson(sourceRegion, op, body);
    } catch (PeerCaller.Unreachable e) {
      throw new DynamoException(WireError.INTERNAL_SERVER_ERROR, e.getMessage());
    }
  }

  private JsonNode rawJson(String sourceRegion, String op, JsonNode body) {
    return peers.callJson(sourceRegion, RestoreChannel.SERVICE, op, body, CALL_TIMEOUT);
  }
}
