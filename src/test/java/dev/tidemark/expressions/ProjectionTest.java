package dev.tidemark.expressions;

import static dev.tidemark.expressions.T.ctx;
import static dev.tidemark.expressions.T.item;
import static dev.tidemark.expressions.T.json;
import static dev.tidemark.expressions.T.validation;
import static dev.tidemark.expressions.T.wire;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.model.AttributeValue;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProjectionTest {
  private static final Map<String, AttributeValue> ITEM =
      item(
          "{id:{S:'1'}, a:{M:{b:{L:[{N:'0'},{N:'1'},{N:'2'}]}, c:{S:'c'}}}, x:{S:'x'},"
              + " l:{L:[{M:{p:{S:'p0'},q:{S:'q0'}}},{M:{p:{S:'p1'}}}]}}");

  // Protects top-level selection and silently skipping missing attributes.
  @Test
  void topLevel() {
    Projection p = Expressions.parseProjection("id, x, nothere", ExpressionContext.empty());
    assertThat(wire(p.apply(ITEM))).isEqualTo("{\"id\":{\"S\":\"1\"},\"x\":{\"S\":\"x\"}}");
  }

  // Protects DynamoDB's shape for nested paths and list indexes (compacted, in index order).
  @Test
  void nestedShape() {
    Projection p =
        Expressions.parseProjection("a.b[2], a.b[0], l[1].p, l[0].q", ExpressionContext.empty());
    assertThat(wire(p.apply(ITEM)))
        .isEqualTo(
            "{\"a\":{\"M\":{\"b\":{\"L\":[{\"N\":\"0\"},{\"N\":\"2\"}]}}},"
                + "\"l\":{\"L\":[{\"M\":{\"q\":{\"S\":\"q0\"}}},{\"M\":{\"p\":{\"S\":\"p1\"}}}]}}");
  }

  // Protects #name substitution and the overlap check in projections.
  @Test
  void placeholdersAndOverlap() {
    ExpressionContext c = ctx("{'#a':'a'}", null);
    assertThat(wire(Expressions.parseProjection("#a.c", c).apply(ITEM)))
        .isEqualTo("{\"a\":{\"M\":{\"c\":{\"S\":\"c\"}}}}");
    validation(
        () -> Expressions.parseProjection("a, a.b", ExpressionContext.empty()),
        "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or"
            + " rewrite one of these paths; path one: [a], path two: [a, b]");
    validation(
        () -> Expressions.parseProjection("a,", ExpressionContext.empty()),
        "Invalid ProjectionExpression: Syntax error; token: \"<EOF>\", near: \",\"");
    validation(
        () -> Expressions.parseProjection("name", ExpressionContext.empty()),
        "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword:"
            + " name");
  }

  // Protects ofPaths merging overlapping paths, as used for UPDATED_NEW/UPDATED_OLD.
  @Test
  void ofPathsMerges() {
    Projection p = Projection.ofPaths(List.of(DocumentPath.of("a", "c"), DocumentPath.of("a")));
    assertThat(p.apply(ITEM).get("a")).isEqualTo(ITEM.get("a"));
  }

  // Protects legacy AttributesToGet, including the duplicate-name message.
  @Test
  void attributesToGet() {
    assertThat(wire(Expressions.fromAttributesToGet(json("['x','id']")).apply(ITEM)))
        .isEqualTo("{\"x\":{\"S\":\"x\"},\"id\":{\"S\":\"1\"}}");
    validation(
        () -> Expressions.fromAttributesToGet(json("['a','a']")),
        "One or more parameter values were invalid: Duplicate value in attribute name: a");
  }
}
