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

  record S(String value) implements AttributeValue {
    public S {
      Objects.requireNonNull(value);
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
      return Numbers.toWire(value);
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
