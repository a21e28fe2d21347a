package dev.tidemark.expressions;

import dev.tidemark.errors.DynamoException;
import dev.tidemark.model.AttributeJson;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.model.Numbers;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Value semantics shared by expression and legacy evaluation. */
final class Values {
  private Values() {}

  static boolean isScalar(AttributeValue v) {
    return v != null && v.type().isScalarKeyType();
  }

  static boolean isSet(AttributeValue v) {
    return v instanceof AttributeValue.SS
        || v instanceof AttributeValue.NS
        || v instanceof AttributeValue.BS;
  }

  /**
   * Orders two scalars of the same type: numbers by value, strings by code point, bytes unsigned.
   */
  static int compare(AttributeValue a, AttributeValue b) {
    if (a instanceof AttributeValue.N x && b instanceof AttributeValue.N y) {
      return x.value().compareTo(y.value());
    } else if (a instanceof AttributeValue.S x && b instanceof AttributeValue.S y) {
      return compareCodePoints(x.value(), y.value());
    } else if (a instanceof AttributeValue.B x && b instanceof AttributeValue.B y) {
      return x.value().compareTo(y.value());
    }
    throw new IllegalArgumentException("not comparable: " + a + " " + b);
  }

  /** Code point order, which is UTF-8 byte order (String.compareTo is UTF-16 order). */
  static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }

  /** Ordering comparison; false for missing values, different types and non-scalars. */
  static boolean ordered(AttributeValue a, AttributeValue b) {
    return isScalar(a) && isScalar(b) && a.type() == b.type();
  }

  static boolean beginsWith(AttributeValue a, AttributeValue prefix) {
    if (a instanceof AttributeValue.S s && prefix instanceof AttributeValue.S p) {
      return s.value().startsWith(p.value());
    } else if (a instanceof AttributeValue.B s && prefix instanceof AttributeValue.B p) {
      return s.value().startsWith(p.value());
    }
    return false;
  }

  static boolean contains(AttributeValue hay, AttributeValue needle) {
    if (hay == null || needle == null) {
      return false;
    }
    if (hay instanceof AttributeValue.S s && needle instanceof AttributeValue.S n) {
      return s.value().contains(n.value());
    } else if (hay instanceof AttributeValue.B s && needle instanceof AttributeValue.B n) {
      return s.value().contains(n.value());
    } else if (hay instanceof AttributeValue.SS s && needle instanceof AttributeValue.S n) {
      return s.values().contains(n.value());
    } else if (hay instanceof AttributeValue.NS s && needle instanceof AttributeValue.N n) {
      return s.values().contains(n.value());
    } else if (hay instanceof AttributeValue.BS s && needle instanceof AttributeValue.B n) {
      return s.values().contains(n.value());
    } else if (hay instanceof AttributeValue.L l) {
      return l.values().contains(needle);
    }
    return false;
  }

  /** DynamoDB's size(): null for types that have no size, so comparisons with it are false. */
  static AttributeValue size(AttributeValue v) {
    long n;
    if (v instanceof AttributeValue.S s) {
      n = s.value().codePointCount(0, s.value().length());
    } else if (v instanceof AttributeValue.B b) {
      n = b.value().length();
    } else if (v instanceof AttributeValue.SS s) {
      n = s.values().size();
    } else if (v instanceof AttributeValue.NS s) {
      n = s.values().size();
    } else if (v instanceof AttributeValue.BS s) {
      n = s.values().size();
    } else if (v instanceof AttributeValue.M m) {
      n = m.values().size();
    } else if (v instanceof AttributeValue.L l) {
      n = l.values().size();
    } else {
      return null;
    }
    return AttributeValue.n(n);
  }

  /** The type words DynamoDB uses in ADD and DELETE operand messages. */
  static String longTypeName(AttributeValue v) {
    return switch (v.type()) {
      case S -> "STRING";
      case N -> "NUMBER";
      case B -> "BINARY";
      case BOOL -> "BOOLEAN";
      case NULL -> "NULL";
      case M -> "MAP";
      case L -> "LIST";
      case SS -> "STRING_SET";
      case NS -> "NUMBER_SET";
      case BS -> "BINARY_SET";
    };
  }

  /** How DynamoDB prints a literal in BETWEEN messages, e.g. {@code AttributeValue: {N:1}}. */
  static String render(AttributeValue v) {
    String body;
    if (v instanceof AttributeValue.S s) {
      body = s.value();
    } else if (v instanceof AttributeValue.N n) {
      body = n.text();
    } else if (v instanceof AttributeValue.B b) {
      body = b.value().toBase64();
    } else {
      body = AttributeJson.write(v).get(v.type().name()).toString();
    }
    return "AttributeValue: {" + v.type().name() + ":" + body + "}";
  }

  /** Exact arithmetic, refused (not rounded) beyond DynamoDB's number range and precision. */
  static AttributeValue.N arithmetic(BigDecimal a, BigDecimal b, boolean subtract) {
    BigDecimal r = subtract ? a.subtract(b) : a.add(b);
    if (Numbers.check(r) != Numbers.Problem.NONE) {
      AttributeJson.number(r.toString());
    }
    return new AttributeValue.N(r);
  }

  static AttributeValue union(AttributeValue a, AttributeValue b) {
    if (a instanceof AttributeValue.SS x && b instanceof AttributeValue.SS y) {
      Set<String> s = new LinkedHashSet<>(x.values());
      s.addAll(y.values());
      return new AttributeValue.SS(s);
    } else if (a instanceof AttributeValue.NS x && b instanceof AttributeValue.NS y) {
      Set<BigDecimal> s = new LinkedHashSet<>(x.values());
      s.addAll(y.values());
      return new AttributeValue.NS(s);
    } else if (a instanceof AttributeValue.BS x && b instanceof AttributeValue.BS y) {
      Set<dev.tidemark.model.Bytes> s = new LinkedHashSet<>(x.values());
      s.addAll(y.values());
      return new AttributeValue.BS(s);
    }
    return null;
  }

  /** Set difference; null when the result is empty (DynamoDB then removes the attribute). */
  static AttributeValue difference(AttributeValue a, AttributeValue b) {
    if (a instanceof AttributeValue.SS x && b instanceof AttributeValue.SS y) {
      Set<String> s = new LinkedHashSet<>(x.values());
      s.removeAll(y.values());
      return s.isEmpty() ? null : new AttributeValue.SS(s);
    } else if (a instanceof AttributeValue.NS x && b instanceof AttributeValue.NS y) {
      Set<BigDecimal> s = new LinkedHashSet<>(x.values());
      s.removeAll(y.values());
      return s.isEmpty() ? null : new AttributeValue.NS(s);
    } else if (a instanceof AttributeValue.BS x && b instanceof AttributeValue.BS y) {
      Set<dev.tidemark.model.Bytes> s = new LinkedHashSet<>(x.values());
      s.removeAll(y.values());
      return s.isEmpty() ? null : new AttributeValue.BS(s);
    }
    throw incorrectDataType();
  }

  static AttributeValue.L concat(AttributeValue a, AttributeValue b) {
    if (a instanceof AttributeValue.L x && b instanceof AttributeValue.L y) {
      List<AttributeValue> out = new ArrayList<>(x.values());
      out.addAll(y.values());
      return new AttributeValue.L(out);
    }
    throw incorrectDataType();
  }

  static DynamoException incorrectDataType() {
    return DynamoException.validation(
        "An operand in the update expression has an incorrect data type");
  }
}
