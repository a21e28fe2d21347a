package dev.tidemark.streams;

import dev.tidemark.tables.KeySchema;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Objects;

/**
 * One DynamoDB stream of one table incarnation: a window {@code [startSeq, endSeq)} of the table's
 * change log, with the view type that decides which images its records carry. There is no copy of
 * the records; a stream is only this description. It outlives its table (for the retention period),
 * so it carries the table's name and key schema itself.
 *
 * @param tableName the table's name, part of the stream ARN
 * @param tableId the table incarnation whose change log the stream reads
 * @param keySchema the table's primary key, reported by DescribeStream
 * @param viewType KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES
 * @param createdMillis when the stream was enabled; its label is this instant
 * @param startSeq the first sequence number the stream covers
 * @param endSeq one past the last sequence number covered, or null while the stream is enabled
 * @param disabledMillis when the stream was disabled (or its table deleted), or null
 */
public record StreamDescriptor(
    String tableName,
    long tableId,
    KeySchema keySchema,
    String viewType,
    long createdMillis,
    long startSeq,
    Long endSeq,
    Long disabledMillis) {

  public static final List<String> VIEW_TYPES =
      List.of("NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY");

  // DynamoDB labels a stream with its creation time to the millisecond, in UTC, e.g.
  // 2015-05-20T20:51:10.252 (the last part of LatestStreamArn).
  private static final DateTimeFormatter LABEL =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

  public StreamDescriptor {
    Objects.requireNonNull(tableName);
    Objects.requireNonNull(keySchema);
    if (!VIEW_TYPES.contains(viewType)) {
      throw new IllegalArgumentException("unknown stream view type " + viewType);
    }
    if (startSeq <= 0) {
      throw new IllegalArgumentException("streams start at a positive sequence number");
    }
    if ((endSeq == null) != (disabledMillis == null)) {
      throw new IllegalArgumentException("a stream ends exactly when it is disabled");
    }
    if (endSeq != null && endSeq < startSeq) {
      throw new IllegalArgumentException("a stream cannot end before it starts");
    }
  }

  public static String label(long createdMillis) {
    return LABEL.format(Instant.ofEpochMilli(createdMillis));
  }

  public String label() {
    return label(createdMillis);
  }

  public boolean enabled() {
    return endSeq == null;
  }

  /** One past the last sequence number covered: unbounded while enabled. */
  public long end() {
    return endSeq == null ? Long.MAX_VALUE : endSeq;
  }

  /**
   * The stream's only shard. Its name has DynamoDB's shape, {@code shardId-<20 digits>-<8 hex>};
   * the digits are the creation instant and the hex tells apart incarnations created in the same
   * millisecond.
   */
  public String shardId() {
    int mix = Long.hashCode(tableId * 0x9E3779B97F4A7C15L ^ createdMillis);
    return String.format("shardId-%020d-%08x", createdMillis, mix);
  }

  public StreamDescriptor closed(long endSeq, long disabledMillis) {
    if (!enabled()) {
      throw new IllegalStateException("stream " + label() + " of " + tableName + " is closed");
    }
    return new StreamDescriptor(
        tableName,
        tableId,
        keySchema,
        viewType,
        createdMillis,
        startSeq,
        Math.max(startSeq, endSeq),
        disabledMillis);
  }

  /**
   * DynamoDB's stream sequence numbers are decimal strings; we pad ours to 21 digits as it does.
   */
  public static String sequenceNumber(long seq) {
    return String.format("%021d", seq);
  }
}
