package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.Json;
import dev.tidemark.api.RequestContext;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.tables.Database;
import java.util.Map;

/**
 * ListTagsOfResource. A table has at most 50 tags, so one page always holds them all and no
 * NextToken is ever handed out.
 */
public final class ListTagsOfResource implements Action {
  private final Database db;

  public ListTagsOfResource(Database db) {
    this.db = db;
  }

  @Override
  public String name() {
    return "ListTagsOfResource";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    String arn = Json.string(req, "ResourceArn");
    // Type-checked only: no NextToken is ever issued, so every listing starts at the first tag.
    Json.string(req, "NextToken");
    if (arn == null) {
      throw DynamoException.validation("Invalid TableArn");
    }
    Map<String, String> tags = db.catalog().tags(TagRules.requireTable(db, arn));
    ObjectNode out = Json.object();
    ArrayNode list = out.putArray("Tags");
    tags.forEach((k, v) -> list.addObject().put("Key", k).put("Value", v));
    return out;
  }
}
