package dev.tidemark.replication;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.BackupDescriptions;
import dev.tidemark.backup.BackupRecord;
import dev.tidemark.backup.BackupService;
import dev.tidemark.backup.Manifest;
import dev.tidemark.backup.SnapshotLoader;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.pitr.PitrService;
import dev.tidemark.storage.BulkLoader;
import dev.tidemark.tables.CrossRegionRestores;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.TableDefinition;
import java.io.IOException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source side of a cross-region restore: another region asks this one (over the signed peer
 * channel, {@link RestoreEndpoint}) to resolve a point-in-time instant or a backup, then to stream
 * the restored image to it.
 *
 * <p>The image is produced by the same code as a local restore ({@link PitrService#load}, {@link
 * BackupService#load}: the backup's objects verified as they are read, the archived log replayed
 * over them), shaped as the destination's target definition, but into a loader that cuts the sorted
 * entries into {@link RestoreChannel} frames instead of files. A session holds a few frames ahead
 * of the destination; it pulls them one by one, by number, so a lost answer is asked for again and
 * sent again, never skipped or applied twice. A session nobody pulls from is dropped.
 */
public final class RestoreSource implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RestoreSource.class);
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .findAndAddModules()
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .build();

  /** Frames prepared ahead of the destination, per session. */
  private static final int AHEAD = 4;

  /** How long a frame waits for a pull, and a session for its next pull, before it is dropped. */
  static final long IDLE_MILLIS = 120_000;

  /** How long one pull waits for the next frame before answering "still preparing". */
  private static final long PULL_WAIT_MILLIS = 10_000;

  private final Database db;
  private final BackupService backups;
  private final PitrService pitr;
  private final LongSupplier clock;
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final ExecutorService workers =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "tidemark-restore-source");
            t.setDaemon(true);
            return t;
          });

  public RestoreSource(Database db, BackupService backups, PitrService pitr, LongSupplier clock) {
    this.db = db;
    this.backups = backups;
    this.pitr = pitr;
    this.clock = clock;
  }

  /** Serves one authenticated request from region {@code from}; the answer is a frame or JSON. */
  byte[] serve(String op, String from, JsonNode body) throws IOException {
    dropIdle();
    return switch (op) {
      case "pitr" -> JSON.writeValueAsBytes(describePitr(body));
      case "backup" -> JSON.writeValueAsBytes(describeBackup(body));
      case "open" -> JSON.writeValueAsBytes(open(from, body));
      case "next" -> next(body);
      case "close" -> {
        Session s = sessions.remove(body.path("session").asText());
        if (s != null) {
          s.cancel();
        }
        yield JSON.writeValueAsBytes(JSON.createObjectNode());
      }
      default ->
          throw new DynamoException(
              WireError.UNKNOWN_OPERATION, "Unknown restore operation: " + op);
    };
  }

  private ObjectNode describePitr(JsonNode body) {
    String arn = ownArn(body.path("tableArn").asText());
    Long at = body.hasNonNull("at") ? body.get("at").asLong() : null;
    PitrService.Choice c = pitr.choose(null, arn, at);
    return source(null, c.source().state().tableArn(), c.instant(), c.definition());
  }

  private ObjectNode describeBackup(JsonNode body) {
    BackupRecord b = backup(body.path("backupArn").asText());
    backups.restorable(b);
    return source(
        b.arn(), b.tableArn(), b.creationMillis(), BackupDescriptions.sourceDefinition(b));
  }

  private BackupRecord backup(String arn) {
    if (!db.region().equals(CrossRegionRestores.regionOf(arn))) {
      throw BackupService.notFound(arn);
    }
    BackupRecord b =
        backups
            .find(arn)
            .orElseThrow(
                () -> {
                  // An unreadable backup exists: say why it cannot be used, not that it is absent.
                  backups
                      .findUnreadable(arn)
                      .ifPresent(
                          u -> {
                            throw DynamoException.validation(
                                "Backup cannot be used: " + u.reason());
                          });
                  return BackupService.notFound(arn);
                });
    if (!"AVAILABLE".equals(b.status())) {
      throw new DynamoException(
          WireError.BACKUP_IN_USE,
          "Backup is being created and cannot be restored yet: " + b.arn());
    }
    return b;
  }

  private String ownArn(String tableArn) {
    if (!db.region().equals(CrossRegionRestores.regionOf(tableArn))) {
      throw new DynamoException(WireError.TABLE_NOT_FOUND, "Table not found: " + tableArn);
    }
    return tableArn;
  }

  private static ObjectNode source(
      String backupArn, String tableArn, long instant, TableDefinition definition) {
    ObjectNode o = JSON.createObjectNode();
    if (backupArn != null) {
      o.put("backupArn", backupArn);
    }
    o.put("tableArn", tableArn).put("instant", instant);
    o.set("definition", JSON.valueToTree(definition));
    return o;
  }

  /** Starts producing the image for {@code target}; the answer names the session to pull. */
  private ObjectNode open(String from, JsonNode body) throws IOException {
    TableDefinition target = JSON.treeToValue(body.path("target"), TableDefinition.class);
    Loading loading;
    String what;
    if (body.hasNonNull("backupArn")) {
      BackupRecord b = backup(body.path("backupArn").asText());
      Manifest manifest = backups.restorable(b);
      loading = loader -> backups.load(manifest, target, loader);
      what = b.arn();
    } else {
      long instant = body.path("instant").asLong();
      PitrService.Choice c = pitr.choose(null, ownArn(body.path("tableArn").asText()), instant);
      loading = loader -> pitr.load(c.source(), c.instant(), target, loader);
      what = c.source().state().tableArn() + " at " + instant;
    }
    Session s = new Session(UUID.randomUUID().toString(), from, what);
    sessions.put(s.id, s);
    s.worker = workers.submit(() -> s.produce(loading));
    log.info("Streaming a restore of {} to region {} (session {})", what, from, s.id);
    return JSON.createObjectNode().put("session", s.id);
  }

  private byte[] next(JsonNode body) throws IOException {
    Session s = sessions.get(body.path("session").asText());
    if (s == null) {
      throw DynamoException.validation(
          "restore session "
              + body.path("session").asText()
              + " is unknown here (it ended, expired, or this server restarted)");
    }
    // The session stays after its last frame, whose answer may be lost and asked for again; the
    // destination closes it, or it expires.
    return s.pull(body.path("seq").asInt());
  }

  private void dropIdle() {
    long now = clock.getAsLong();
    sessions
        .values()
        .removeIf(
            s -> {
              if (now - s.touched > IDLE_MILLIS) {
                log.warn("Restore session {} for {} was not pulled; dropped", s.id, s.from);
                s.cancel();
                return true;
              }
              return false;
            });
  }

  @FunctionalInterface
  private interface Loading {
    SnapshotLoader.Result load(BulkLoader loader) throws IOException;
  }

  /** One image on its way to another region. */
  private final class Session {
    final String id;
    final String from;
    final String what;
    final BlockingQueue<byte[]> frames = new ArrayBlockingQueue<>(AHEAD);
    volatile long touched;
    volatile java.util.concurrent.Future<?> worker;
    int lastSeq;
    byte[] lastFrame;

    Session(String id, String from, String what) {
      this.id = id;
      this.from = from;
      this.what = what;
      this.touched = clock.getAsLong();
    }

    void produce(Loading loading) {
      RestoreChannel.FrameWriter writer = new RestoreChannel.FrameWriter(this::emit);
      try {
        SnapshotLoader.Result result = loading.load(writer);
        writer.end(result);
      } catch (RestoreChannel.Cancelled e) {
        log.info("Restore session {} ended before its end was pulled: {}", id, e.getMessage());
      } catch (Exception e) {
        log.error("Restore of {} for region {} failed", what, from, e);
        try {
          emit(RestoreChannel.failure(e.toString()));
        } catch (RestoreChannel.Cancelled ignored) {
          // the session is gone; nobody waits for the failure
        }
      }
    }

    private void emit(byte[] frame) {
      try {
        if (!frames.offer(frame, IDLE_MILLIS, TimeUnit.MILLISECONDS)) {
          throw new RestoreChannel.Cancelled("nobody pulled for " + IDLE_MILLIS + " ms");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RestoreChannel.Cancelled("the session was cancelled");
      }
    }

    /**
     * Frame {@code seq}: the one after the last pulled, or the last pulled again (its answer was
     * lost). A frame not ready in time answers "still preparing", which has no number.
     */
    synchronized byte[] pull(int seq) throws IOException {
      touched = clock.getAsLong();
      if (lastFrame != null && seq == lastSeq) {
        return lastFrame;
      }
      if (seq != lastSeq + 1) {
        throw DynamoException.validation(
            "restore session " + id + " is at frame " + lastSeq + "; frame " + seq + " was asked");
      }
      byte[] frame;
      try {
        frame = frames.poll(PULL_WAIT_MILLIS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted");
      }
      if (frame == null) {
        return RestoreChannel.preparing();
      }
      lastSeq = seq;
      lastFrame = RestoreChannel.numbered(frame, seq);
      return lastFrame;
    }

    void cancel() {
      java.util.concurrent.Future<?> w = worker;
      if (w != null) {
        w.cancel(true);
      }
    }
  }

  @Override
  public void close() {
    sessions.values().forEach(Session::cancel);
    sessions.clear();
    workers.shutdownNow();
  }
}
