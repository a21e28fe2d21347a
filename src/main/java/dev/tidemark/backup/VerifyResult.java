package dev.tidemark.backup;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of verifying one backup: every problem found, each naming the object concerned.
 *
 * @param objectsChecked distinct data objects read to the end without a problem
 * @param plaintextBytesChecked their total decrypted size
 */
public record VerifyResult(
    String manifestName, int objectsChecked, long plaintextBytesChecked, List<Problem> problems) {

  public VerifyResult {
    Objects.requireNonNull(manifestName);
    problems = List.copyOf(problems);
  }

  /** What went wrong with one object. */
  public enum Kind {
    /** The object (or the manifest: the backup) does not exist. */
    MISSING,
    /** Encrypted under a key other than the configured one. */
    WRONG_KEY,
    /** Failed authentication: altered bytes, reordered chunks, or moved from another name. */
    CORRUPT,
    /** Shorter than written: ends before its final chunk, or smaller than its recorded size. */
    TRUNCATED,
    /** Bytes follow the final chunk. */
    TRAILING_DATA,
    /** Decrypts, but to a different size or SHA-256 than the manifest records. */
    CONTENT_MISMATCH,
    /** The manifest decrypts but is not a manifest this server can read. */
    MALFORMED_MANIFEST,
    /** The store failed to deliver it (I/O error). */
    UNREADABLE
  }

  /**
   * @param objectName the manifest's or a data object's name
   * @param message a sentence an operator can act on; it names the object
   */
  public record Problem(String objectName, Kind kind, String message) {}

  public boolean ok() {
    return problems.isEmpty();
  }

  /** One line per problem, or a one-line success summary. */
  public String summary() {
    if (ok()) {
      return "backup "
          + manifestName
          + " verified: "
          + objectsChecked
          + " objects, "
          + plaintextBytesChecked
          + " bytes";
    }
    StringBuilder sb = new StringBuilder("backup " + manifestName + " failed verification:");
    for (Problem p : problems) {
      sb.append("\n  ").append(p.kind()).append(": ").append(p.message());
    }
    return sb.toString();
  }
}
