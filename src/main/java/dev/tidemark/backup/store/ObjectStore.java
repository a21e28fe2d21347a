package dev.tidemark.backup.store;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.OptionalLong;

/**
 * A store of immutable named objects with object-storage semantics (a directory, an S3 bucket,
 * memory): objects appear whole or not at all, are never modified in place, and are never renamed
 * or appended to. Everything the backup subsystem persists goes through this interface, so that a
 * fresh server given only the store and the master key can restore everything (design I3).
 *
 * <p>Names follow {@link ObjectNames}. Implementations are safe for concurrent use.
 */
public interface ObjectStore {

  /**
   * Starts an upload. The object becomes visible only when {@link PendingObject#commit()} returns.
   */
  PendingObject create(String name) throws IOException;

  /** Stores a whole object. See {@link PendingObject#commit()} for the overwrite rules. */
  default void put(String name, byte[] content) throws IOException {
    try (PendingObject out = create(name)) {
      out.write(content);
      out.commit();
    }
  }

  /** Stores everything {@code content} yields (not closed here) as one object. */
  default void put(String name, InputStream content) throws IOException {
    try (PendingObject out = create(name)) {
      content.transferTo(out);
      out.commit();
    }
  }

  /**
   * Opens an object for reading.
   *
   * @throws NoSuchObjectException if it does not exist
   */
  InputStream get(String name) throws IOException;

  /** Reads a whole object; meant for small objects such as manifests. */
  default byte[] getBytes(String name) throws IOException {
    try (InputStream in = get(name)) {
      return in.readAllBytes();
    }
  }

  /** The stored size of an object in bytes, or empty if it does not exist. */
  OptionalLong size(String name) throws IOException;

  default boolean exists(String name) throws IOException {
    return size(name).isPresent();
  }

  /**
   * Names of all visible objects starting with {@code prefix} (a plain string prefix, as in S3, not
   * necessarily ending with {@code /}), sorted in ascending {@link String} order.
   */
  List<String> list(String prefix) throws IOException;

  /**
   * The stored sizes of all visible objects starting with {@code prefix}, by name: what {@link
   * #size} answers for each name {@link #list} gives. A store whose listing carries sizes answers
   * in a few requests where one {@link #size} per object would take one round trip each.
   */
  default java.util.Map<String, Long> sizes(String prefix) throws IOException {
    java.util.Map<String, Long> sizes = new java.util.HashMap<>();
    for (String name : list(prefix)) {
      OptionalLong size = size(name);
      if (size.isPresent()) {
        sizes.put(name, size.getAsLong());
      }
    }
    return sizes;
  }

  /**
   * Deletes an object.
   *
   * @return whether it existed
   */
  boolean delete(String name) throws IOException;

  /**
   * How many objects one backup or restore should keep in transfer at once. A local disk is bound
   * by the CPU (hashing, encryption), so one per core; object storage by round trips, so more.
   */
  default int transfersInFlight() {
    return Math.max(2, Runtime.getRuntime().availableProcessors());
  }

  /**
   * The local directory holding the objects, when the store is one, so that the server can watch
   * the free space of its disk; empty for stores without a local disk (object storage, memory).
   */
  default java.util.Optional<java.nio.file.Path> localDirectory() {
    return java.util.Optional.empty();
  }
}
