package dev.tidemark.model;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One DynamoDB attribute value. Values are immutable; sets compare without regard to order, as
 * DynamoDB's do. Numbers are held in canonical form (see {@link Numbers}), so equal numbers are
 * equal records.
 */
public sealed interface AttributeValue {

  /** The DynamoDB type descriptor: S, N, B, SS, NS, BS, M, L, NULL or BOOL. */
  Type type();

  enum Type {
    S,
    N,
    B,
    SS,
    NS,
    BS,
    M,
    L,
    NULL,
    BOOL;

    public boolean isScalarKeyType() {
      return this == S || this == N || this == B;
    }
  }

  /**
   * A string. Its UTF-8 length travels with it because sizes are summed on every read and write
   * (page limits, capacity, the 400 KB check) and counting a 4 KB string char by char each time was
   * a fifth of a Query's CPU; decoding from storage knows the length for free.
   */
  record S(String value, int utf8Length) implements AttributeValue {
    public S {
      Objects.requireNonNull(value);
      assert utf8Length == ItemSize.utf8Length(value) : "wrong UTF-8 length for a string value";
    }

    public S(String value) {
      this(value, ItemSize.utf8Length(Objects.requireNonNull(value)));
    }

    @Override
    public Type type() {
      return Type.S;
    }

    public byte[] utf8() {
      return value.getBytes(StandardCharsets.UTF_8);
    }
  }

  record N(BigDecimal value) implements AttributeValue {
    public N {
      value = Numbers.canonical(value);
    }

    @Override
    public Type type() {
      return Type.N;
    }

    /** The number as DynamoDB returns it on the wire. */
    public String text() {
      return value.toPlainString(); // already canonical
    }
  }

  record B(Bytes value) implements AttributeValue {
    public B {
      Objects.requireNonNull(value);
    }

    @Override
    public Type type() {
      return Type.B;
    }
  }

  record SS(Set<String> values) implements AttributeValue {
    public SS {
      values = Collections.unmodifiableSet(new LinkedHashSet<>(values));
      if (values.isEmpty()) {
        throw new IllegalArgumentException("empty string set");
      }
    }

    @Override
    public Type type() {
      return Type.SS;
    }
  }

  record NS(Set<BigDecimal> values) implements AttributeValue {
    public NS {
      LinkedHashSet<BigDecimal> canonical = new LinkedHashSet<>();
      for (BigDecimal v : values) {
        canonical.add(Numbers.canonical(v));
      }
      values = Collections.unmodifiableSet(canonical);
      if (values.isEmpty()) {
        throw new IllegalArgumentException("empty number set");
      }
    }

    @Override
    public Type type() {
      return Type.NS;
    }
  }

  record BS(Set<Bytes> values) implements AttributeValue {
    public BS {
      values = Collections.unmodifiableSet(new LinkedHashSet<>(values));
      if (values.isEmpty()) {
        throw new IllegalArgumentException("empty binary set");
      }
    }

    @Override
    public Type type() {
      return Type.BS;
    }
  }

  record M(Map<String, AttributeValue> values) implements AttributeValue {
    public M {
      values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    @Override
    public Type type() {
      return Type.M;
    }
  }

  record L(List<AttributeValue> values) implements AttributeValue {
    public L {
      values = List.copyOf(values);
    }

    @Override
    public Type type() {
      return Type.L;
    }
  }

  record Null() implements AttributeValue {
    @Override
    public Type type() {
      return Type.NULL;
    }
  }

  record Bool(boolean value) implements AttributeValue {
    @Override
    public Type type() {
      return Type.BOOL;
    }
  }

  static S s(String v) {
    return new S(v);
  }

  static N n(String v) {
    return new N(new BigDecimal(v));
  }

  static N n(long v) {
    return new N(BigDecimal.valueOf(v));
  }

  static B b(byte[] v) {
    return new B(Bytes.copyOf(v));
  }
}
