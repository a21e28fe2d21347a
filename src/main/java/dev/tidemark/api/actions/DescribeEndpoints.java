package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.Json;
import dev.tidemark.api.RequestContext;

/**
 * DescribeEndpoints: endpoint discovery, answered with this server as the client addressed it, so
 * that an SDK with discovery switched on keeps talking to Tidemark (behind a proxy, to the proxy).
 * 1440 minutes is the cache period DynamoDB itself answers.
 */
public final class DescribeEndpoints implements Action {
  @Override
  public String name() {
    return "DescribeEndpoints";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    if (context.addressedTo() == null) {
      // The HTTP layer always knows where a request was sent; only a direct call can lack it.
      throw new IllegalStateException("DescribeEndpoints needs the address the client used");
    }
    ObjectNode out = Json.object();
    out.putArray("Endpoints")
        .addObject()
        .put("Address", context.addressedTo())
        .put("CachePeriodInMinutes", 1440);
    return out;
  }
}
