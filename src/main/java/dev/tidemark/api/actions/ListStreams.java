package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.Json;
import dev.tidemark.api.RequestContext;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.streams.StreamCatalog;
import dev.tidemark.streams.StreamDescriptor;
import dev.tidemark.tables.Database;
import java.util.List;

/**
 * DynamoDB Streams ListStreams: enabled and disabled streams still within retention, including
 * those of deleted tables, by table name and then creation time.
 */
public final class ListStreams implements Action {
  private static final int MAX_LIMIT = 100;
  private final Database db;

  public ListStreams(Database db) {
    this.db = db;
  }

  @Override
  public String name() {
    return StreamActions.TARGET_PREFIX + "ListStreams";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    String tableName = Json.string(req, "TableName");
    Long limit = Json.integer(req, "Limit");
    String start = Json.string(req, "ExclusiveStartStreamArn");
    new Constraints()
        .name(tableName, "tableName")
        .range(limit, 1, MAX_LIMIT, "limit")
        .length(start, "exclusiveStartStreamArn", 37, 1024)
        .check();
    StreamCatalog.Address after = null;
    if (start != null) {
      after =
          StreamCatalog.parseArn(start)
              .orElseThrow(() -> DynamoException.validation("Invalid StreamArn"));
    }
    int n = limit == null ? MAX_LIMIT : limit.intValue();
    List<StreamDescriptor> page = db.streams().list(tableName, after, n + 1);
    ObjectNode out = Json.object();
    ArrayNode streams = out.putArray("Streams");
    for (StreamDescriptor s : page.subList(0, Math.min(n, page.size()))) {
      streams
          .addObject()
          .put("StreamArn", db.streams().arn(s))
          .put("TableName", s.tableName())
          .put("StreamLabel", s.label());
    }
    if (page.size() > n) {
      out.put("LastEvaluatedStreamArn", db.streams().arn(page.get(n - 1)));
    }
    return out;
  }
}
