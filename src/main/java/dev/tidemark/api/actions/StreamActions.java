package dev.tidemark.api.actions;

import dev.tidemark.errors.DynamoException;
import dev.tidemark.streams.StreamCatalog;
import dev.tidemark.streams.StreamDescriptor;
import dev.tidemark.tables.Database;

/** What the DynamoDB Streams actions share: their target prefix and stream lookup. */
final class StreamActions {
  /** Streams operations are registered under their whole X-Amz-Target. */
  static final String TARGET_PREFIX = "DynamoDBStreams_20120810.";

  private StreamActions() {}

  /** The stream an ARN names, or DynamoDB's errors for a malformed or unknown ARN. */
  static StreamDescriptor require(Database db, String arn) {
    StreamCatalog.Address address =
        StreamCatalog.parseArn(arn)
            .orElseThrow(() -> DynamoException.validation("Invalid StreamArn"));
    return db.streams()
        .find(address)
        .orElseThrow(
            () ->
                DynamoException.resourceNotFound(
                    "Requested resource not found: Stream: " + arn + " not found"));
  }

  /**
   * The oldest position of a stream that can still be read: its start, or the change log's trim
   * horizon once retention has dropped the stream's oldest records.
   */
  static long trimHorizon(Database db, StreamDescriptor s) {
    return Math.min(Math.max(s.startSeq(), db.changeLog().trimmedBefore(s.tableId())), s.end());
  }
}
