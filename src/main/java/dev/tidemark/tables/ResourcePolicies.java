package dev.tidemark.tables;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tidemark.storage.Cursor;
import dev.tidemark.storage.Storage;
import dev.tidemark.storage.WriteSet;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The resource-based policies of tables and of their streams, durable in the meta space beside the
 * table's definition and kept in memory for the authorization gate, which reads them on every
 * request. Keys: {@code rpolicy/<table id>} for a table, {@code rpolicy/<table id><stream label>}
 * for one of its streams. Keyed by the table incarnation, so a table deleted and created again
 * under its name, or a table restored from a backup, starts without a policy (as on DynamoDB, where
 * a restore does not carry IAM policies over), and {@link #forget} removes them in the batch that
 * deletes the table.
 */
public final class ResourcePolicies {
  private static final ObjectMapper JSON = JsonMapper.builder().findAndAddModules().build();
  private static final byte[] PREFIX = "rpolicy/".getBytes(StandardCharsets.UTF_8);

  /**
   * One attached policy.
   *
   * @param text the document as stored (whitespace removed), as GetResourcePolicy returns it
   * @param revisionId the RevisionId: the change time in epoch milliseconds, as DynamoDB's, so
   *     later revisions compare greater
   */
  public record Stored(String text, String revisionId) {
    public Stored {
      Objects.requireNonNull(text);
      Objects.requireNonNull(revisionId);
    }
  }

  /** Which resource of a table: the table itself (its indexes included) or one of its streams. */
  public record Target(long tableId, String streamLabel) {
    public static Target table(long tableId) {
      return new Target(tableId, null);
    }

    public static Target stream(long tableId, String label) {
      return new Target(tableId, Objects.requireNonNull(label));
    }
  }

  private final Storage storage;
  private final Map<Target, Stored> byTarget = new ConcurrentHashMap<>();
  private long lastRevision;

  public ResourcePolicies(Storage storage) {
    this.storage = storage;
    try (Cursor c = storage.scanMeta(PREFIX)) {
      while (c.next()) {
        Stored s = JSON.readValue(c.value(), Stored.class);
        byTarget.put(target(c.key()), s);
        lastRevision = Math.max(lastRevision, Long.parseLong(s.revisionId()));
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("resource-based policies are unreadable", e);
    }
  }

  private volatile java.util.function.Predicate<String> principalExists = p -> true;

  /**
   * Where the principals a new policy names are looked up (IAM mode: the server's users and roles);
   * without one, every principal is taken as it is written.
   */
  public void checkPrincipalsWith(java.util.function.Predicate<String> exists) {
    principalExists = Objects.requireNonNull(exists);
  }

  /** Whether a principal ARN a new policy names exists, as far as this server can tell. */
  public boolean principalExists(String principal) {
    return principalExists.test(principal);
  }

  /** Whether no resource has a policy: then the gate need not look any up. */
  public boolean isEmpty() {
    return byTarget.isEmpty();
  }

  public Stored find(Target t) {
    return byTarget.get(t);
  }

  /**
   * The revision id a change made at {@code nowMillis} gets: strictly above every earlier one, so
   * that an ExpectedRevisionId taken before a change never matches after it.
   */
  public synchronized String nextRevision(long nowMillis) {
    lastRevision = Math.max(nowMillis, lastRevision + 1);
    return Long.toString(lastRevision);
  }

  /** Attaches (or replaces) a policy, durably, before it is answered. */
  public synchronized void put(Target t, Stored s) {
    storage.apply(put(t, s, new WriteSet()));
    storage.sync();
    byTarget.put(t, s);
  }

  /**
   * Adds the write of {@code s} to {@code batch}, for a table created with its policy in one
   * commit; call {@link #remember} once the batch is applied.
   */
  public WriteSet put(Target t, Stored s, WriteSet batch) {
    return batch.putMeta(key(t), json(s));
  }

  public void remember(Target t, Stored s) {
    byTarget.put(t, s);
  }

  /** Detaches a policy, durably. */
  public synchronized void delete(Target t) {
    storage.apply(new WriteSet().deleteMeta(key(t)));
    storage.sync();
    byTarget.remove(t);
  }

  /**
   * Adds the removal of every policy of a table incarnation (its streams' too) to {@code batch}.
   */
  public void forget(long tableId, WriteSet batch) {
    byte[] prefix = ByteBuffer.allocate(PREFIX.length + 8).put(PREFIX).putLong(tableId).array();
    List<Target> gone = new ArrayList<>();
    try (Cursor c = storage.scanMeta(prefix)) {
      while (c.next()) {
        batch.deleteMeta(c.key());
        gone.add(target(c.key()));
      }
    }
    // Lookups go by the id of a table the catalog still has, so dropping these before the batch
    // commits can only hide a policy of a table that is being deleted.
    gone.forEach(byTarget::remove);
  }

  private static byte[] key(Target t) {
    byte[] label =
        t.streamLabel() == null ? new byte[0] : t.streamLabel().getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(PREFIX.length + 8 + label.length)
        .put(PREFIX)
        .putLong(t.tableId())
        .put(label)
        .array();
  }

  private static Target target(byte[] key) {
    long id = ByteBuffer.wrap(key, PREFIX.length, 8).getLong();
    int rest = key.length - PREFIX.length - 8;
    return rest == 0
        ? Target.table(id)
        : Target.stream(id, new String(key, PREFIX.length + 8, rest, StandardCharsets.UTF_8));
  }

  private static byte[] json(Stored s) {
    try {
      return JSON.writeValueAsBytes(s);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize a resource policy", e);
    }
  }
}
