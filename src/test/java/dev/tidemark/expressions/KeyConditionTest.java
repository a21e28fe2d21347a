package dev.tidemark.expressions;

import static dev.tidemark.expressions.T.json;
import static dev.tidemark.expressions.T.validation;
import static dev.tidemark.expressions.T.value;
import static dev.tidemark.expressions.T.values;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeyConditionTest {
  private static final String VALUES = "{':a':{S:'a'}, ':b':{S:'b'}, ':n':{N:'1'}}";

  private static ParsedKeyCondition parse(String expr) {
    return Expressions.parseKeyCondition(expr, values(VALUES));
  }

  // Protects splitting hash equality from the range condition once the schema is known.
  @Test
  void resolvesHashAndRange() {
    KeyCondition k = parse("b BETWEEN :a AND :b AND h = :n").resolve("h", "b");
    assertThat(k.hashValue()).isEqualTo(value("{N:'1'}"));
    assertThat(k.range())
        .isEqualTo(
            new RangeCondition("b", RangeCondition.Op.BETWEEN, value("{S:'a'}"), value("{S:'b'}")));
    assertThat(parse("h = :n").resolve("h", null).range()).isNull();
  }

  // Protects "value op key" being read as the flipped comparison.
  @Test
  void flipsReversedComparison() {
    KeyCondition k = parse("h = :n AND :a < r").resolve("h", "r");
    assertThat(k.range().op()).isEqualTo(RangeCondition.Op.GT);
    assertThat(k.range().matches(value("{S:'b'}"))).isTrue();
    assertThat(k.range().matches(value("{S:'a'}"))).isFalse();
  }

  // Protects begins_with as a range condition and RangeCondition.matches.
  @Test
  void beginsWith() {
    KeyCondition k = parse("h = :n and begins_with(r, :a)").resolve("h", "r");
    assertThat(k.range().op()).isEqualTo(RangeCondition.Op.BEGINS_WITH);
    assertThat(k.range().matches(value("{S:'abc'}"))).isTrue();
    assertThat(k.range().matches(value("{S:'bcd'}"))).isFalse();
  }

  // Protects the schema-time errors.
  @Test
  void schemaErrors() {
    validation(
        () -> parse("r = :a").resolve("h", "r"), "Query condition missed key schema element: h");
    validation(() -> parse("h > :a").resolve("h", null), "Query key condition not supported");
    validation(
        () -> parse("h = :a AND z = :b").resolve("h", "r"),
        "Query condition missed key schema element: r");
  }

  // Protects the operators DynamoDB refuses in key conditions.
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "a > :a and size(b) > :a or a > :b|OR",
        "a in (:a, :b)|IN",
        "attribute_exists(a)|attribute_exists",
        "contains(a.d, :a)|contains",
        "not a > :a|NOT",
        "a <> :a|<>",
      })
  void invalidOperators(String expr, String op) {
    validation(() -> parse(expr), "Invalid operator used in KeyConditionExpression: " + op);
  }

  // Protects the structural key-condition messages.
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "size(b) > :a AND a = :a|KeyConditionExpressions cannot contain nested operations",
        "a.d > :a|KeyConditionExpressions cannot have conditions on nested attributes",
        "b > a.b|Invalid condition in KeyConditionExpression: Multiple attribute names used in"
            + " one condition",
        ":b > :a AND a < :b|Invalid condition in KeyConditionExpression: No key attribute"
            + " specified",
        "begins_with(:a, b) and a > :b|Invalid condition in KeyConditionExpression: begins_with"
            + " operator must have the key attribute as its first operand",
        "b > :a AND b < :b|KeyConditionExpressions must only contain one condition per key",
      })
  void structuralErrors(String expr, String message) {
    validation(() -> parse(expr), message);
  }

  // Protects the resolution against a multi-attribute key: hash values and the equality prefix
  // in KeySchema order whatever the written order, and the last range condition kept whole.
  @Test
  void resolvesMultiAttributeKeys() {
    KeyCondition k =
        parse("b < :b AND h = :n AND a = :a AND g = :a")
            .resolve(java.util.List.of("g", "h"), java.util.List.of("a", "b", "c"));
    assertThat(k.hashValues()).containsExactly(value("{S:'a'}"), value("{N:'1'}"));
    assertThat(k.rangePrefix()).containsExactly(value("{S:'a'}"));
    assertThat(k.range())
        .isEqualTo(new RangeCondition("b", RangeCondition.Op.LT, value("{S:'b'}"), null));
    KeyCondition hashOnly =
        parse("h = :n AND g = :a").resolve(java.util.List.of("g", "h"), java.util.List.of("a"));
    assertThat(hashOnly.range()).isNull();
    assertThat(hashOnly.rangePrefix()).isEmpty();
  }

  // Protects the limit of one or two conditions for a key of one hash and one range attribute:
  // it is checked against the schema, since a multi-attribute index key allows up to eight.
  @Test
  void moreThanTwoConditionsNeedAMultiAttributeKey() {
    validation(
        () -> parse(":a = a and b = :a and :a = c").resolve("a", "b"),
        "Conditions can be of length 1 or 2 only");
  }

  // Protects that general condition checks still apply, with the KeyConditionExpression prefix.
  @Test
  void generalChecksPrefixed() {
    validation(
        () -> parse("a > 4"),
        "Invalid KeyConditionExpression: Syntax error; token: \"4\", near: \"> 4\"");
    validation(
        () -> parse("a between :b and :a"),
        "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater"
            + " than or equal to lower bound; lower bound operand: AttributeValue: {S:b}, upper"
            + " bound operand: AttributeValue: {S:a}");
  }

  // Protects legacy KeyConditions, its validations, and resolution like expressions.
  @Test
  void legacyKeyConditions() {
    KeyCondition k =
        Expressions.fromKeyConditions(
                json(
                    "{h:{ComparisonOperator:'EQ', AttributeValueList:[{S:'x'}]},"
                        + " r:{ComparisonOperator:'GE', AttributeValueList:[{N:'3'}]}}"))
            .resolve("h", "r");
    assertThat(k.hashValue()).isEqualTo(value("{S:'x'}"));
    assertThat(k.range().op()).isEqualTo(RangeCondition.Op.GE);
    validation(
        () -> Expressions.fromKeyConditions(json("{}")), "Conditions can be of length 1 or 2 only");
    validation(
        () ->
            Expressions.fromKeyConditions(
                json("{h:{ComparisonOperator:'BETWEEN', AttributeValueList:[{S:'b'},{S:'a'}]}}")),
        "The BETWEEN condition was provided a range where the lower bound is greater than the"
            + " upper bound");
    validation(
        () ->
            Expressions.fromKeyConditions(
                json("{h:{ComparisonOperator:'EQ', AttributeValueList:[]}}")),
        "One or more parameter values were invalid: Invalid number of argument(s) for the EQ"
            + " ComparisonOperator");
  }
}
