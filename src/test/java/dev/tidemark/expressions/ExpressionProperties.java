package dev.tidemark.expressions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.model.AttributeValue;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.NotEmpty;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

class ExpressionProperties {
  private static final String[] OPS = {"=", "<>", "<", "<=", ">", ">="};

  private static boolean eval(String expr, AttributeValue x, AttributeValue v) {
    ExpressionContext c = new ExpressionContext(null, Map.of(":v", v));
    return Expressions.parseCondition(expr, c, "ConditionExpression").test(Map.of("x", x));
  }

  private static boolean expected(String op, int cmp) {
    return switch (op) {
      case "=" -> cmp == 0;
      case "<>" -> cmp != 0;
      case "<" -> cmp < 0;
      case "<=" -> cmp <= 0;
      case ">" -> cmp > 0;
      default -> cmp >= 0;
    };
  }

  @Provide
  Arbitrary<BigDecimal> numbers() {
    return Arbitraries.bigIntegers()
        .between(
            new java.math.BigInteger("-99999999999999999999"),
            new java.math.BigInteger("99999999999999999999"))
        .flatMap(u -> Arbitraries.integers().between(-30, 30).map(s -> new BigDecimal(u, s)));
  }

  /** Numbers whose sums stay within 38 significant digits. */
  @Provide
  Arbitrary<BigDecimal> fittingNumbers() {
    return Arbitraries.longs()
        .flatMap(u -> Arbitraries.integers().between(0, 10).map(s -> BigDecimal.valueOf(u, s)));
  }

  @Provide
  Arbitrary<String> ops() {
    return Arbitraries.of(OPS);
  }

  // Protects number comparisons agreeing with BigDecimal order whatever the scale or notation.
  @Property(tries = 300)
  void numberComparisonMatchesBigDecimal(
      @ForAll("numbers") BigDecimal a, @ForAll("numbers") BigDecimal b, @ForAll("ops") String op) {
    boolean got = eval("x " + op + " :v", new AttributeValue.N(a), new AttributeValue.N(b));
    assertThat(got).isEqualTo(expected(op, a.compareTo(b)));
  }

  // Protects string comparisons agreeing with unsigned UTF-8 byte order, and NOT negating.
  @Property(tries = 300)
  void stringComparisonMatchesUtf8Order(
      @ForAll @StringLength(max = 4) String a,
      @ForAll @StringLength(max = 4) String b,
      @ForAll("ops") String op) {
    int cmp =
        Arrays.compareUnsigned(
            a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    AttributeValue x = AttributeValue.s(a);
    AttributeValue v = AttributeValue.s(b);
    assertThat(eval("x " + op + " :v", x, v)).isEqualTo(expected(op, Integer.signum(cmp)));
    assertThat(eval("NOT (x " + op + " :v)", x, v)).isEqualTo(!expected(op, Integer.signum(cmp)));
  }

  // Protects ADD as set union and DELETE as set difference, removing an emptied set.
  @Property(tries = 200)
  void addAndDeleteAreSetAlgebra(
      @ForAll @NotEmpty @Size(max = 5) Set<@StringLength(min = 1, max = 2) String> a,
      @ForAll @NotEmpty @Size(max = 5) Set<@StringLength(min = 1, max = 2) String> b) {
    ExpressionContext c = new ExpressionContext(null, Map.of(":b", new AttributeValue.SS(b)));
    Map<String, AttributeValue> item = Map.of("s", new AttributeValue.SS(a));
    Set<String> union = new HashSet<>(a);
    union.addAll(b);
    assertThat(Expressions.parseUpdate("ADD s :b", c).apply(item).get("s"))
        .isEqualTo(new AttributeValue.SS(union));
    Set<String> diff = new HashSet<>(a);
    diff.removeAll(b);
    AttributeValue after =
        Expressions.parseUpdate(
                "DELETE s :b", new ExpressionContext(null, Map.of(":b", new AttributeValue.SS(b))))
            .apply(item)
            .get("s");
    assertThat(after).isEqualTo(diff.isEmpty() ? null : new AttributeValue.SS(diff));
  }

  // Protects SET n = n + :d followed by SET n = n - :d being the identity (exact arithmetic).
  @Property(tries = 200)
  void addThenSubtractIsIdentity(
      @ForAll("fittingNumbers") BigDecimal n, @ForAll("fittingNumbers") BigDecimal d) {
    Map<String, AttributeValue> item = Map.of("n", new AttributeValue.N(n));
    Map<String, AttributeValue> plus =
        Expressions.parseUpdate(
                "SET n = n + :d",
                new ExpressionContext(null, Map.of(":d", new AttributeValue.N(d))))
            .apply(item);
    Map<String, AttributeValue> back =
        Expressions.parseUpdate(
                "SET n = n - :d",
                new ExpressionContext(null, Map.of(":d", new AttributeValue.N(d))))
            .apply(plus);
    assertThat(back).isEqualTo(item);
  }
}
