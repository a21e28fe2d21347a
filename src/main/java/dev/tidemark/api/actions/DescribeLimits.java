package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.Json;
import dev.tidemark.api.RequestContext;

/**
 * DescribeLimits: DynamoDB's default provisioned-capacity quotas per account and per table.
 * Tidemark does not throttle by them; tools (the AWS console, capacity planners) read them to
 * validate settings, and these are the values they expect.
 */
public final class DescribeLimits implements Action {
  static final long ACCOUNT_MAX_CAPACITY_UNITS = 80_000;
  static final long TABLE_MAX_CAPACITY_UNITS = 40_000;

  @Override
  public String name() {
    return "DescribeLimits";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    return Json.object()
        .put("AccountMaxReadCapacityUnits", ACCOUNT_MAX_CAPACITY_UNITS)
        .put("AccountMaxWriteCapacityUnits", ACCOUNT_MAX_CAPACITY_UNITS)
        .put("TableMaxReadCapacityUnits", TABLE_MAX_CAPACITY_UNITS)
        .put("TableMaxWriteCapacityUnits", TABLE_MAX_CAPACITY_UNITS);
  }
}
