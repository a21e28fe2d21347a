package dev.tidemark.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.storage.Cursor;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A checksum of a table's logical content: SHA-256 over its items in key order, each as {@code
 * varint keyLength, key, varint valueLength, value} (the item's storage key and encoded image,
 * index entries left out). Backups copy item images byte for byte, and an incremental restore lays
 * the same images over its base, so a restored table has the digest its source had at the snapshot,
 * whichever way the backup was written. Restore tests compare the two.
 *
 * @param algorithm {@link #ALGORITHM}; a different derivation gets a new name
 * @param itemCount how many items were hashed
 * @param sha256 64 lowercase hex digits
 */
public record ContentDigest(String algorithm, long itemCount, String sha256) {
  public static final String ALGORITHM = "sha256-items-v1";

  /**
   * The backup type it is recorded for: AWS Backup's recovery points, which restore tests check. It
   * costs a scan of the snapshot's items, which on-demand backups (incremental ones read only what
   * changed) do not pay.
   */
  public static final String RECORDED_FOR = "AWS_BACKUP";

  /** Where a backup's manifest keeps it: a field of its {@code tableSchema}. */
  public static final String SCHEMA_FIELD = "contentDigest";

  /** Items are the table space's keys that start with this byte (indexes use 2 to 254). */
  private static final byte[] ITEMS_FROM = {0x01};

  private static final byte[] ITEMS_TO = {0x02};

  public ContentDigest {
    Objects.requireNonNull(algorithm);
    Objects.requireNonNull(sha256);
    if (itemCount < 0) {
      throw new IllegalArgumentException("itemCount must be non-negative");
    }
  }

  /** The range of a table space to scan for its items. */
  public static byte[] itemsFrom() {
    return ITEMS_FROM.clone();
  }

  public static byte[] itemsTo() {
    return ITEMS_TO.clone();
  }

  /** Hashes every item the cursor yields (a scan of {@link #itemsFrom()}..{@link #itemsTo()}). */
  public static ContentDigest of(Cursor items) {
    MessageDigest sha = newSha256();
    long n = 0;
    byte[] len = new byte[10];
    while (items.next()) {
      byte[] k = items.key();
      byte[] v = items.value();
      sha.update(len, 0, varint(k.length, len));
      sha.update(k);
      sha.update(len, 0, varint(v.length, len));
      sha.update(v);
      n++;
    }
    return new ContentDigest(ALGORITHM, n, HexFormat.of().formatHex(sha.digest()));
  }

  /** The digest a backup's {@code tableSchema} records, or null (backups written before it). */
  public static ContentDigest fromSchema(JsonNode schema) {
    JsonNode d = schema == null ? null : schema.get(SCHEMA_FIELD);
    if (d == null
        || !d.isObject()
        || !d.path("sha256").isTextual()
        || !d.path("algorithm").isTextual()
        || !d.path("itemCount").canConvertToLong()
        || d.path("itemCount").asLong() < 0) {
      return null;
    }
    return new ContentDigest(
        d.get("algorithm").asText(), d.get("itemCount").asLong(), d.get("sha256").asText());
  }

  public ObjectNode toJson() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("algorithm", algorithm);
    o.put("itemCount", itemCount);
    o.put("sha256", sha256);
    return o;
  }

  private static int varint(long v, byte[] out) {
    int i = 0;
    while ((v & ~0x7FL) != 0) {
      out[i++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out[i++] = (byte) v;
    return i;
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
