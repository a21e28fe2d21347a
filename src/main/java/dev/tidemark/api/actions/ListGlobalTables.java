package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.Json;
import dev.tidemark.api.RequestContext;

/**
 * ListGlobalTables (legacy 2017.11.29): always empty, as on AWS today. AWS answers a RegionName
 * that names no region with a 500; Tidemark answers it empty too, because no client input may make
 * this server answer 5xx (the hostile-input fuzz test holds it to that).
 */
public final class ListGlobalTables implements Action {
  @Override
  public String name() {
    return "ListGlobalTables";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    ObjectNode out = Json.object();
    out.putArray("GlobalTables");
    return out;
  }
}
