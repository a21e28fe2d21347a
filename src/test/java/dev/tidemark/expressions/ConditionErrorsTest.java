package dev.tidemark.expressions;

import static dev.tidemark.expressions.T.ctx;
import static dev.tidemark.expressions.T.validation;
import static dev.tidemark.expressions.T.values;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConditionErrorsTest {

  private static void filterFails(String expr, ExpressionContext ctx, String message) {
    validation(
        () -> Expressions.parseCondition(expr, ctx, "FilterExpression"),
        "Invalid FilterExpression: " + message);
  }

  private static void filterFails(String expr, String message) {
    filterFails(expr, ExpressionContext.empty(), message);
  }

  // Protects the empty-expression message.
  @Test
  void empty() {
    validation(
        () -> Expressions.parseCondition("", ExpressionContext.empty(), "ConditionExpression"),
        "Invalid ConditionExpression: The expression can not be empty;");
    filterFails("   ", "The expression can not be empty;");
  }

  // Protects the syntax-error token and near-text window, mid-text and at end of input.
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "things are not gonna be ok|are|things are not",
        "a > 4|4|> 4",
        "a = :v AND|<EOF>|AND",
        "a|<EOF>|a",
        "'a = '|<EOF>|'= '",
        "!!|!|!!",
        "attribute_exists(Pictures-RearView)|-|Pictures-RearView",
        "a in (b,c,)|)|,)",
        "size(a).b > a|.|).b",
        "a > between|between|> between",
        "b[:a] > a|:a|[:a]",
        "ü > a|ü|ü >",
        "a.:a < b|:a|.:a <",
      })
  void syntaxErrors(String expr, String token, String near) {
    filterFails(expr, "Syntax error; token: \"" + token + "\", near: \"" + near + "\"");
  }

  // Protects the 4 KB limit, measured in UTF-8 bytes of the raw text.
  @Test
  void expressionSize() {
    String big = "a = :v OR ".repeat(409) + "a = :v   "; // 4090 + 9 = 4099 bytes
    filterFails(
        big, "Expression size has exceeded the maximum allowed size; expression size: 4099");
  }

  // Protects doubled parentheses being refused.
  @Test
  void redundantParentheses() {
    filterFails("a=a and a > ((views))", "The expression has redundant parentheses;");
    filterFails("a=a AND ((a=a AND a=a)) AND a=a", "The expression has redundant parentheses;");
  }

  // Protects unknown and wrongly-cased function names.
  @Test
  void invalidFunctionName() {
    filterFails("a=a and whatever((:things)) > a", "Invalid function name; function: whatever");
    filterFails(
        "attRIbute_exIsts((views), #a)", "Invalid function name; function: attRIbute_exIsts");
  }

  // Protects condition functions used as operands, and size() used as a condition.
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "a=a and attribute_exists((views), (#a)) > b|attribute_exists",
        "size(things)|size",
        "size(contains(a, b)) > a|contains",
        "a in (b, attribute_exists(things))|attribute_exists",
      })
  void functionMisuse(String expr, String function) {
    filterFails(
        expr,
        "The function is not allowed to be used this way in an expression; function: " + function);
  }

  // Protects reserved words as bare names, keeping the case the user wrote.
  @Test
  void reservedWords() {
    filterFails(":a < abOrT", "Attribute name is a reserved keyword; reserved keyword: abOrT");
    filterFails(
        "attribute_exists(views, #a)",
        "Attribute name is a reserved keyword; reserved keyword: views");
    filterFails("a.size > :v", "Attribute name is a reserved keyword; reserved keyword: size");
  }

  // Protects undefined placeholders, reported in source order whichever kind comes first.
  @Test
  void undefinedPlaceholders() {
    filterFails(
        "#4g > a",
        "An expression attribute name used in the document path is not defined; attribute name: #4g");
    filterFails(
        "begins_with(:hello, #a)",
        "An expression attribute value used in expression is not defined; attribute value: :hello");
    validation(
        () -> Expressions.parseCondition("#a = :v", ctx("{'#a':'a'}", null), "ConditionExpression"),
        "Invalid ConditionExpression: An expression attribute value used in expression is not"
            + " defined; attribute value: :v");
  }

  // Protects arity messages.
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "attribute_exists(things, a) and a=a|attribute_exists|2",
        "attribute_type(things)|attribute_type|1",
        "begins_with(things, size(a), b)|begins_with|3",
        "contains(things)|contains|1",
        "size(things, a) > b|size|2",
      })
  void arity(String expr, String function, int n) {
    filterFails(
        expr,
        "Incorrect number of operands for operator or function; operator or function: "
            + function
            + ", number of operands: "
            + n);
  }

  // Protects operand type checks on literal operands of functions.
  @Test
  void operandTypes() {
    ExpressionContext n = values("{':a':{N:'1'}}");
    filterFails(
        "attribute_type(a, :a)",
        n,
        "Incorrect operand type for operator or function; operator or function: attribute_type,"
            + " operand type: N");
    filterFails(
        "begins_with(a, :a)",
        values("{':a':{N:'1'}}"),
        "Incorrect operand type for operator or function; operator or function: begins_with,"
            + " operand type: N");
    filterFails(
        "size(size(a)) > :a",
        values("{':a':{N:'1'}}"),
        "Incorrect operand type for operator or function; operator or function: size, operand"
            + " type: N");
    filterFails(
        "a < :a",
        values("{':a':{SS:['x']}}"),
        "Incorrect operand type for operator or function; operator or function: <, operand type:"
            + " SS");
  }

  // Protects attribute_type's type-name check.
  @Test
  void attributeTypeName() {
    filterFails(
        "attribute_type(a, :a)",
        values("{':a':{S:'1'}}"),
        "Invalid attribute type name found; type: 1, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
  }

  // Protects functions that need a path rather than a value.
  @Test
  void documentPathRequired() {
    filterFails(
        "attribute_exists(:a) and a=:a",
        values("{':a':{S:'1'}}"),
        "Operator or function requires a document path; operator or function: attribute_exists");
  }

  // Protects the rule that an operator's first operand differs from the others.
  @Test
  void distinctOperands() {
    filterFails(
        "#a <> a",
        ctx("{'#a':'a'}", null),
        "The first operand must be distinct from the remaining operands for this operator or"
            + " function; operator: <>, first operand: [a]");
    filterFails(
        "contains(ab.bc[1].a, ab.bc[1].a)",
        "The first operand must be distinct from the remaining operands for this operator or"
            + " function; operator: contains, first operand: [ab, bc, [1], a]");
  }

  // Protects BETWEEN bound checks on literal bounds.
  @Test
  void betweenBounds() {
    filterFails(
        "a between :b and :a",
        values("{':a':{S:'a'}, ':b':{N:'1'}}"),
        "The BETWEEN operator requires same data type for lower and upper bounds; lower bound"
            + " operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:a}");
    filterFails(
        "a between :b and :a",
        values("{':a':{S:'a'}, ':b':{S:'b'}}"),
        "The BETWEEN operator requires upper bound to be greater than or equal to lower bound;"
            + " lower bound operand: AttributeValue: {S:b}, upper bound operand: AttributeValue:"
            + " {S:a}");
  }

  // Protects the IN operand limit of 100.
  @Test
  void inLimit() {
    StringBuilder sb = new StringBuilder("a IN (:v");
    sb.append(", :v".repeat(100)).append(')');
    filterFails(
        sb.toString(),
        values("{':v':{S:'x'}}"),
        "The IN operator is provided with too many operands; number of operands: 101");
  }

  // Protects the limit of 300 operators.
  @Test
  void operatorLimit() {
    String expr = "a = :v" + " AND a = :v".repeat(150);
    filterFails(
        expr,
        values("{':v':{S:'x'}}"),
        "The expression contains too many operators; operator count: 301");
  }

  // Protects the order of checks: syntax errors win over everything later in the text.
  @Test
  void syntaxBeforeSemantics() {
    filterFails("abort = :x AND", "Syntax error; token: \"<EOF>\", near: \"AND\"");
  }
}
