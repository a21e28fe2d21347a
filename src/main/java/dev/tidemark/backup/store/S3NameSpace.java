package dev.tidemark.backup.store;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The S3 store's refusal of names that cannot coexist on disk ({@code a} and {@code a/b}), with the
 * service asked about each directory once per process instead of once per write.
 *
 * <p>A new name must have no parent that is an object, and must not itself have children. Parents
 * are checked with a HEAD each until this process has written under them. Children are read from a
 * survey of the name's directory: one delimited listing ({@link Service#subdirectories}) the first
 * time a name in that directory is written, kept current by this process's own writes and deletes.
 * A data directory of thousands of objects costs a few listing pages per process rather than a
 * listing per object, and the surveys hold only subdirectory names (a handful per directory).
 *
 * <p>Like the directory store, this relies on one server owning a store: a name another process
 * creates after the survey is not seen (the check-then-write was never atomic on S3 either).
 */
final class S3NameSpace {

  /** The two questions asked of the service. */
  interface Service {
    /** Whether {@code name} is an object (a HEAD). */
    boolean isObject(String name) throws IOException;

    /**
     * The names of the immediate subdirectories of {@code dir} ({@code ""} or ending with {@code
     * /}), without the directory's prefix or a trailing slash: a listing with delimiter {@code /}.
     */
    Set<String> subdirectories(String dir) throws IOException;
  }

  private final Service service;

  /** Names this process wrote children under: known not to be objects themselves. */
  private final Set<String> knownDirectories = ConcurrentHashMap.newKeySet();

  /** By directory ({@code ""} or ending with {@code /}). */
  private final ConcurrentHashMap<String, Survey> surveys = new ConcurrentHashMap<>();

  private static final class Survey {
    /** Registered before the listing is sent, so writes made while it runs are not lost. */
    final Set<String> subdirectories = ConcurrentHashMap.newKeySet();

    boolean complete;
  }

  S3NameSpace(Service service) {
    this.service = service;
  }

  /** Refuses {@code name} if a parent of it is an object, or it already has children. */
  void check(String name) throws IOException {
    for (int slash = name.indexOf('/'); slash >= 0; slash = name.indexOf('/', slash + 1)) {
      String parent = name.substring(0, slash);
      if (!knownDirectories.contains(parent) && service.isObject(parent)) {
        throw new ObjectNameConflictException(name, parent);
      }
    }
    int slash = name.lastIndexOf('/');
    String dir = name.substring(0, slash + 1);
    Survey survey = surveys.computeIfAbsent(dir, d -> new Survey());
    synchronized (survey) {
      if (!survey.complete) {
        survey.subdirectories.addAll(service.subdirectories(dir));
        survey.complete = true;
      }
    }
    if (survey.subdirectories.contains(name.substring(slash + 1))) {
      throw new ObjectNameConflictException(name, name + "/...");
    }
  }

  /** Records that {@code name} now exists: its parents are directories, and it is not one. */
  void written(String name) {
    knownDirectories.remove(name);
    for (int slash = name.indexOf('/'); slash >= 0; slash = name.indexOf('/', slash + 1)) {
      String parent = name.substring(0, slash);
      knownDirectories.add(parent);
      int up = parent.lastIndexOf('/');
      Survey survey = surveys.get(parent.substring(0, up + 1));
      if (survey != null) {
        survey.subdirectories.add(parent.substring(up + 1));
      }
    }
  }

  /**
   * Records that {@code name} is gone: each of its parents may now be empty, so the surveys that
   * list them as subdirectories are dropped and taken again when next needed.
   */
  void deleted(String name) {
    for (int slash = name.indexOf('/'); slash >= 0; slash = name.indexOf('/', slash + 1)) {
      String parent = name.substring(0, slash);
      surveys.remove(parent.substring(0, parent.lastIndexOf('/') + 1));
    }
  }
}
