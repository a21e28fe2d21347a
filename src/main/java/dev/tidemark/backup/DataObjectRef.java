package dev.tidemark.backup;

import dev.tidemark.backup.store.ObjectNames;
import java.util.regex.Pattern;

/**
 * A manifest's record of one data object: enough to find it, detect truncation before decrypting,
 * and check the decrypted content.
 *
 * @param name object name in the store
 * @param label caller's tag for what the object holds (e.g. {@code "items"} or an index name), so a
 *     restore knows where to load it; may be empty
 * @param plaintextSize bytes after decryption
 * @param storedSize bytes in the store (header and tags included)
 * @param sha256 lowercase hex SHA-256 of the plaintext
 */
public record DataObjectRef(
    String name, String label, long plaintextSize, long storedSize, String sha256) {
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

  public DataObjectRef {
    ObjectNames.validate(name);
    if (label == null || label.length() > 1024) {
      throw new IllegalArgumentException("label must be non-null and at most 1024 characters");
    }
    if (plaintextSize < 0 || storedSize < plaintextSize) {
      throw new IllegalArgumentException(
          "sizes of " + name + " are inconsistent: " + plaintextSize + " / " + storedSize);
    }
    if (sha256 == null || !HEX64.matcher(sha256).matches()) {
      throw new IllegalArgumentException("sha256 must be 64 lowercase hex digits: " + sha256);
    }
  }
}
