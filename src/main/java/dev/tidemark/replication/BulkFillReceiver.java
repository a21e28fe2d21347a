package dev.tidemark.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.ItemKeys;
import dev.tidemark.changelog.ItemStamp;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.indexes.IndexEntries;
import dev.tidemark.indexes.IndexStats;
import dev.tidemark.model.ItemSize;
import dev.tidemark.storage.BulkLoader;
import dev.tidemark.storage.Cursor;
import dev.tidemark.storage.ItemCodec;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.IndexDefinition;
import dev.tidemark.tables.Table;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replica's side of a bulk-loaded fill: the source's snapshot arrives as its table space's own
 * entries (items, then each secondary index's entries, then stamp entries with tombstones), in key
 * order, in numbered frames, and is written into SST files that are ingested in one step at the
 * end, beside the write path.
 *
 * <p>Index entries arrive as the source stored them, under this replica's index numbers (the source
 * asks for them at {@link #open}): an entry's key is its index number followed by key attributes,
 * and its value the projected item, so entries built by the source are exactly the entries this
 * replica would build, provided both sides declare the same key schema and projection, which {@link
 * #open} checks.
 *
 * <p>Why this is safe: a bulk fill is accepted only for a new replica (CREATING), whose indexes are
 * those of the source's snapshot and ACTIVE, and whose space is still empty; while the table is
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

    /** Entry count and bytes of each of the table's indexes, by index number. */
    final Map<Integer, long[]> indexStats = new HashMap<>();

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
   * What both sides of a fill must agree on for an index's entries to be taken as stored: what
   * decides an entry's key and its value.
   */
  static ObjectNode shape(IndexDefinition i) {
    ObjectNode o = JSON.createObjectNode();
    o.put("name", i.name()).put("global", i.global()).put("projection", i.projectionType());
    o.set("keySchema", JSON.valueToTree(i.keySchema()));
    i.nonKeyAttributes().forEach(o.putArray("nonKeyAttributes")::add);
    return o;
  }

  /**
   * Opens a session for {@code session}, replacing any earlier one of the table (its source
   * restarted). {@code indexes} holds the {@link #shape} of each index of the source's snapshot.
   * Answers {@code bulk: false} when the table cannot take a bulk fill, else {@code indexes}: this
   * replica's number for each index name.
   */
  JsonNode open(Table t, String session, JsonNode indexes) {
    ObjectNode answer = JSON.createObjectNode();
    Path root = scratch;
    if (root == null || !"CREATING".equals(t.status())) {
      return answer.put("bulk", false);
    }
    ObjectNode numbers = JSON.createObjectNode();
    if (!sameIndexes(t, indexes, numbers)) {
      log.info(
          "Replica of {} has other indexes than the source: filled through the write path",
          t.name());
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
    for (IndexDefinition i : t.definition().allIndexes()) {
      s.indexStats.put(i.number(), new long[2]);
    }
    s.loader = db.storage().bulkLoader(t.id(), dir);
    sessions.put(t.id(), s);
    log.info("Bulk fill of {} opened (session {})", t.name(), session);
    answer.put("bulk", true).set("indexes", numbers);
    return answer;
  }

  /**
   * Whether this replica's indexes are the source's, all ACTIVE and numbered (an index still being
   * backfilled would take entries beside its builder); fills {@code numbers} with their numbers.
   */
  private static boolean sameIndexes(Table t, JsonNode source, ObjectNode numbers) {
    List<IndexDefinition> own = t.definition().allIndexes();
    if (!source.isArray() || source.size() != own.size()) {
      return false;
    }
    Map<String, JsonNode> byName = new HashMap<>();
    source.forEach(i -> byName.put(i.path("name").asText(), i));
    for (IndexDefinition i : own) {
      if (!IndexDefinition.ACTIVE.equals(i.status())
          || i.number() == 0
          || !shape(i).equals(byName.get(i.name()))) {
        return false;
      }
      numbers.put(i.name(), i.number());
    }
    return true;
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
        byte prefix = k.length == 0 ? 0 : k[0];
        long[] index;
        if (prefix == ItemKeys.ITEMS) {
          s.items++;
          s.bytes += ItemSize.of(ItemCodec.decode(v));
        } else if (prefix == ItemStamp.STAMP_PREFIX) {
          s.highestStamp = ItemStamp.max(s.highestStamp, ItemStamp.decode(v));
        } else if ((index = s.indexStats.get(prefix & 0xFF)) != null) {
          index[0]++;
          index[1] += ItemSize.of(ItemCodec.decode(v));
        } else {
          throw DynamoException.validation(
              "bulk fill entries hold only items, entries of the table's indexes and stamps");
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
                    db.catalog().bulkLoaded(t, s.items, s.bytes, indexStats(s.indexStats));
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

  /**
   * Counts the table's items, its index entries and their sizes from storage (an ingest whose
   * counters were not written yet); under the write lock.
   */
  private void recount(Table t) {
    long[] items = count(t, ItemKeys.itemsLower(), ItemKeys.itemsUpper());
    Map<Integer, long[]> indexes = new HashMap<>();
    for (IndexDefinition i : t.definition().allIndexes()) {
      if (i.number() != 0) {
        indexes.put(i.number(), count(t, IndexEntries.lower(i), IndexEntries.upper(i)));
      }
    }
    db.catalog().bulkLoaded(t, items[0], items[1], indexStats(indexes));
  }

  private long[] count(Table t, byte[] lower, byte[] upper) {
    long[] n = new long[2];
    try (Cursor c = db.storage().scan(t.id(), lower, upper, false)) {
      while (c.next()) {
        n[0]++;
        n[1] += ItemSize.of(ItemCodec.decode(c.value()));
      }
    }
    return n;
  }

  private static Map<Integer, IndexStats> indexStats(Map<Integer, long[]> counted) {
    Map<Integer, IndexStats> out = new HashMap<>();
    counted.forEach((number, n) -> out.put(number, new IndexStats(n[0], n[1])));
    return out;
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
