package dev.tidemark.model;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * DynamoDB's number rules: at most 38 significant digits, magnitudes from 1E-130 up to but not
 * including 1E+126, and a canonical text form without trailing zeros or exponent.
 */
public final class Numbers {
  public static final int MAX_DIGITS = 38;
  private static final BigDecimal MAX_EXCLUSIVE = new BigDecimal("1E+126");
  private static final BigDecimal MIN_MAGNITUDE = new BigDecimal("1E-130");

  /** Arithmetic keeps DynamoDB's precision; results beyond it are refused, not rounded. */
  public static final MathContext CONTEXT = new MathContext(MAX_DIGITS + 1);

  private Numbers() {}

  /** Outcome of checking a number against DynamoDB's limits. */
  public enum Problem {
    NONE,
    TOO_MANY_DIGITS,
    OVERFLOW,
    UNDERFLOW
  }

  public static BigDecimal canonical(BigDecimal v) {
    if (v.signum() == 0) {
      return BigDecimal.ZERO;
    }
    return v.stripTrailingZeros();
  }

  public static Problem check(BigDecimal v) {
    if (v.signum() == 0) {
      return Problem.NONE;
    }
    BigDecimal c = v.stripTrailingZeros();
    if (c.precision() > MAX_DIGITS) {
      return Problem.TOO_MANY_DIGITS;
    }
    BigDecimal abs = c.abs();
    if (abs.compareTo(MAX_EXCLUSIVE) >= 0) {
      return Problem.OVERFLOW;
    }
    if (abs.compareTo(MIN_MAGNITUDE) < 0) {
      return Problem.UNDERFLOW;
    }
    return Problem.NONE;
  }

  /**
   * Parses number text as DynamoDB accepts it: decimal digits with an optional sign, fraction and
   * exponent. Returns null when the text is not a number.
   */
  public static BigDecimal parse(String text) {
    // No trimming: DynamoDB refuses " 1" and "1 ".
    String t = text;
    if (t.isEmpty()) {
      return null;
    }
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (!(Character.isDigit(c) || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')) {
        return null;
      }
    }
    try {
      return new BigDecimal(t);
    } catch (NumberFormatException | ArithmeticException e) {
      return null;
    }
  }

  public static String toWire(BigDecimal v) {
    return canonical(v).toPlainString();
  }

  /** Number of significant digits, which drives DynamoDB's size accounting. */
  public static int significantDigits(BigDecimal v) {
    if (v.signum() == 0) {
      return 1;
    }
    return canonical(v).precision();
  }
}
