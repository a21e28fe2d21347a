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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** UntagResource: removes tags by key; removing a key the table does not have is not an error. */
public final class UntagResource implements Action {
  private final Database db;

  public UntagResource(Database db) {
    this.db = db;
  }

  @Override
  public String name() {
    return "UntagResource";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    String arn = Json.string(req, "ResourceArn");
    JsonNode keysNode = Json.array(req, "TagKeys");
    if (arn == null) {
      throw DynamoException.validation("Invalid TableArn");
    }
    Constraints c =
        new Constraints().notNull(keysNode, "tagKeys").length(arn, "resourceArn", 1, 1283);
    List<String> keys = new ArrayList<>();
    if (keysNode != null) {
      int i = 0;
      for (JsonNode k : keysNode) {
        i++;
        if (!k.isTextual()) {
          throw DynamoException.serialization(
              "Unexpected value type for 'TagKeys': expected a list of strings");
        }
        c.length(k.textValue(), "tagKeys." + i + ".member", 1, 128);
        keys.add(k.textValue());
      }
    }
    c.check();
    TagRules.checkArn(arn);
    TagRules.checkNotReserved(keys);
    synchronized (db.catalog()) {
      Table t = TagRules.requireTable(db, arn);
      Map<String, String> remaining = new LinkedHashMap<>(db.catalog().tags(t));
      if (remaining.keySet().removeAll(keys)) {
        db.catalog().tags(t, remaining);
      }
    }
    return Json.object();
  }
}
