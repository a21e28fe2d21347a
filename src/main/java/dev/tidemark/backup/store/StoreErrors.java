package dev.tidemark.backup.store;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Failed requests to one object store, counted by operation, for {@code /metrics}: a rising count
 * is the first sign of a store going bad (permissions, a full disk, S3 throttling or outages)
 * before backups or the PITR archive fall behind. Answers that are part of the protocol (no such
 * object, a conditional write that lost) are not failures and are not counted.
 */
public final class StoreErrors {
  /** Every operation counted, so that each series exists (at zero) from the start. */
  public static final List<String> OPERATIONS =
      List.of("create", "write", "commit", "get", "read", "size", "list", "delete");

  private final String store;
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  /**
   * @param store which store this is ({@code backup}, {@code cold}), a metric label
   */
  public StoreErrors(String store) {
    if (store == null || store.isBlank()) {
      throw new IllegalArgumentException("a store needs a name");
    }
    this.store = store;
    for (String op : OPERATIONS) {
      counts.put(op, new LongAdder());
    }
  }

  public String store() {
    return store;
  }

  /** Failed requests of an operation so far. */
  public long count(String operation) {
    LongAdder a = counts.get(operation);
    if (a == null) {
      throw new IllegalArgumentException("not a counted store operation: " + operation);
    }
    return a.sum();
  }

  /** Counts {@code failure} when it is one (the caller rethrows it). */
  void record(String operation, Throwable failure) {
    if (!(failure instanceof NoSuchObjectException
        || failure instanceof ObjectAlreadyExistsException
        || failure instanceof ObjectNameConflictException)) {
      counts.get(operation).increment();
    }
  }
}
