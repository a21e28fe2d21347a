package dev.tidemark.expressions;

import static dev.tidemark.expressions.T.cond;
import static dev.tidemark.expressions.T.ctx;
import static dev.tidemark.expressions.T.item;
import static dev.tidemark.expressions.T.values;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.model.AttributeValue;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConditionExpressionTest {
  private static final Map<String, AttributeValue> ITEM =
      item(
          "{n:{N:'5'}, s:{S:'hello'}, b:{B:'AQID'}, ss:{SS:['x','y']}, ns:{NS:['1','2']},"
              + " bs:{BS:['AQ==']}, l:{L:[{S:'x'},{N:'1'}]}, m:{M:{k:{S:'v'}, deep:{L:[{N:'7'}]}}},"
              + " t:{BOOL:true}, z:{NULL:true}}");
  private static final ExpressionContext V =
      values(
          "{':five':{N:'5'}, ':four':{N:'4'}, ':six':{N:'6.0'}, ':hello':{S:'hello'},"
              + " ':he':{S:'he'}, ':x':{S:'x'}, ':one':{N:'1'}, ':b':{B:'AQ=='}, ':S':{S:'S'},"
              + " ':v':{S:'v'}, ':seven':{N:'7'}, ':fiveS':{S:'5'}, ':ssxy':{SS:['y','x']}}");

  // Protects each comparator's semantics on numbers, including value equality across notations.
  @Test
  void comparatorsOnNumbers() {
    assertThat(cond("n = :five", V, ITEM)).isTrue();
    assertThat(cond("n <> :five", V, ITEM)).isFalse();
    assertThat(cond("n < :six", V, ITEM)).isTrue();
    assertThat(cond("n <= :five", V, ITEM)).isTrue();
    assertThat(cond("n > :four", V, ITEM)).isTrue();
    assertThat(cond("n >= :six", V, ITEM)).isFalse();
    assertThat(cond(":four < n", V, ITEM)).isTrue();
  }

  // Protects that values of different types are unequal and unordered rather than errors.
  @Test
  void differentTypesCompareFalse() {
    assertThat(cond("n = :fiveS", V, ITEM)).isFalse();
    assertThat(cond("n <> :fiveS", V, ITEM)).isTrue();
    assertThat(cond("n < :fiveS", V, ITEM)).isFalse();
    assertThat(cond("n >= :fiveS", V, ITEM)).isFalse();
  }

  // Protects DynamoDB's gone-attribute rule: comparisons are false, except <> which is true.
  @Test
  void goneAttributes() {
    assertThat(cond("gone = :five", V, ITEM)).isFalse();
    assertThat(cond("gone < :five", V, ITEM)).isFalse();
    assertThat(cond("gone <> :five", V, ITEM)).isTrue();
    assertThat(cond("gone BETWEEN :four AND :six", V, ITEM)).isFalse();
    assertThat(cond("gone IN (:five)", V, ITEM)).isFalse();
    assertThat(cond("attribute_not_exists(gone)", V, Map.of())).isTrue();
  }

  // Protects string ordering by code point and binary ordering unsigned.
  @Test
  void stringAndBinaryOrdering() {
    ExpressionContext c = values("{':lo':{S:'\uFFFF'}, ':b':{B:'/w=='}}");
    Map<String, AttributeValue> it = item("{s:{S:'\uD83D\uDE00'}, b:{B:'AQ=='}}");
    assertThat(cond("s > :lo", c, it)).isTrue();
    assertThat(cond("b < :b", c, it)).isTrue();
  }

  // Protects BETWEEN inclusive bounds and IN membership.
  @Test
  void betweenAndIn() {
    assertThat(cond("n BETWEEN :four AND :five", V, ITEM)).isTrue();
    assertThat(cond("n between :five and :six", V, ITEM)).isTrue();
    assertThat(cond("n BETWEEN :one AND :four", V, ITEM)).isFalse();
    assertThat(cond("n IN (:one, :four, :five)", V, ITEM)).isTrue();
    assertThat(cond("s IN (:x, :he)", V, ITEM)).isFalse();
  }

  // Protects the precedence NOT > AND > OR and parentheses overriding it.
  @Test
  void logicalPrecedence() {
    assertThat(cond("n = :four OR n = :five AND s = :x", V, ITEM)).isFalse();
    assertThat(cond("n = :five OR n = :four AND s = :x", V, ITEM)).isTrue();
    assertThat(cond("(n = :five OR n = :four) AND s = :x", V, ITEM)).isFalse();
    assertThat(cond("NOT n = :four AND s = :hello", V, ITEM)).isTrue();
    assertThat(cond("NOT (n = :five AND s = :hello)", V, ITEM)).isFalse();
    assertThat(cond("not not n = :five", V, ITEM)).isTrue();
  }

  // Protects attribute_exists/attribute_not_exists on top-level and nested paths.
  @Test
  void existenceFunctions() {
    assertThat(cond("attribute_exists(n)", V, ITEM)).isTrue();
    assertThat(cond("attribute_exists(m.k)", V, ITEM)).isTrue();
    assertThat(cond("attribute_exists(m.deep[0])", V, ITEM)).isTrue();
    assertThat(cond("attribute_exists(m.deep[1])", V, ITEM)).isFalse();
    assertThat(cond("attribute_not_exists(m.nope)", V, ITEM)).isTrue();
    assertThat(cond("attribute_exists(s.k)", V, ITEM)).isFalse();
    assertThat(cond("attribute_exists(z)", V, ITEM)).isTrue();
  }

  // Protects attribute_type for each type name.
  @Test
  void attributeType() {
    ExpressionContext c =
        values(
            "{':S':{S:'S'},':N':{S:'N'},':B':{S:'B'},':SS':{S:'SS'},':NS':{S:'NS'},':BS':{S:'BS'},"
                + "':L':{S:'L'},':M':{S:'M'},':BOOL':{S:'BOOL'},':NULL':{S:'NULL'}}");
    assertThat(cond("attribute_type(s, :S)", c, ITEM)).isTrue();
    assertThat(cond("attribute_type(n, :N)", c, ITEM)).isTrue();
    assertThat(cond("attribute_type(b, :B)", c, ITEM)).isTrue();
    assertThat(cond("attribute_type(ss, :SS)", c, ITEM)).isTrue();
    assertThat(cond("attribute_type(ns, :NS)", c, ITEM)).isTrue();
    assertThat(cond("attribute_type(bs, :BS)", c, ITEM)).isTrue();
    assertThat(cond("attribute_type(l, :L)", c, ITEM)).isTrue();
    assertThat(cond("attribute_type(m, :M)", c, ITEM)).isTrue();
    assertThat(cond("attribute_type(t, :BOOL)", c, ITEM)).isTrue();
    assertThat(cond("attribute_type(z, :NULL)", c, ITEM)).isTrue();
    assertThat(cond("attribute_type(s, :N)", c, ITEM)).isFalse();
  }

  // Protects begins_with on strings and binaries.
  @Test
  void beginsWith() {
    assertThat(cond("begins_with(s, :he)", V, ITEM)).isTrue();
    assertThat(cond("begins_with(s, :x)", V, ITEM)).isFalse();
    assertThat(cond("begins_with(b, :b)", V, ITEM)).isTrue();
    assertThat(cond("begins_with(n, :he)", V, ITEM)).isFalse();
  }

  // Protects contains on strings (substring), sets (membership) and lists (element equality).
  @Test
  void contains() {
    assertThat(cond("contains(s, :he)", V, ITEM)).isTrue();
    assertThat(cond("contains(ss, :x)", V, ITEM)).isTrue();
    assertThat(cond("contains(ns, :one)", V, ITEM)).isTrue();
    assertThat(cond("contains(ns, :four)", V, ITEM)).isFalse();
    assertThat(cond("contains(bs, :b)", V, ITEM)).isTrue();
    assertThat(cond("contains(l, :x)", V, ITEM)).isTrue();
    assertThat(cond("contains(l, :one)", V, ITEM)).isTrue();
    assertThat(cond("contains(l, :he)", V, ITEM)).isFalse();
    assertThat(cond("contains(gone, :x)", V, ITEM)).isFalse();
  }

  // Protects size() for each sized type and its use as a comparison operand.
  @Test
  void size() {
    ExpressionContext c =
        values("{':0':{N:'0'},':1':{N:'1'},':2':{N:'2'},':3':{N:'3'},':5':{N:'5'}}");
    assertThat(cond("size(s) = :5", c, ITEM)).isTrue();
    assertThat(cond("size(b) = :3", c, ITEM)).isTrue();
    assertThat(cond("size(ss) = :2", c, ITEM)).isTrue();
    assertThat(cond("size(l) = :2", c, ITEM)).isTrue();
    assertThat(cond("size(m) = :2", c, ITEM)).isTrue();
    assertThat(cond("size(m.deep) = :1", c, ITEM)).isTrue();
    assertThat(cond("size(n) = :1", c, ITEM)).isFalse();
    assertThat(cond(":0 < size(s)", c, ITEM)).isTrue();
    assertThat(cond("size(gone) >= :0", c, ITEM)).isFalse();
  }

  // Protects equality of sets regardless of order and of nested documents.
  @Test
  void documentEquality() {
    assertThat(cond("ss = :ssxy", V, ITEM)).isTrue();
    assertThat(cond("m.k = :v", V, ITEM)).isTrue();
    assertThat(cond("m.deep[0] = :seven", V, ITEM)).isTrue();
  }

  // Protects #name substitution, including names that are reserved words or contain dots.
  @Test
  void namePlaceholders() {
    ExpressionContext c =
        ctx("{'#size':'size', '#dotted':'a.b', '#m':'m'}", "{':v':{S:'v'}, ':one':{N:'1'}}");
    Map<String, AttributeValue> it = item("{size:{N:'1'}, 'a.b':{S:'v'}, m:{M:{k:{S:'v'}}}}");
    assertThat(cond("#size = :one AND #dotted = :v AND #m.k = :v", c, it)).isTrue();
    c.checkAllUsed();
  }

  // Protects parenthesised operands, which are legal around paths and values.
  @Test
  void parenthesisedOperands() {
    assertThat(cond("(n) BETWEEN (:four) AND (:six)", V, ITEM)).isTrue();
    assertThat(cond("((n = :five) AND (s = :hello))", V, ITEM)).isTrue();
  }

  // Protects that a condition on an absent item sees an empty item.
  @Test
  void absentItem() {
    assertThat(cond("attribute_not_exists(n)", V, Map.of())).isTrue();
    assertThat(cond("n = :five", V, Map.of())).isFalse();
  }
}
