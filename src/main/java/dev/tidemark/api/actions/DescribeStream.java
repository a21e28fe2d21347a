package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.Json;
import dev.tidemark.api.RequestContext;
import dev.tidemark.api.TableDescriptions;
import dev.tidemark.streams.StreamDescriptor;
import dev.tidemark.tables.Database;
import java.util.List;

/**
 * DynamoDB Streams DescribeStream. A stream has one shard: the change log is one ordered sequence,
 * so there is no partition split to mirror. The shard is open while the stream is enabled and
 * closed (with an EndingSequenceNumber) once it is disabled or its table deleted. A {@code
 * ShardFilter} of type CHILD_SHARDS asks for the shards a shard split into: none, here.
 */
public final class DescribeStream implements Action {
  private final Database db;

  public DescribeStream(Database db) {
    this.db = db;
  }

  @Override
  public String name() {
    return StreamActions.TARGET_PREFIX + "DescribeStream";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    String arn = Json.string(req, "StreamArn");
    Long limit = Json.integer(req, "Limit");
    String startShard = Json.string(req, "ExclusiveStartShardId");
    JsonNode filter = Json.objectField(req, "ShardFilter");
    Constraints constraints =
        new Constraints()
            .notNull(Json.field(req, "StreamArn"), "streamArn")
            .length(arn, "streamArn", 37, 1024)
            .range(limit, 1, 100, "limit")
            .length(startShard, "exclusiveStartShardId", 28, 65);
    if (filter != null) {
      // AWS's texts for a missing Type or ShardId are not confirmed; the constraint wording is the
      // one its validator uses for every other member.
      constraints
          .notNull(Json.field(filter, "Type"), "shardFilter.type")
          .oneOf(Json.string(filter, "Type"), "shardFilter.type", List.of("CHILD_SHARDS"))
          .notNull(Json.field(filter, "ShardId"), "shardFilter.shardId")
          .length(Json.string(filter, "ShardId"), "shardFilter.shardId", 28, 65);
    }
    constraints.check();
    StreamDescriptor s = StreamActions.require(db, arn);
    ObjectNode out = Json.object();
    ObjectNode d = out.putObject("StreamDescription");
    d.put("StreamArn", db.streams().arn(s));
    d.put("StreamLabel", s.label());
    d.put("StreamStatus", s.enabled() ? "ENABLED" : "DISABLED");
    d.put("StreamViewType", s.viewType());
    d.put("CreationRequestDateTime", Json.seconds(s.createdMillis()));
    d.put("TableName", s.tableName());
    d.set("KeySchema", TableDescriptions.keySchema(s.keySchema()));
    ArrayNode shards = d.putArray("Shards");
    if (filter != null) {
      // CHILD_SHARDS lists the shards a shard split into. Ours never splits (one shard holds the
      // whole ordered log), so every shard's children are none: an empty list, present.
      return out;
    }
    // Shard ids are listed in ascending order, so a start id sorting after ours excludes it.
    if (startShard == null || s.shardId().compareTo(startShard) > 0) {
      ObjectNode range =
          shards.addObject().put("ShardId", s.shardId()).putObject("SequenceNumberRange");
      long starting = StreamActions.trimHorizon(db, s);
      if (s.enabled()) {
        range.put("StartingSequenceNumber", StreamDescriptor.sequenceNumber(starting));
      } else {
        long ending = Math.max(s.startSeq(), s.end() - 1);
        range.put(
            "StartingSequenceNumber", StreamDescriptor.sequenceNumber(Math.min(starting, ending)));
        range.put("EndingSequenceNumber", StreamDescriptor.sequenceNumber(ending));
      }
    }
    return out;
  }
}
