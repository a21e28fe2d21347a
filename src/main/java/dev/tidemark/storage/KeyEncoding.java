package dev.tidemark.storage;

import dev.tidemark.model.AttributeValue;
import dev.tidemark.model.Bytes;
import dev.tidemark.model.Numbers;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Order-preserving, self-delimiting encoding of DynamoDB key values (S, N, B) for RocksDB's
 * bytewise comparator. Format and proofs: {@code docs/key-encoding.md}. The bytes are stored on
 * disk, so any change here is a format change.
 *
 * <p>Encodings carry no type tag: a table's key schema fixes each component's type, and callers
 * pass it to {@link #decode}.
 */
public final class KeyEncoding {
  /** Number markers; their order is negative < zero < positive. */
  static final int NEGATIVE = 0x01;

  static final int ZERO = 0x02;
  static final int POSITIVE = 0x03;

  /**
   * DynamoDB's limits (1E-130 <= |x| < 1E+126) give normalised exponents -129..126: exactly 256
   * values, so one byte holds the exponent with this bias.
   */
  static final int EXPONENT_BIAS = 129;

  /** 38 significant digits, two per byte. */
  private static final int MAX_DIGIT_PAIRS = (Numbers.MAX_DIGITS + 1) / 2;

  private KeyEncoding() {}

  /** Encodes one key value. Throws {@link IllegalArgumentException} for non-key types. */
  public static byte[] encode(AttributeValue v) {
    ByteSink out = new ByteSink(estimate(v));
    encodeTo(v, out);
    return out.toArray();
  }

  /**
   * The encoding of an S or B prefix without its terminator: a byte prefix of {@code encode(x)}
   * exactly when x begins with {@code sOrB}, which turns {@code begins_with} into a prefix seek.
   */
  public static byte[] encodePrefix(AttributeValue sOrB) {
    byte[] raw = rawBytes(sOrB);
    ByteSink out = new ByteSink(raw.length + 4);
    escape(raw, out);
    return out.toArray();
  }

  /**
   * Reads one component of the given type at the buffer's position and advances past it. Throws
   * {@link IllegalArgumentException} if the bytes are not a valid encoding.
   */
  public static AttributeValue decode(AttributeValue.Type type, ByteBuffer in) {
    switch (type) {
      case S:
        return new AttributeValue.S(new String(unescape(in), StandardCharsets.UTF_8));
      case B:
        return new AttributeValue.B(Bytes.copyOf(unescape(in)));
      case N:
        return decodeNumber(in);
      default:
        throw new IllegalArgumentException("not a key type: " + type);
    }
  }

  /** The storage key of an item: hash encoding followed by range encoding, if the table has one. */
  public static byte[] itemKey(AttributeValue hash, AttributeValue rangeOrNull) {
    ByteSink out = new ByteSink(estimate(hash) + (rangeOrNull == null ? 0 : estimate(rangeOrNull)));
    encodeTo(hash, out);
    if (rangeOrNull != null) {
      encodeTo(rangeOrNull, out);
    }
    return out.toArray();
  }

  /**
   * Decodes an {@link #itemKey} that starts at {@code offset} and runs to the end of {@code key}.
   * Returns {hash} or {hash, range}. Trailing bytes are refused: they mean the caller's framing and
   * this format disagree.
   */
  public static AttributeValue[] decodeItemKey(
      byte[] key, int offset, AttributeValue.Type hashType, AttributeValue.Type rangeTypeOrNull) {
    ByteBuffer in = ByteBuffer.wrap(key, offset, key.length - offset);
    AttributeValue hash = decode(hashType, in);
    AttributeValue[] result;
    if (rangeTypeOrNull == null) {
      result = new AttributeValue[] {hash};
    } else {
      result = new AttributeValue[] {hash, decode(rangeTypeOrNull, in)};
    }
    if (in.hasRemaining()) {
      throw new IllegalArgumentException(in.remaining() + " trailing bytes after item key");
    }
    return result;
  }

  /**
   * The common prefix of every item key in the hash key's partition. Encodings are prefix-free, so
   * no other partition's keys share it and the partition is one contiguous RocksDB range.
   */
  public static byte[] partitionPrefix(AttributeValue hash) {
    return encode(hash);
  }

  /**
   * The smallest byte string greater than every string starting with {@code prefix}, for use as an
   * exclusive upper bound; null when no such string exists (empty or all 0xFF).
   */
  public static byte[] successor(byte[] prefix) {
    return KeyBounds.successor(prefix);
  }

  static void encodeTo(AttributeValue v, ByteSink out) {
    if (v instanceof AttributeValue.N n) {
      encodeNumber(n.value(), out);
    } else {
      escape(rawBytes(v), out);
      out.write(0x00);
      out.write(0x01);
    }
  }

  private static byte[] rawBytes(AttributeValue v) {
    if (v instanceof AttributeValue.S s) {
      return Utf8.encode(s.value());
    } else if (v instanceof AttributeValue.B b) {
      return b.value().unsafeArray();
    }
    throw new IllegalArgumentException("expected S or B, got " + (v == null ? null : v.type()));
  }

  private static int estimate(AttributeValue v) {
    if (v instanceof AttributeValue.S s) {
      return s.value().length() + 8;
    } else if (v instanceof AttributeValue.B b) {
      return b.value().length() + 8;
    }
    return 2 + MAX_DIGIT_PAIRS;
  }

  // 0x00 becomes 0x00 0xFF so that the terminator 0x00 0x01 never occurs inside a value and
  // sorts below every continuation, including a continuation with an escaped 0x00.
  private static void escape(byte[] raw, ByteSink out) {
    int start = 0;
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] == 0) {
        out.write(raw, start, i + 1 - start);
        out.write(0xFF);
        start = i + 1;
      }
    }
    out.write(raw, start, raw.length - start);
  }

  private static byte[] unescape(ByteBuffer in) {
    ByteSink out = new ByteSink(Math.min(in.remaining(), 64));
    while (true) {
      int b = next(in);
      if (b != 0) {
        out.write(b);
        continue;
      }
      int c = next(in);
      if (c == 0x01) {
        return out.toArray();
      } else if (c == 0xFF) {
        out.write(0);
      } else {
        throw new IllegalArgumentException(
            String.format("bad escape 0x00 0x%02x at %d", c, in.position() - 1));
      }
    }
  }

  /*
   * Non-zero numbers are written as 0.d1d2...dn x 10^E with d1 != 0. Digits go two to a byte
   * (base 100); a pair v in 0..99 is written 2v+1 if more pairs follow and 2v if it is the last, so
   * the mantissa needs no terminator byte and never contains 0x00. Negative numbers complement
   * exponent and mantissa bytes: complementing a prefix-free set of strings reverses their order.
   */
  private static void encodeNumber(BigDecimal value, ByteSink out) {
    if (Numbers.check(value) != Numbers.Problem.NONE) {
      throw new IllegalArgumentException("number outside DynamoDB's limits: " + value);
    }
    BigDecimal c = Numbers.canonical(value);
    int sign = c.signum();
    if (sign == 0) {
      out.write(ZERO);
      return;
    }
    String digits = c.unscaledValue().abs().toString();
    int exponent = digits.length() - c.scale();
    int mask = sign < 0 ? 0xFF : 0x00;
    out.write(sign < 0 ? NEGATIVE : POSITIVE);
    out.write((exponent + EXPONENT_BIAS) ^ mask);
    int n = digits.length();
    for (int i = 0; i < n; i += 2) {
      int pair = (digits.charAt(i) - '0') * 10 + (i + 1 < n ? digits.charAt(i + 1) - '0' : 0);
      boolean last = i + 2 >= n;
      out.write((last ? 2 * pair : 2 * pair + 1) ^ mask);
    }
  }

  private static AttributeValue decodeNumber(ByteBuffer in) {
    int marker = next(in);
    if (marker == ZERO) {
      return new AttributeValue.N(BigDecimal.ZERO);
    }
    if (marker != NEGATIVE && marker != POSITIVE) {
      throw new IllegalArgumentException(String.format("bad number marker 0x%02x", marker));
    }
    int mask = marker == NEGATIVE ? 0xFF : 0x00;
    int exponent = (next(in) ^ mask) - EXPONENT_BIAS;
    char[] digits = new char[2 * MAX_DIGIT_PAIRS];
    int n = 0;
    boolean last = false;
    while (!last) {
      if (n == digits.length) {
        throw new IllegalArgumentException("number mantissa longer than 38 digits");
      }
      int b = next(in) ^ mask;
      int pair = b >>> 1;
      last = (b & 1) == 0;
      if (pair > 99 || (n == 0 && pair < 10) || (last && pair == 0)) {
        throw new IllegalArgumentException(String.format("bad number digit byte 0x%02x", b));
      }
      digits[n++] = (char) ('0' + pair / 10);
      digits[n++] = (char) ('0' + pair % 10);
    }
    int scale = n - exponent;
    BigDecimal magnitude;
    if (n <= 18) {
      long unscaled = 0;
      for (int i = 0; i < n; i++) {
        unscaled = unscaled * 10 + (digits[i] - '0');
      }
      magnitude = BigDecimal.valueOf(unscaled, scale);
    } else {
      magnitude = new BigDecimal(new BigInteger(new String(digits, 0, n)), scale);
    }
    return new AttributeValue.N(mask == 0 ? magnitude : magnitude.negate());
  }

  private static int next(ByteBuffer in) {
    if (!in.hasRemaining()) {
      throw new IllegalArgumentException("truncated key at position " + in.position());
    }
    return in.get() & 0xFF;
  }
}
