package dev.tidemark.model;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Item size as DynamoDB accounts it: attribute names count their UTF-8 bytes, strings and binaries
 * their length, numbers about one byte per two significant digits plus one, and documents three
 * bytes of overhead plus one byte per element.
 */
public final class ItemSize {
  /** DynamoDB's 400 KB item limit. */
  public static final int MAX_ITEM_BYTES = 400 * 1024;

  private ItemSize() {}

  public static long of(Map<String, AttributeValue> item) {
    long total = 0;
    for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
      total += utf8Length(e.getKey()) + of(e.getValue());
    }
    return total;
  }

  public static long of(AttributeValue v) {
    if (v instanceof AttributeValue.S s) {
      return s.utf8Length();
    } else if (v instanceof AttributeValue.N n) {
      return number(n.value());
    } else if (v instanceof AttributeValue.B b) {
      return b.value().length();
    } else if (v instanceof AttributeValue.Bool || v instanceof AttributeValue.Null) {
      return 1;
    } else if (v instanceof AttributeValue.SS ss) {
      long t = 0;
      for (String x : ss.values()) {
        t += utf8Length(x);
      }
      return t;
    } else if (v instanceof AttributeValue.NS ns) {
      long t = 0;
      for (BigDecimal x : ns.values()) {
        t += number(x);
      }
      return t;
    } else if (v instanceof AttributeValue.BS bs) {
      long t = 0;
      for (Bytes x : bs.values()) {
        t += x.length();
      }
      return t;
    } else if (v instanceof AttributeValue.M m) {
      long t = 3;
      for (Map.Entry<String, AttributeValue> e : m.values().entrySet()) {
        t += 1 + utf8Length(e.getKey()) + of(e.getValue());
      }
      return t;
    } else if (v instanceof AttributeValue.L l) {
      long t = 3;
      for (AttributeValue x : l.values()) {
        t += 1 + of(x);
      }
      return t;
    }
    throw new IllegalArgumentException("unknown attribute value " + v);
  }

  // Numbers in attribute values are canonical already (see AttributeValue.N), so no stripping here.
  private static long number(BigDecimal n) {
    int digits = n.signum() == 0 ? 1 : n.precision();
    return (digits + 1) / 2 + 1 + (n.signum() < 0 ? 1 : 0);
  }

  public static int utf8Length(String s) {
    int n = s.length();
    int i = 0;
    // Most text is ASCII: a tight first loop, then the general one from the first other char.
    while (i < n && s.charAt(i) < 0x80) {
      i++;
    }
    int len = i;
    for (; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        len += 1;
      } else if (c < 0x800) {
        len += 2;
      } else if (Character.isHighSurrogate(c)) {
        len += 4;
        i++;
      } else {
        len += 3;
      }
    }
    return len;
  }

  static int utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
