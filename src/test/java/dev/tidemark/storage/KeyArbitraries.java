package dev.tidemark.storage;

import dev.tidemark.model.AttributeValue;
import dev.tidemark.model.Bytes;
import dev.tidemark.model.Numbers;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;

/**
 * Generators for key values, biased toward what breaks order-preserving encodings: shared prefixes,
 * 0x00/0xFF bytes, U+0000 and supplementary characters, equal exponents, extreme exponents and
 * 38-digit mantissas.
 */
final class KeyArbitraries {
  private KeyArbitraries() {}

  static final List<String> EDGE_NUMBERS =
      List.of(
          "0",
          "1",
          "-1",
          "0.1",
          "-0.1",
          "10",
          "99",
          "100",
          "101",
          "-99",
          "-100",
          "1E-130",
          "-1E-130",
          "9.9999999999999999999999999999999999999E+125",
          "-9.9999999999999999999999999999999999999E+125",
          "1.0000000000000000000000000000000000001",
          "-1.0000000000000000000000000000000000001",
          "12345678901234567890123456789012345678",
          "9223372036854775807",
          "-9223372036854775808",
          "123456789012345678");

  /** DynamoDB's order on key values; S compares UTF-8 bytes, not UTF-16 code units. */
  static int dynamoCompare(AttributeValue a, AttributeValue b) {
    if (a instanceof AttributeValue.N x && b instanceof AttributeValue.N y) {
      return x.value().compareTo(y.value());
    } else if (a instanceof AttributeValue.S x && b instanceof AttributeValue.S y) {
      return Arrays.compareUnsigned(
          x.value().getBytes(StandardCharsets.UTF_8), y.value().getBytes(StandardCharsets.UTF_8));
    } else if (a instanceof AttributeValue.B x && b instanceof AttributeValue.B y) {
      return x.value().compareTo(y.value());
    }
    throw new IllegalArgumentException(a + " vs " + b);
  }

  static Arbitrary<AttributeValue.Type> keyTypes() {
    return Arbitraries.of(AttributeValue.Type.S, AttributeValue.Type.N, AttributeValue.Type.B);
  }

  static Arbitrary<AttributeValue> keys(AttributeValue.Type type) {
    switch (type) {
      case S:
        return strings().map(AttributeValue.S::new);
      case B:
        return byteArrays().map(AttributeValue::b);
      case N:
        return numbers().map(AttributeValue.N::new);
      default:
        throw new IllegalArgumentException(type.toString());
    }
  }

  /** Pairs that are often equal, prefixes of each other, or near neighbours. */
  static Arbitrary<Tuple2<AttributeValue, AttributeValue>> keyPairs(AttributeValue.Type type) {
    switch (type) {
      case S:
        return stringPairs()
            .map(t -> Tuple.of(new AttributeValue.S(t.get1()), new AttributeValue.S(t.get2())));
      case B:
        return bytePairs()
            .map(t -> Tuple.of(AttributeValue.b(t.get1()), AttributeValue.b(t.get2())));
      case N:
        return numberPairs()
            .map(t -> Tuple.of(new AttributeValue.N(t.get1()), new AttributeValue.N(t.get2())));
      default:
        throw new IllegalArgumentException(type.toString());
    }
  }

  // ---- numbers

  static Arbitrary<BigDecimal> numbers() {
    Arbitrary<Boolean> negative = Arbitraries.of(true, false);
    Arbitrary<String> mantissa =
        Combinators.combine(
                Arbitraries.strings().withChars("123456789").ofLength(1),
                Arbitraries.frequencyOf(
                    Tuple.of(3, Arbitraries.strings().withChars("0123456789").ofMaxLength(3)),
                    Tuple.of(1, Arbitraries.strings().withChars("09").ofMaxLength(37)),
                    Tuple.of(1, Arbitraries.strings().withChars("0123456789").ofMaxLength(37))))
            .as(String::concat);
    Arbitrary<Integer> exponent =
        Arbitraries.frequencyOf(
            Tuple.of(3, Arbitraries.integers().between(-2, 3)),
            Tuple.of(1, Arbitraries.integers().between(-129, 126)));
    Arbitrary<BigDecimal> random =
        Combinators.combine(negative, mantissa, exponent).as(KeyArbitraries::number);
    return Arbitraries.frequencyOf(
        Tuple.of(1, Arbitraries.of(EDGE_NUMBERS).map(BigDecimal::new)), Tuple.of(6, random));
  }

  /** 0.digits x 10^exponent, canonical. */
  static BigDecimal number(boolean negative, String digits, int exponent) {
    BigDecimal v = new BigDecimal(new BigInteger(digits), digits.length() - exponent);
    return Numbers.canonical(negative ? v.negate() : v);
  }

  static Arbitrary<Tuple2<BigDecimal, BigDecimal>> numberPairs() {
    return numbers()
        .flatMap(
            a ->
                Arbitraries.frequencyOf(
                        Tuple.of(2, numbers()),
                        Tuple.of(1, Arbitraries.just(a)),
                        Tuple.of(3, neighbour(a)))
                    .map(b -> Tuple.of(a, b)));
  }

  /** A number sharing sign, exponent or leading digits with {@code a}. */
  private static Arbitrary<BigDecimal> neighbour(BigDecimal a) {
    if (a.signum() == 0) {
      return numbers();
    }
    boolean negative = a.signum() < 0;
    String digits = a.unscaledValue().abs().toString();
    int exponent = digits.length() - a.scale();
    Arbitrary<BigDecimal> candidate =
        Arbitraries.oneOf(
            Arbitraries.integers()
                .between(1, digits.length())
                .map(n -> number(negative, digits.substring(0, n), exponent)),
            Arbitraries.strings()
                .withChars("0123456789")
                .ofMinLength(1)
                .ofMaxLength(Math.max(1, Numbers.MAX_DIGITS - digits.length()))
                .map(s -> number(negative, digits + s, exponent)),
            Combinators.combine(
                    Arbitraries.integers().between(0, digits.length() - 1),
                    Arbitraries.strings().withChars("0123456789").ofLength(1))
                .as(
                    (i, d) ->
                        number(
                            negative,
                            digits.substring(0, i) + d + digits.substring(i + 1),
                            exponent)),
            Arbitraries.of(-1, 1).map(d -> number(negative, digits, exponent + d)),
            Arbitraries.just(a.negate()));
    return candidate.map(b -> Numbers.check(b) == Numbers.Problem.NONE ? b : a);
  }

  // ---- strings

  static Arbitrary<Integer> codePoints() {
    return Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.integers().between('a', 'c')),
        Tuple.of(2, Arbitraries.of(0x00, 0x01, 0x7F, 0x80, 0x7FF, 0x800, 0xFFFF, 0xE000, 0x10000)),
        Tuple.of(1, Arbitraries.integers().between(0x00, 0x7F)),
        Tuple.of(1, Arbitraries.integers().between(0x80, 0x7FF)),
        Tuple.of(
            1,
            Arbitraries.integers()
                .between(0x800, 0xFFFF)
                .filter(c -> c < Character.MIN_SURROGATE || c > Character.MAX_SURROGATE)),
        Tuple.of(1, Arbitraries.integers().between(0x10000, Character.MAX_CODE_POINT)));
  }

  static Arbitrary<String> strings() {
    return codePoints()
        .list()
        .ofMaxSize(8)
        .map(
            cps -> {
              StringBuilder sb = new StringBuilder();
              cps.forEach(sb::appendCodePoint);
              return sb.toString();
            });
  }

  /** (common + s1, common + s2): covers equality, prefixes and divergence after a shared run. */
  static Arbitrary<Tuple2<String, String>> stringPairs() {
    return Combinators.combine(strings(), strings(), strings())
        .as((common, s1, s2) -> Tuple.of(common + s1, common + s2));
  }

  // ---- binaries

  static Arbitrary<byte[]> byteArrays() {
    Arbitrary<Byte> b =
        Arbitraries.frequencyOf(
            Tuple.of(3, Arbitraries.of((byte) 0x00, (byte) 0xFF, (byte) 0x01, (byte) 0xFE)),
            Tuple.of(2, Arbitraries.bytes()));
    return b.array(byte[].class).ofMaxSize(8);
  }

  static Arbitrary<Tuple2<byte[], byte[]>> bytePairs() {
    return Combinators.combine(byteArrays(), byteArrays(), byteArrays())
        .as((common, s1, s2) -> Tuple.of(concat(common, s1), concat(common, s2)));
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static boolean startsWith(byte[] x, byte[] prefix) {
    return Bytes.copyOf(x).startsWith(Bytes.copyOf(prefix));
  }
}
