package dev.tidemark.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.expressions.DocumentPath;
import dev.tidemark.expressions.Projection;
import dev.tidemark.model.AttributeJson;
import dev.tidemark.model.AttributeValue;
import java.util.List;
import java.util.Map;

/** The ReturnValues parameter of write actions and the {@code Attributes} it puts in responses. */
public enum ReturnValues {
  NONE,
  ALL_OLD,
  UPDATED_OLD,
  ALL_NEW,
  UPDATED_NEW;

  /** Reads ReturnValues; {@code allowed} lists the values the action accepts. */
  public static ReturnValues read(JsonNode req, List<ReturnValues> allowed) {
    String v = Json.string(req, "ReturnValues");
    new Constraints()
        .oneOf(
            v, "returnValues", List.of("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"))
        .check();
    if (v == null) {
      return NONE;
    }
    ReturnValues r = valueOf(v);
    if (!allowed.contains(r)) {
      throw DynamoException.validation("Return values set to invalid value");
    }
    return r;
  }

  /** Adds {@code Attributes} to the response when there is something to return. */
  public void render(
      ObjectNode out,
      Map<String, AttributeValue> oldItem,
      Map<String, AttributeValue> newItem,
      List<DocumentPath> updatedPaths) {
    Map<String, AttributeValue> attrs =
        switch (this) {
          case NONE -> null;
          case ALL_OLD -> oldItem;
          case ALL_NEW -> newItem;
          case UPDATED_OLD ->
              oldItem == null ? null : Projection.ofPaths(updatedPaths).apply(oldItem);
          case UPDATED_NEW ->
              newItem == null ? null : Projection.ofPaths(updatedPaths).apply(newItem);
        };
    if (attrs != null && !attrs.isEmpty()) {
      out.set("Attributes", AttributeJson.writeMap(attrs));
    }
  }
}
