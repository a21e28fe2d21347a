package dev.tidemark.changelog;

import dev.tidemark.model.AttributeValue;
import java.util.Map;
import java.util.Objects;

/**
 * One committed write, as every consumer of history (streams, PITR, replication) sees it. Images
 * are whole items or null (absent), never deltas, so replaying a record twice is harmless.
 *
 * @param tableId the table incarnation
 * @param seq server-wide sequence number, strictly increasing in commit order
 * @param commitTimeMillis commit instant; never decreases as seq grows
 * @param key the item's key attributes
 * @param oldImage the item before the write, or null if it did not exist; an empty map when it
 *     existed but the log did not keep its attributes (the table's stream, if any, shows no old
 *     images)
 * @param newImage the item after the write, or null if it was deleted
 * @param origin who made the write
 * @param stamp the item version this write made, on replicated tables only (null elsewhere)
 * @param writer who signed the write, as a {@link Writers} id: {@link Writers#NONE} when no client
 *     did (TTL expiry, replication) or none was known, {@link Writers#UNKNOWN} in records written
 *     before identities were recorded
 */
public record ChangeRecord(
    long tableId,
    long seq,
    long commitTimeMillis,
    Map<String, AttributeValue> key,
    Map<String, AttributeValue> oldImage,
    Map<String, AttributeValue> newImage,
    Origin origin,
    ItemStamp stamp,
    int writer) {

  /** A record without a known writer. */
  public ChangeRecord(
      long tableId,
      long seq,
      long commitTimeMillis,
      Map<String, AttributeValue> key,
      Map<String, AttributeValue> oldImage,
      Map<String, AttributeValue> newImage,
      Origin origin,
      ItemStamp stamp) {
    this(tableId, seq, commitTimeMillis, key, oldImage, newImage, origin, stamp, Writers.NONE);
  }

  /** A record of a table that is not replicated: no stamp. */
  public ChangeRecord(
      long tableId,
      long seq,
      long commitTimeMillis,
      Map<String, AttributeValue> key,
      Map<String, AttributeValue> oldImage,
      Map<String, AttributeValue> newImage,
      Origin origin) {
    this(tableId, seq, commitTimeMillis, key, oldImage, newImage, origin, null);
  }

  public ChangeRecord {
    if (seq <= 0) {
      throw new IllegalArgumentException("seq must be positive: " + seq);
    }
    Objects.requireNonNull(key);
    Objects.requireNonNull(origin);
    if (oldImage == null && newImage == null) {
      throw new IllegalArgumentException("a change needs an old or a new image");
    }
    if (writer < Writers.UNKNOWN) {
      throw new IllegalArgumentException("writer id must be -1 or more: " + writer);
    }
  }

  /**
   * Who caused a change: a client, the service itself (TTL expiry), as Streams reports it, or
   * another region (a replicated write, which Streams shows without a user identity and which is
   * never shipped back). Stored by ordinal: append only.
   */
  public enum Origin {
    USER,
    TTL_EXPIRY,
    REPLICATION
  }

  /** INSERT, MODIFY or REMOVE, as DynamoDB Streams names them. */
  public String eventName() {
    if (oldImage == null) {
      return "INSERT";
    }
    return newImage == null ? "REMOVE" : "MODIFY";
  }
}
