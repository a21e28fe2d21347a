package dev.tidemark.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.Operations;
import dev.tidemark.api.RequestContext;
import dev.tidemark.errors.DynamoException;
import java.util.function.BiFunction;

/** A tiny dispatch table standing in for the database. */
final class TestActions {
  private TestActions() {}

  static Operations operations() {
    return new Operations()
        .register(
            action(
                "Echo",
                (ctx, req) -> {
                  ObjectNode out = JsonNodeFactory.instance.objectNode();
                  out.set("Request", req);
                  out.put("RequestId", ctx.requestId());
                  out.put("AccessKeyId", ctx.caller().accessKeyId());
                  out.put("Signed", ctx.caller().signed());
                  return out;
                }))
        .register(
            inline(
                "EchoInline",
                (ctx, req) -> {
                  ObjectNode out = JsonNodeFactory.instance.objectNode();
                  out.set("Request", req);
                  return out;
                }))
        .register(
            action(
                "FailCondition",
                (ctx, req) -> {
                  ObjectNode extra = JsonNodeFactory.instance.objectNode();
                  extra.putObject("Item").putObject("pk").put("S", "a");
                  extra.put("message", "must not replace the real message");
                  throw DynamoException.conditionalCheckFailed(extra);
                }))
        .register(
            action(
                "Explode",
                (ctx, req) -> {
                  throw new IllegalStateException("secret internal detail");
                }))
        .register(
            action(
                "ListTables",
                (ctx, req) -> {
                  ObjectNode out = JsonNodeFactory.instance.objectNode();
                  out.putArray("TableNames");
                  return out;
                }))
        .register(
            action(
                "DynamoDBStreams_20120810.ListStreams",
                (ctx, req) -> {
                  ObjectNode out = JsonNodeFactory.instance.objectNode();
                  out.putArray("Streams");
                  return out;
                }));
  }

  /** An action that declares it never waits, so the handler may run it on the selector thread. */
  static Action inline(String name, BiFunction<RequestContext, JsonNode, ObjectNode> body) {
    Action plain = action(name, body);
    return new Action() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public ObjectNode execute(RequestContext context, JsonNode request) {
        return plain.execute(context, request);
      }

      @Override
      public boolean mayWait() {
        return false;
      }
    };
  }

  static Action action(String name, BiFunction<RequestContext, JsonNode, ObjectNode> body) {
    return new Action() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public ObjectNode execute(RequestContext context, JsonNode request) {
        return body.apply(context, request);
      }
    };
  }
}
