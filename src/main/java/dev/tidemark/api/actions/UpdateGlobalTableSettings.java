package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.RequestContext;

/** UpdateGlobalTableSettings (legacy 2017.11.29): no legacy global table exists. */
public final class UpdateGlobalTableSettings implements Action {
  @Override
  public String name() {
    return "UpdateGlobalTableSettings";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    throw LegacyGlobalTables.settingsNotFound(LegacyGlobalTables.name(req));
  }
}
