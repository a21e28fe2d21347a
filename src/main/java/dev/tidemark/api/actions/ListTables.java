package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.Json;
import dev.tidemark.api.RequestContext;
import dev.tidemark.tables.Database;
import java.util.List;

/** ListTables, paged by name with ExclusiveStartTableName and Limit (1 to 100). */
public final class ListTables implements Action {
  private final Database db;

  public ListTables(Database db) {
    this.db = db;
  }

  @Override
  public boolean mayWait() {
    return false;
  }

  @Override
  public String name() {
    return "ListTables";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    String start = Json.string(req, "ExclusiveStartTableName");
    Long limit = Json.integer(req, "Limit");
    new Constraints().name(start, "exclusiveStartTableName").range(limit, 1, 100, "limit").check();
    int max = limit == null ? 100 : limit.intValue();
    List<String> names = db.catalog().names();
    ObjectNode out = Json.object();
    ArrayNode array = out.putArray("TableNames");
    String last = null;
    int i = 0;
    if (start != null) {
      while (i < names.size() && names.get(i).compareTo(start) <= 0) {
        i++;
      }
    }
    for (; i < names.size() && array.size() < max; i++) {
      array.add(names.get(i));
      last = names.get(i);
    }
    if (i < names.size() && last != null) {
      out.put("LastEvaluatedTableName", last);
    }
    return out;
  }
}
