package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.Json;
import dev.tidemark.api.RequestContext;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;

/**
 * ListGlobalTables (legacy 2017.11.29): always empty; a RegionName that is no region name fails as
 * on AWS (500).
 */
public final class ListGlobalTables implements Action {
  @Override
  public String name() {
    return "ListGlobalTables";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    String region = Json.string(req, "RegionName");
    if (region != null && !region.matches("[a-z]{2}(-[a-z]+)+-[0-9]+")) {
      throw new DynamoException(
          WireError.INTERNAL_SERVER_ERROR, "The server encountered an internal error.");
    }
    ObjectNode out = Json.object();
    out.putArray("GlobalTables");
    return out;
  }
}
