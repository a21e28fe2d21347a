package dev.tidemark.expressions;

import static dev.tidemark.expressions.T.ctx;
import static dev.tidemark.expressions.T.item;
import static dev.tidemark.expressions.T.validation;
import static dev.tidemark.expressions.T.values;
import static dev.tidemark.expressions.T.wire;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.model.AttributeValue;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UpdateExpressionTest {

  private static Map<String, AttributeValue> apply(
      String expr, ExpressionContext ctx, String itemJson) {
    return Expressions.parseUpdate(expr, ctx).apply(item(itemJson));
  }

  private static void parseFails(String expr, ExpressionContext ctx, String message) {
    validation(() -> Expressions.parseUpdate(expr, ctx), "Invalid UpdateExpression: " + message);
  }

  private static void applyFails(String expr, ExpressionContext ctx, String itemJson, String msg) {
    UpdatePlan plan = Expressions.parseUpdate(expr, ctx);
    Map<String, AttributeValue> before = item(itemJson);
    String snapshot = wire(before);
    validation(() -> plan.apply(before), msg);
    assertThat(wire(before)).isEqualTo(snapshot);
  }

  // Protects SET of top-level and nested attributes, and that the input is not mutated.
  @Test
  void setValues() {
    Map<String, AttributeValue> in = item("{k:{S:'1'}, m:{M:{a:{N:'1'}}}}");
    Map<String, AttributeValue> out =
        Expressions.parseUpdate("SET x = :v, m.b = :v, m.a = :v", values("{':v':{S:'z'}}"))
            .apply(in);
    assertThat(wire(out))
        .isEqualTo(
            "{\"k\":{\"S\":\"1\"},\"m\":{\"M\":{\"a\":{\"S\":\"z\"},\"b\":{\"S\":\"z\"}}},"
                + "\"x\":{\"S\":\"z\"}}");
    assertThat(wire(in)).isEqualTo("{\"k\":{\"S\":\"1\"},\"m\":{\"M\":{\"a\":{\"N\":\"1\"}}}}");
  }

  // Protects arithmetic with + and -, reading operands from the item before the update.
  @Test
  void arithmetic() {
    ExpressionContext c = values("{':one':{N:'1'}, ':half':{N:'0.5'}}");
    assertThat(wire(apply("SET n = n + :one, o = n - :half", c, "{n:{N:'5'}}")))
        .isEqualTo("{\"n\":{\"N\":\"6\"},\"o\":{\"N\":\"4.5\"}}");
    assertThat(wire(apply("SET n = (n + :one)", values("{':one':{N:'1'}}"), "{n:{N:'5'}}")))
        .isEqualTo("{\"n\":{\"N\":\"6\"}}");
  }

  // Protects if_not_exists and list_append, including nesting one in the other.
  @Test
  void functions() {
    ExpressionContext c = values("{':zero':{N:'0'}, ':l':{L:[{S:'b'}]}, ':e':{L:[]}}");
    assertThat(
            wire(
                apply(
                    "SET a = if_not_exists(a, :zero), b = if_not_exists(c, :zero)",
                    c2(),
                    "{c:{N:'3'}}")))
        .isEqualTo("{\"c\":{\"N\":\"3\"},\"a\":{\"N\":\"0\"},\"b\":{\"N\":\"3\"}}");
    assertThat(wire(apply("SET l = list_append(if_not_exists(l, :e), :l)", c, "{}")))
        .isEqualTo("{\"l\":{\"L\":[{\"S\":\"b\"}]}}");
    assertThat(
            wire(
                apply(
                    "SET l = list_append(:l, l)",
                    values("{':l':{L:[{S:'b'}]}}"),
                    "{l:{L:[{S:'a'}]}}")))
        .isEqualTo("{\"l\":{\"L\":[{\"S\":\"b\"},{\"S\":\"a\"}]}}");
  }

  private static ExpressionContext c2() {
    return values("{':zero':{N:'0'}}");
  }

  // Protects list index SET: replacing in range, appending past the end.
  @Test
  void setListIndex() {
    ExpressionContext c = values("{':v':{S:'z'}}");
    assertThat(wire(apply("SET l[1] = :v", c, "{l:{L:[{S:'a'},{S:'b'}]}}")))
        .isEqualTo("{\"l\":{\"L\":[{\"S\":\"a\"},{\"S\":\"z\"}]}}");
    assertThat(wire(apply("SET l[10] = :v", c, "{l:{L:[{S:'a'}]}}")))
        .isEqualTo("{\"l\":{\"L\":[{\"S\":\"a\"},{\"S\":\"z\"}]}}");
    assertThat(wire(apply("SET m.l[0].x = :v", c, "{m:{M:{l:{L:[{M:{}}]}}}}")))
        .isEqualTo("{\"m\":{\"M\":{\"l\":{\"L\":[{\"M\":{\"x\":{\"S\":\"z\"}}}]}}}}");
  }

  // Protects REMOVE of attributes, map keys and list elements by original index.
  @Test
  void remove() {
    ExpressionContext none = ExpressionContext.empty();
    assertThat(
            wire(apply("REMOVE a, m.k, gone", none, "{a:{S:'1'}, m:{M:{k:{S:'v'}, j:{S:'w'}}}}")))
        .isEqualTo("{\"m\":{\"M\":{\"j\":{\"S\":\"w\"}}}}");
    assertThat(wire(apply("REMOVE l[0], l[2]", none, "{l:{L:[{N:'0'},{N:'1'},{N:'2'},{N:'3'}]}}")))
        .isEqualTo("{\"l\":{\"L\":[{\"N\":\"1\"},{\"N\":\"3\"}]}}");
    assertThat(wire(apply("REMOVE l[9]", none, "{l:{L:[{N:'0'}]}}")))
        .isEqualTo("{\"l\":{\"L\":[{\"N\":\"0\"}]}}");
  }

  // Protects removing many list elements by original index across several lists.
  @Test
  void removeManyListElements() {
    StringBuilder expr = new StringBuilder("REMOVE ");
    StringBuilder list = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      list.append(i == 0 ? "" : ",").append("{N:'").append(i).append("'}");
      if (i % 2 == 0) {
        expr.append(i == 0 ? "" : ", ")
            .append("a[")
            .append(i)
            .append("], b[")
            .append(i)
            .append(']');
      }
    }
    Map<String, AttributeValue> out =
        apply(
            expr.toString(),
            ExpressionContext.empty(),
            "{a:{L:[" + list + "]}, b:{L:[" + list + "]}}");
    AttributeValue.L a = (AttributeValue.L) out.get("a");
    assertThat(a.values()).hasSize(20).first().isEqualTo(AttributeValue.n(1));
    assertThat(out.get("b")).isEqualTo(a);
  }

  // Protects ADD on numbers and sets, creating the attribute when missing.
  @Test
  void add() {
    ExpressionContext c = values("{':n':{N:'2'}, ':ss':{SS:['b','c']}}");
    assertThat(wire(apply("ADD n :n, s :ss", c, "{n:{N:'1'}, s:{SS:['a','b']}}")))
        .isEqualTo("{\"n\":{\"N\":\"3\"},\"s\":{\"SS\":[\"a\",\"b\",\"c\"]}}");
    assertThat(wire(apply("ADD n :n, s :ss", c, "{}")))
        .isEqualTo("{\"n\":{\"N\":\"2\"},\"s\":{\"SS\":[\"b\",\"c\"]}}");
  }

  // Protects DELETE set subtraction and removal of the attribute when the set empties.
  @Test
  void delete() {
    ExpressionContext c = values("{':ss':{SS:['a','x']}, ':all':{NS:['1','2']}}");
    assertThat(wire(apply("DELETE s :ss, n :all", c, "{s:{SS:['a','b']}, n:{NS:['2','1']}}")))
        .isEqualTo("{\"s\":{\"SS\":[\"b\"]}}");
    assertThat(wire(apply("DELETE s :ss, n :all", c, "{}"))).isEqualTo("{}");
  }

  // Protects several clauses in one expression, in any order, with keywords in any case.
  @Test
  void multipleClauses() {
    ExpressionContext c = values("{':v':{S:'v'}, ':n':{N:'1'}, ':s':{SS:['a']}}");
    assertThat(
            wire(
                apply(
                    "remove r ADD n :n set x = :v Delete s :s",
                    c,
                    "{r:{S:'r'}, s:{SS:['a','b']}}")))
        .isEqualTo("{\"s\":{\"SS\":[\"b\"]},\"n\":{\"N\":\"1\"},\"x\":{\"S\":\"v\"}}");
  }

  // Protects the paths reported for ReturnValues and the key-attribute check.
  @Test
  void updatedPaths() {
    UpdatePlan plan =
        Expressions.parseUpdate(
            "SET a.b[1] = :v REMOVE #c ADD d :n",
            ctx("{'#c':'c'}", "{':v':{S:'v'}, ':n':{N:'1'}}"));
    assertThat(plan.updatedPaths())
        .extracting(DocumentPath::toString)
        .containsExactly("[a, b, [1]]", "[c]", "[d]");
    assertThat(plan.updatedTopLevelNames()).containsExactly("a", "c", "d");
  }

  // Protects 38-digit arithmetic and the overflow messages.
  @Test
  void numberLimits() {
    ExpressionContext c = values("{':big':{N:'9E+125'}, ':tiny':{N:'1E-100'}}");
    applyFails(
        "SET n = n + :big",
        c,
        "{n:{N:'9E+125'}}",
        "Number overflow. Attempting to store a number with magnitude larger than supported range");
    applyFails(
        "SET n = n + :tiny",
        values("{':tiny':{N:'1E-100'}}"),
        "{n:{N:'1'}}",
        "Attempting to store more than 38 significant digits in a Number");
    assertThat(
            wire(
                apply(
                    "ADD n :x",
                    values("{':x':{N:'0.00000000000000000000000000000000000001'}}"),
                    "{n:{N:'0.1'}}")))
        .isEqualTo("{\"n\":{\"N\":\"0.10000000000000000000000000000000000001\"}}");
  }

  // Protects apply-time type errors, which leave the item untouched.
  @Test
  void applyTimeErrors() {
    ExpressionContext c = values("{':n':{N:'1'}, ':ss':{SS:['a']}, ':l':{L:[]}}");
    String incorrect = "An operand in the update expression has an incorrect data type";
    applyFails("SET a = a + :n", c2b(), "{a:{S:'x'}}", incorrect);
    applyFails("ADD a :n", values("{':n':{N:'1'}}"), "{a:{SS:['x']}}", incorrect);
    applyFails("DELETE a :ss", values("{':ss':{SS:['a']}}"), "{a:{NS:['1']}}", incorrect);
    applyFails("SET a = list_append(a, :l)", values("{':l':{L:[]}}"), "{a:{S:'x'}}", incorrect);
    applyFails(
        "SET a = b",
        ExpressionContext.empty(),
        "{}",
        "The provided expression refers to an attribute that does not exist in the item");
    String badPath = "The document path provided in the update expression is invalid for update";
    applyFails("SET a.b = :n, z = :n", c2b(), "{a:{S:'x'}}", badPath);
    applyFails("SET y.b = :n", c2b(), "{}", badPath);
    applyFails("SET a[1] = :n", c2b(), "{a:{M:{}}}", badPath);
    applyFails("REMOVE a.b", ExpressionContext.empty(), "{a:{L:[]}}", badPath);
    applyFails("ADD y.a :n", c2b(), "{}", badPath);
    assertThat(c).isNotNull();
  }

  private static ExpressionContext c2b() {
    return values("{':n':{N:'1'}}");
  }

  // Protects parse-time syntax errors with DynamoDB's token and near text.
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "whatever|whatever|whatever",
        "set a|<EOF>|a",
        "SET a = :v,|<EOF>|,",
        "set a = b + c + d|+|c + d",
        "remove a b|b|a b",
        "ADD hits : incr|:|hits : incr",
        "set a = b * c|*|b * c",
        "set :a = b|:a|set :a =",
        "set a=set|set|=set",
        "SET if_not_exists(a, b) = a|(|if_not_exists(a",
        "set a = (b.c).d + e|.|).d",
      })
  void syntaxErrors(String expr, String token, String near) {
    parseFails(
        expr,
        values("{':v':{S:'v'}}"),
        "Syntax error; token: \"" + token + "\", near: \"" + near + "\"");
  }

  // Protects reserved words, which win over repeated sections.
  @Test
  void reservedWord() {
    parseFails(
        " set #c = :c set abOrt = true ",
        ExpressionContext.empty(),
        "Attribute name is a reserved keyword; reserved keyword: abOrt");
  }

  // Protects the one-section-per-keyword rule.
  @ParameterizedTest
  @CsvSource({"set a = #c set c = :d,SET", "remove #d set a = b remove e,REMOVE"})
  void repeatedSection(String expr, String section) {
    parseFails(
        expr,
        ExpressionContext.empty(),
        "The \"" + section + "\" section can only be used once in an update expression;");
  }

  // Protects unknown update functions.
  @Test
  void invalidFunction() {
    parseFails(
        "set #c = if_not_exist(:c) set c = d",
        ExpressionContext.empty(),
        "Invalid function name; function: if_not_exist");
  }

  // Protects overlap and conflict detection between action paths.
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "set d[1] = a, d.b = a, c[1].a = a, #c = if_not_exists(a)|overlap|[c, [1], a]|[c]",
        "set a = b remove a, #c|overlap|[a]|[a]",
        "remove c, #c.a|overlap|[c]|[c, a]",
        "set #c[3].#d = a, #c.#d[3] = if_not_exists(a)|conflict|[c, [3], [3]]|[c, [3], [3]]",
        "remove a.#c set a[1] = b|conflict|[a, c]|[a, [1]]",
      })
  void overlappingPaths(String expr, String kind, String one, String two) {
    parseFails(
        expr,
        ctx("{'#c':'c', '#d':'[3]'}", null),
        "Two document paths "
            + kind
            + " with each other; must remove or rewrite one of these paths; path one: "
            + one
            + ", path two: "
            + two);
  }

  // Protects ADD/DELETE operand types, checked before function arity.
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "add a.b :a|{S:'a'}|ADD|STRING",
        "delete a.b :a|{N:'1'}|DELETE|NUMBER",
        "add a.b :a|{BOOL:true}|ADD|BOOLEAN",
        "add a.b :a|{L:[]}|ADD|LIST",
        "delete a.b :a|{M:{}}|DELETE|MAP",
      })
  void addDeleteOperandTypes(String expr, String value, String op, String type) {
    parseFails(
        expr,
        values("{':a':" + value + "}"),
        "Incorrect operand type for operator or function; operator: "
            + op
            + ", operand type: "
            + type);
  }

  // Protects arity, document-path and operand-type checks of SET functions and arithmetic.
  @Test
  void setOperandChecks() {
    ExpressionContext c = values("{':a':{S:'a'}, ':b':{N:'1'}}");
    parseFails(
        "set a = if_not_exists(c)",
        ExpressionContext.empty(),
        "Incorrect number of operands for operator or function; operator or function:"
            + " if_not_exists, number of operands: 1");
    parseFails(
        "set a = if_not_exists(:a, c)",
        values("{':a':{S:'a'}}"),
        "Operator or function requires a document path; operator or function: if_not_exists");
    parseFails(
        "set a = list_append(:a, a)",
        values("{':a':{S:'a'}}"),
        "Incorrect operand type for operator or function; operator or function: list_append,"
            + " operand type: S");
    parseFails(
        "set a = a - :a",
        values("{':a':{S:'a'}}"),
        "Incorrect operand type for operator or function; operator or function: -, operand type:"
            + " S");
    assertThat(c).isNotNull();
  }

  // Protects undefined placeholders in updates.
  @Test
  void undefinedPlaceholders() {
    parseFails(
        "SET #c = :a",
        ExpressionContext.empty(),
        "An expression attribute name used in the document path is not defined; attribute name:"
            + " #c");
    parseFails(
        "SET #a = if_not_exists(:c)",
        ctx("{'#a':'a'}", null),
        "An expression attribute value used in expression is not defined; attribute value: :c");
  }
}
