package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.RequestContext;
import dev.tidemark.errors.DynamoException;

/** CreateGlobalTable (legacy 2017.11.29): refused as AWS refuses it today. */
public final class CreateGlobalTable implements Action {
  @Override
  public String name() {
    return "CreateGlobalTable";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    LegacyGlobalTables.name(req);
    throw DynamoException.validation(LegacyGlobalTables.NOT_SUPPORTED);
  }
}
