package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.Json;
import dev.tidemark.api.RequestContext;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.Table;
import java.util.LinkedHashMap;
import java.util.Map;

/** TagResource: adds tags to a table, replacing the values of keys it already has. */
public final class TagResource implements Action {
  private final Database db;

  public TagResource(Database db) {
    this.db = db;
  }

  @Override
  public String name() {
    return "TagResource";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    String arn = Json.string(req, "ResourceArn");
    JsonNode tagsNode = Json.array(req, "Tags");
    if (arn == null) {
      throw DynamoException.validation("Invalid TableArn");
    }
    Constraints c = new Constraints().notNull(tagsNode, "tags").length(arn, "resourceArn", 1, 1283);
    Map<String, String> tags = TagRules.read(tagsNode, c);
    c.check();
    TagRules.checkArn(arn);
    if (tags.isEmpty()) {
      // DynamoDB's spelling.
      throw DynamoException.validation("Atleast one Tag needs to be provided as Input.");
    }
    TagRules.checkNotReserved(tags.keySet());
    synchronized (db.catalog()) {
      Table t = TagRules.requireTable(db, arn);
      Map<String, String> merged = new LinkedHashMap<>(db.catalog().tags(t));
      merged.putAll(tags);
      TagRules.checkCount(merged.size());
      db.catalog().tags(t, merged);
    }
    return Json.object();
  }
}
