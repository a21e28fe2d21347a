package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.Json;
import dev.tidemark.api.RequestContext;
import dev.tidemark.changelog.ChangeRecord;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.model.AttributeJson;
import dev.tidemark.model.ItemSize;
import dev.tidemark.streams.ShardIterators;
import dev.tidemark.streams.StreamCatalog;
import dev.tidemark.streams.StreamDescriptor;
import dev.tidemark.tables.Database;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * DynamoDB Streams GetRecords: reads the stream's window of the table's change log from the
 * iterator's position, in commit order, and renders each change record as a stream record. Nothing
 * is copied into a separate stream store; the change log is the stream.
 */
public final class GetRecords implements Action {
  /** DynamoDB Streams iterators expire 15 minutes after they are handed out. */
  public static final long ITERATOR_LIFETIME_MILLIS = 15 * 60 * 1000;

  private static final int MAX_LIMIT = 1000;
  // "GetRecords can retrieve a maximum of 1 MB of data or 1000 stream records".
  private static final long MAX_BYTES = 1024 * 1024;

  private final Database db;
  private final ShardIterators iterators;

  public GetRecords(Database db, ShardIterators iterators) {
    this.db = db;
    this.iterators = iterators;
  }

  @Override
  public String name() {
    return StreamActions.TARGET_PREFIX + "GetRecords";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    String iterator = Json.string(req, "ShardIterator");
    Long limit = Json.integer(req, "Limit");
    new Constraints()
        .notNull(Json.field(req, "ShardIterator"), "shardIterator")
        .length(iterator, "shardIterator", 1, 2048)
        .range(limit, 1, MAX_LIMIT, "limit")
        .check();
    ShardIterators.Position p = iterators.decode(iterator);
    long now = db.now();
    if (now - p.issuedMillis() > ITERATOR_LIFETIME_MILLIS) {
      throw WireError.EXPIRED_ITERATOR.exception(
          "The provided iterator exceeds the maximum age allowed.");
    }
    StreamDescriptor s =
        StreamCatalog.parseArn(p.streamArn())
            .flatMap(a -> db.streams().find(a))
            .filter(x -> x.tableId() == p.tableId() && x.createdMillis() == p.streamCreatedMillis())
            .orElseThrow(
                () ->
                    DynamoException.resourceNotFound(
                        "Requested resource not found: Stream: " + p.streamArn() + " not found"));

    // Everything up to the applied sequence number is visible to the read that follows.
    long to = Math.min(s.end(), db.writePath().appliedSeq() + 1);
    int max = limit == null ? MAX_LIMIT : limit.intValue();
    List<ChangeRecord> read =
        p.seq() < to ? db.changeLog().read(s.tableId(), p.seq(), to, max) : List.of();
    // Checked after reading: a trim racing with the read is seen here, so no gap goes unnoticed.
    if (p.seq() < db.changeLog().trimmedBefore(s.tableId())) {
      throw WireError.TRIMMED_DATA_ACCESS.exception(GetShardIterator.TRIMMED);
    }

    ObjectNode out = Json.object();
    ArrayNode records = out.putArray("Records");
    long bytes = 0;
    long next = p.seq();
    for (ChangeRecord r : read) {
      ObjectNode record = render(r, s);
      long size = record.path("dynamodb").path("SizeBytes").longValue();
      if (!records.isEmpty() && bytes + size > MAX_BYTES) {
        break;
      }
      records.add(record);
      bytes += size;
      next = r.seq() + 1;
    }
    if (records.size() == read.size() && read.size() < max) {
      // The whole window up to `to` was read; positions in between hold other tables' records.
      next = Math.max(next, to);
    }
    // A closed shard read to its end has no next iterator: that is how readers learn it is done.
    if (s.enabled() || next < s.end()) {
      out.put(
          "NextShardIterator",
          iterators.encode(
              new ShardIterators.Position(
                  p.streamArn(), p.tableId(), p.streamCreatedMillis(), next, now)));
    }
    return out;
  }

  private ObjectNode render(ChangeRecord r, StreamDescriptor s) {
    ObjectNode record = Json.object();
    record.put("eventID", eventId(r));
    record.put("eventName", r.eventName());
    record.put("eventVersion", "1.1");
    record.put("eventSource", "aws:dynamodb");
    record.put("awsRegion", db.region());
    ObjectNode d = record.putObject("dynamodb");
    // DynamoDB rounds the creation time down to the second.
    d.put("ApproximateCreationDateTime", r.commitTimeMillis() / 1000);
    d.set("Keys", AttributeJson.writeMap(r.key()));
    long size = ItemSize.of(r.key());
    String view = s.viewType();
    if ((view.equals("NEW_IMAGE") || view.equals("NEW_AND_OLD_IMAGES")) && r.newImage() != null) {
      d.set("NewImage", AttributeJson.writeMap(r.newImage()));
      size += ItemSize.of(r.newImage());
    }
    if ((view.equals("OLD_IMAGE") || view.equals("NEW_AND_OLD_IMAGES")) && r.oldImage() != null) {
      d.set("OldImage", AttributeJson.writeMap(r.oldImage()));
      size += ItemSize.of(r.oldImage());
    }
    d.put("SequenceNumber", StreamDescriptor.sequenceNumber(r.seq()));
    d.put("SizeBytes", size);
    d.put("StreamViewType", view);
    if (r.origin() == ChangeRecord.Origin.TTL_EXPIRY) {
      // How DynamoDB marks deletions made by its TTL process rather than by a client.
      record
          .putObject("userIdentity")
          .put("Type", "Service")
          .put("PrincipalId", "dynamodb.amazonaws.com");
    }
    return record;
  }

  /** Stable per record, so that a record read twice has the same id, as on DynamoDB. */
  private static String eventId(ChangeRecord r) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(ByteBuffer.allocate(16).putLong(r.tableId()).putLong(r.seq()).array());
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
