package dev.tidemark.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.ItemKeys;
import dev.tidemark.changelog.ItemStamp;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.model.ItemSize;
import dev.tidemark.storage.BulkLoader;
import dev.tidemark.storage.Cursor;
import dev.tidemark.storage.ItemCodec;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.Table;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replica's side of a bulk-loaded fill: the source's snapshot arrives as its table space's own
 * entries (items, then stamp entries with tombstones), in key order, in numbered frames, and is
 * written into SST files that are ingested in one step at the end, beside the write path.
 *
 * <p>Why this is safe: a bulk fill is accepted only for a new replica (CREATING), without secondary
 * indexes (their entries would have to be rebuilt), whose space is still empty; while the table is
 * CREATING, the replica holds back every shipped write ({@code apply} answers {@code held}, and the
 * sender keeps its cursor), so nothing that an ingested file could override was applied before it,
 * and everything shipped after the source's snapshot position arrives after the ingest, through the
 * merge rule. Nothing is visible before {@link #finish}; the replica turns ACTIVE only after it. A
 * crash before the ingest leaves an empty CREATING table (the scratch files are removed at the next
 * start or open); the source then finds its session gone and starts over. A replica that already
 * holds entries (a crash after the ingest, before ACTIVE) refuses a second bulk fill, its counters
 * are recounted from its items, and the source falls back to the fill through the write path, which
 * the merge rule makes idempotent.
 */
final class BulkFillReceiver {
  private static final Logger log = LoggerFactory.getLogger(BulkFillReceiver.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How long a frame that arrived early waits for the one before it. */
  private static final long TURN_WAIT_NANOS = 30_000_000_000L;

  private final Database db;
  private volatile Path scratch;
  private final Map<Long, Session> sessions = new ConcurrentHashMap<>();

  /** A fill in progress (or just finished: a repeated finish is answered again). */
  private static final class Session {
    final String id;
    final Path dir;
    BulkLoader loader;

    /** The highest stamp among the entries so far. */
    ItemStamp highestStamp;

    long nextSeq = 1;
    long entries;
    long items;
    long bytes;
    byte[] lastKey;
    boolean finished;

    Session(String id, Path dir) {
      this.id = id;
      this.dir = dir;
    }
  }

  BulkFillReceiver(Database db) {
    this.db = db;
  }

  /** Where the SST files are staged: on the data directory's file system, so ingest moves them. */
  void useScratch(Path dir) {
    this.scratch = dir;
  }

  /**
   * Opens a session for {@code session}, replacing any earlier one of the table (its source
   * restarted). Answers {@code bulk: false} when the table cannot take a bulk fill.
   */
  JsonNode open(Table t, String session) {
    ObjectNode answer = JSON.createObjectNode();
    Path root = scratch;
    if (root == null
        || !"CREATING".equals(t.status())
        || !t.definition().localIndexes().isEmpty()
        || !t.definition().globalIndexes().isEmpty()) {
      return answer.put("bulk", false);
    }
    drop(t.id());
    boolean[] empty = new boolean[1];
    db.writePath()
        .exclusive(
            () -> {
              empty[0] = isEmpty(t);
              if (!empty[0]) {
                // Loaded by an earlier fill cut before ACTIVE: the write-path fill goes on from
                // here, and its deltas must start from true counters.
                recount(t);
              }
            });
    if (!empty[0]) {
      log.info("Replica of {} already holds entries: filled through the write path", t.name());
      return answer.put("bulk", false);
    }
    Path dir = root.resolve("fill-" + t.id());
    deleteTree(dir);
    Session s = new Session(session, dir);
    s.loader = db.storage().bulkLoader(t.id(), dir);
    sessions.put(t.id(), s);
    log.info("Bulk fill of {} opened (session {})", t.name(), session);
    return answer.put("bulk", true);
  }

  /**
   * Adds one frame: {@code entries} is an array of [key, value] pairs in base64, keys increasing
   * across frames. A frame already added (its answer was lost) is acknowledged again; a session
   * this region does not know (it restarted) is answered {@code lost}.
   */
  JsonNode put(Table t, JsonNode body) {
    Session s = session(t, body);
    ObjectNode answer = JSON.createObjectNode();
    if (s == null) {
      return answer.put("lost", true);
    }
    synchronized (s) {
      long seq = body.path("seq").asLong();
      // The source keeps two frames in flight: the later one waits here for its turn.
      long deadline = System.nanoTime() + TURN_WAIT_NANOS;
      while (seq > s.nextSeq && !s.finished && sessions.get(t.id()) == s) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        try {
          s.wait(left / 1_000_000 + 1);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      if (sessions.get(t.id()) != s) {
        return answer.put("lost", true);
      }
      if (seq < s.nextSeq || s.finished) {
        return answer.put("entries", s.entries);
      }
      if (seq != s.nextSeq) {
        throw DynamoException.validation(
            "bulk fill frame " + seq + " arrived where " + s.nextSeq + " was expected");
      }
      Base64.Decoder b64 = Base64.getDecoder();
      for (JsonNode e : body.path("entries")) {
        byte[] k = b64.decode(e.get(0).asText());
        byte[] v = b64.decode(e.get(1).asText());
        if (s.lastKey != null && Arrays.compareUnsigned(s.lastKey, k) >= 0) {
          throw DynamoException.validation("bulk fill entries out of order");
        }
        if (k.length > 0 && k[0] == ItemKeys.ITEMS) {
          s.items++;
          s.bytes += ItemSize.of(ItemCodec.decode(v));
        } else if (k.length == 0 || k[0] != ItemStamp.STAMP_PREFIX) {
          throw DynamoException.validation("bulk fill entries hold only items and stamps");
        } else {
          s.highestStamp = ItemStamp.max(s.highestStamp, ItemStamp.decode(v));
        }
        s.loader.add(k, v);
        s.lastKey = k;
        s.entries++;
      }
      s.nextSeq++;
      s.notifyAll();
      return answer.put("entries", s.entries);
    }
  }

  /**
   * Ingests everything once {@code entries} matches what arrived, and sets the table's counters.
   * Answers {@code lost} for an unknown session.
   */
  JsonNode finish(Table t, JsonNode body) {
    Session s = session(t, body);
    ObjectNode answer = JSON.createObjectNode();
    if (s == null) {
      return answer.put("lost", true);
    }
    synchronized (s) {
      if (!s.finished) {
        long sent = body.path("entries").asLong();
        if (sent != s.entries) {
          throw DynamoException.validation(
              "bulk fill sent " + sent + " entries, " + s.entries + " arrived");
        }
        boolean[] ingested = new boolean[1];
        db.writePath()
            .exclusive(
                () -> {
                  // Shipped writes are held while CREATING; checked anyway, since an ingested
                  // file would override anything already here.
                  if (isEmpty(t)) {
                    // Durable before the ingest: this region's later writes go above these stamps
                    // without reading them (WritePath's stamp floor).
                    if (s.highestStamp != null) {
                      db.writePath().raiseStampFloor(s.highestStamp);
                    }
                    s.loader.finish();
                    db.catalog().bulkLoaded(t, s.items, s.bytes);
                    ingested[0] = true;
                  }
                });
        if (!ingested[0]) {
          drop(t.id());
          return answer.put("lost", true);
        }
        s.finished = true;
        s.loader.close();
        deleteTree(s.dir);
        log.info("Bulk fill of {} ingested: {} items, {} entries", t.name(), s.items, s.entries);
      }
      return answer.put("items", s.items).put("entries", s.entries);
    }
  }

  /** Forgets the table's session and its staged files (the table was deleted, or a new one). */
  void drop(long tableId) {
    Session s = sessions.remove(tableId);
    if (s != null) {
      synchronized (s) {
        s.notifyAll();
        if (!s.finished) {
          s.loader.close();
        }
        deleteTree(s.dir);
      }
    }
  }

  private Session session(Table t, JsonNode body) {
    Session s = sessions.get(t.id());
    return s != null && s.id.equals(body.path("session").asText()) ? s : null;
  }

  private boolean isEmpty(Table t) {
    try (Cursor c = db.storage().scan(t.id(), new byte[] {0}, null, false)) {
      return !c.next();
    }
  }

  /** Counts the table's items and their size from storage; under the write lock. */
  private void recount(Table t) {
    long items = 0;
    long bytes = 0;
    try (Cursor c =
        db.storage().scan(t.id(), ItemKeys.itemsLower(), ItemKeys.itemsUpper(), false)) {
      while (c.next()) {
        items++;
        bytes += ItemSize.of(ItemCodec.decode(c.value()));
      }
    }
    db.catalog().bulkLoaded(t, items, bytes);
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clean " + dir, e);
    }
  }
}
