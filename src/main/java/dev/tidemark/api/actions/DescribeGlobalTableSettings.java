package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.RequestContext;

/** DescribeGlobalTableSettings (legacy 2017.11.29): no legacy global table exists. */
public final class DescribeGlobalTableSettings implements Action {
  @Override
  public String name() {
    return "DescribeGlobalTableSettings";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    throw LegacyGlobalTables.settingsNotFound(LegacyGlobalTables.name(req));
  }
}
