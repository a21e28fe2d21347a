package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.Json;
import dev.tidemark.api.RequestContext;
import dev.tidemark.errors.DynamoException;

/**
 * UpdateGlobalTable (legacy 2017.11.29): adding a region is refused as CreateGlobalTable is; no
 * legacy global table exists to remove one from.
 */
public final class UpdateGlobalTable implements Action {
  @Override
  public String name() {
    return "UpdateGlobalTable";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    String name = LegacyGlobalTables.name(req);
    JsonNode updates = Json.field(req, "ReplicaUpdates");
    if (updates == null || !updates.isArray() || updates.isEmpty()) {
      throw DynamoException.validation("One or more parameter values were invalid");
    }
    for (JsonNode u : updates) {
      if (u.has("Create")) {
        throw DynamoException.validation(LegacyGlobalTables.NOT_SUPPORTED);
      }
    }
    throw LegacyGlobalTables.notFound(name);
  }
}
