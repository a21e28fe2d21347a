package dev.tidemark.expressions;

import static dev.tidemark.expressions.T.ctx;
import static dev.tidemark.expressions.T.validation;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ExpressionContextTest {

  // Protects the unused-names message, listing keys in the order given.
  @Test
  void unusedNames() {
    ExpressionContext c = ctx("{'#a':'a', '#b':'b', '#c':'c'}", "{':v':{S:'v'}}");
    Expressions.parseCondition("#c = :v", c, "ConditionExpression");
    validation(
        c::checkAllUsed,
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a, #b}");
  }

  // Protects the unused-values message and that use is counted across expressions.
  @Test
  void unusedValuesAcrossExpressions() {
    ExpressionContext c = ctx(null, "{':a':{S:'a'}, ':b':{S:'b'}, ':c':{S:'c'}}");
    Expressions.parseUpdate("SET x = :a", c);
    Expressions.parseCondition("y = :b", c, "ConditionExpression");
    validation(
        c::checkAllUsed,
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:c}");
  }

  // Protects the key-syntax checks on the placeholder maps.
  @Test
  void invalidKeys() {
    validation(
        () -> new ExpressionContext(Map.of("a", "a"), null),
        "ExpressionAttributeNames contains invalid key: Syntax error; key: \"a\"");
    validation(
        () -> new ExpressionContext(null, Map.of("b", dev.tidemark.model.AttributeValue.s("x"))),
        "ExpressionAttributeValues contains invalid key: Syntax error; key: \"b\"");
  }

  // Protects the reserved-word list being DynamoDB's full published list.
  @Test
  void reservedWordCount() {
    org.assertj.core.api.Assertions.assertThat(ReservedWords.size()).isEqualTo(573);
    org.assertj.core.api.Assertions.assertThat(ReservedWords.isReserved("Zone")).isTrue();
    org.assertj.core.api.Assertions.assertThat(ReservedWords.isReserved("zones")).isFalse();
  }
}
