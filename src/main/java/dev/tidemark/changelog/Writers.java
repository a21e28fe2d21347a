package dev.tidemark.changelog;

import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.storage.Cursor;
import dev.tidemark.storage.Storage;
import dev.tidemark.storage.WriteSet;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who wrote each change record: identities interned to small ids, so a record carries a varint (one
 * byte for the first 127 writers) rather than an ARN. The id-to-name table lives in the meta space
 * under {@code writer/<id>} (id big-endian, value the name in UTF-8) and is loaded whole at start;
 * it only grows, one entry per identity that ever wrote.
 *
 * <p>A writer's name is the principal's ARN in {@code --auth iam} (the assumed-role ARN, with its
 * session, for temporary credentials), and the access key id the request was signed with in open
 * mode, or {@code anonymous} for an unsigned request.
 *
 * <p>The request thread names its caller with {@link #actingAs} while an action runs; the write
 * path then looks the id up with {@link #current}: a thread-local read and a map lookup by access
 * key, with no storage access except the first time an identity writes. That first time, the name
 * is applied to the meta space before the record that uses its id, in the same WAL, so a record
 * that survives a crash always finds its name.
 */
public final class Writers {
  /**
   * No client signed the write (TTL expiry, replication from another region), or none was named.
   */
  public static final int NONE = 0;

  /** The record was written before records named their writers (format 1). */
  public static final int UNKNOWN = -1;

  private static final byte[] PREFIX = "writer/".getBytes(StandardCharsets.UTF_8);
  private static final ThreadLocal<CallerIdentity> CALLER = new ThreadLocal<>();

  private final Storage storage;

  /** By name; all persisted. */
  private final Map<String, Integer> ids = new ConcurrentHashMap<>();

  /** By id; all persisted. */
  private final Map<Integer, String> names = new ConcurrentHashMap<>();

  /** Access key id to writer id, so the hot path neither builds an ARN nor hashes a long name. */
  private final Map<String, Integer> byAccessKey = new ConcurrentHashMap<>();

  private int lastId;

  public Writers(Storage storage) {
    this.storage = storage;
    try (Cursor c = storage.scanMeta(PREFIX)) {
      while (c.next()) {
        byte[] k = c.key();
        if (k.length != PREFIX.length + 4) {
          continue;
        }
        int id = ByteBuffer.wrap(k, PREFIX.length, 4).getInt();
        String name = new String(c.value(), StandardCharsets.UTF_8);
        ids.put(name, id);
        names.put(id, name);
        lastId = Math.max(lastId, id);
      }
    }
  }

  /** Names {@code caller} as the writer of what this thread commits until {@link #done}. */
  public static void actingAs(CallerIdentity caller) {
    CALLER.set(caller);
  }

  /** Ends {@link #actingAs} on this thread. */
  public static void done() {
    CALLER.remove();
  }

  /** The name a caller's writes are recorded under. */
  public static String nameOf(CallerIdentity caller) {
    return caller.principal() != null ? caller.principal().arn() : caller.accessKeyId();
  }

  /** The id of this thread's caller, or {@link #NONE} when no request named one. */
  public int current() {
    CallerIdentity caller = CALLER.get();
    if (caller == null) {
      return NONE;
    }
    Integer id = byAccessKey.get(caller.accessKeyId());
    if (id == null) {
      id = intern(nameOf(caller));
      byAccessKey.put(caller.accessKeyId(), id);
    }
    return id;
  }

  /** The id of a name, recording it first if it is new. */
  public int intern(String name) {
    Integer id = ids.get(name);
    if (id != null) {
      return id;
    }
    synchronized (this) {
      id = ids.get(name);
      if (id != null) {
        return id;
      }
      int next = lastId + 1;
      byte[] key = Arrays.copyOf(PREFIX, PREFIX.length + 4);
      ByteBuffer.wrap(key, PREFIX.length, 4).putInt(next);
      // Persisted before the id is handed out: no record can name an id whose name was not applied.
      storage.apply(new WriteSet().putMeta(key, name.getBytes(StandardCharsets.UTF_8)));
      lastId = next;
      names.put(next, name);
      ids.put(name, next);
      return next;
    }
  }

  /** The name of an id, or null for {@link #NONE}, {@link #UNKNOWN} and ids never recorded. */
  public String name(int id) {
    return names.get(id);
  }
}
