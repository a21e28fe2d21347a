package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.RequestContext;

/** DescribeGlobalTable (legacy 2017.11.29): no legacy global table exists. */
public final class DescribeGlobalTable implements Action {
  @Override
  public String name() {
    return "DescribeGlobalTable";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    throw LegacyGlobalTables.notFound(LegacyGlobalTables.name(req));
  }
}
