package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.Json;
import dev.tidemark.api.RequestContext;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.streams.ShardIterators;
import dev.tidemark.streams.StreamDescriptor;
import dev.tidemark.tables.Database;
import java.util.List;

/**
 * DynamoDB Streams GetShardIterator: turns a starting point (TRIM_HORIZON, LATEST, or at or after a
 * sequence number) into a signed position in the table's change log.
 */
public final class GetShardIterator implements Action {
  static final String TRIMMED = "The data you are trying to access has been trimmed.";
  private static final List<String> TYPES =
      List.of("TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER");

  private final Database db;
  private final ShardIterators iterators;

  public GetShardIterator(Database db, ShardIterators iterators) {
    this.db = db;
    this.iterators = iterators;
  }

  @Override
  public String name() {
    return StreamActions.TARGET_PREFIX + "GetShardIterator";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    String arn = Json.string(req, "StreamArn");
    String shardId = Json.string(req, "ShardId");
    String type = Json.string(req, "ShardIteratorType");
    String sequenceNumber = Json.string(req, "SequenceNumber");
    new Constraints()
        .notNull(Json.field(req, "StreamArn"), "streamArn")
        .length(arn, "streamArn", 37, 1024)
        .notNull(Json.field(req, "ShardId"), "shardId")
        .length(shardId, "shardId", 28, 65)
        .notNull(Json.field(req, "ShardIteratorType"), "shardIteratorType")
        .oneOf(type, "shardIteratorType", TYPES)
        .length(sequenceNumber, "sequenceNumber", 21, 40)
        .check();
    boolean atNumber = type.equals("AT_SEQUENCE_NUMBER") || type.equals("AFTER_SEQUENCE_NUMBER");
    if (atNumber && sequenceNumber == null) {
      throw DynamoException.invalidParameter("Invalid SequenceNumber");
    }
    if (!atNumber && sequenceNumber != null) {
      throw DynamoException.invalidParameter(
          "SequenceNumber should not be passed for this iterator type");
    }
    long number = atNumber ? parse(sequenceNumber) : 0;
    StreamDescriptor s = StreamActions.require(db, arn);
    if (!s.shardId().equals(shardId)) {
      throw DynamoException.resourceNotFound("Requested resource not found: Shard does not exist");
    }
    long position;
    switch (type) {
      case "TRIM_HORIZON" -> position = StreamActions.trimHorizon(db, s);
      case "LATEST" ->
          position = Math.max(s.startSeq(), Math.min(s.end(), db.writePath().appliedSeq() + 1));
      default -> {
        if (number < s.startSeq() || number >= s.end()) {
          // The number belongs to no record of this shard.
          throw DynamoException.invalidParameter("Invalid SequenceNumber");
        }
        position = type.equals("AT_SEQUENCE_NUMBER") ? number : number + 1;
        if (position < db.changeLog().trimmedBefore(s.tableId())) {
          throw WireError.TRIMMED_DATA_ACCESS.exception(TRIMMED);
        }
      }
    }
    ObjectNode out = Json.object();
    out.put(
        "ShardIterator",
        iterators.encode(
            new ShardIterators.Position(
                db.streams().arn(s), s.tableId(), s.createdMillis(), position, db.now())));
    return out;
  }

  private static long parse(String sequenceNumber) {
    if (!sequenceNumber.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw DynamoException.invalidParameter("Invalid SequenceNumber");
    }
    String digits = sequenceNumber.replaceFirst("^0+(?=.)", "");
    if (digits.length() > 18) {
      throw DynamoException.invalidParameter("Invalid SequenceNumber");
    }
    return Long.parseLong(digits);
  }
}
