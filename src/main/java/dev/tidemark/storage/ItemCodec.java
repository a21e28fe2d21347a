package dev.tidemark.storage;

import dev.tidemark.model.AttributeValue;
import dev.tidemark.model.Bytes;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compact binary form of items and attribute values as stored in RocksDB values. Format: {@code
 * docs/key-encoding.md}. Unlike {@link KeyEncoding} this format need not sort; it optimises for
 * size and decode speed, and a leading format byte lets later versions be read side by side.
 */
public final class ItemCodec {
  /** Leading byte of every encoding written by this version. */
  public static final int FORMAT_V1 = 0x01;

  static final int TAG_S = 0x01;
  static final int TAG_N = 0x02;
  static final int TAG_B = 0x03;
  static final int TAG_SS = 0x04;
  static final int TAG_NS = 0x05;
  static final int TAG_BS = 0x06;
  static final int TAG_M = 0x07;
  static final int TAG_L = 0x08;
  static final int TAG_NULL = 0x09;
  static final int TAG_FALSE = 0x0A;
  static final int TAG_TRUE = 0x0B;

  private ItemCodec() {}

  /** Encodes an item; attribute order is kept. */
  public static byte[] encode(Map<String, AttributeValue> item) {
    ByteSink out = new ByteSink(64);
    out.write(FORMAT_V1);
    writeEntries(item, out);
    return out.toArray();
  }

  /**
   * Decodes an {@link #encode}d item into a new mutable map in the stored attribute order. Throws
   * {@link IllegalArgumentException} on an unknown format byte or damaged input.
   */
  public static Map<String, AttributeValue> decode(byte[] bytes) {
    ByteSource in = open(bytes);
    Map<String, AttributeValue> item = readEntries(in);
    expectEnd(in);
    return item;
  }

  /** Encodes a single value, with the same leading format byte as an item. */
  public static byte[] encodeValue(AttributeValue v) {
    ByteSink out = new ByteSink(16);
    out.write(FORMAT_V1);
    writeValue(v, out);
    return out.toArray();
  }

  /** Decodes an {@link #encodeValue}d value. */
  public static AttributeValue decodeValue(byte[] bytes) {
    ByteSource in = open(bytes);
    AttributeValue v = readValue(in);
    expectEnd(in);
    return v;
  }

  private static ByteSource open(byte[] bytes) {
    ByteSource in = new ByteSource(bytes, 0, bytes.length);
    int format = in.readUnsignedByte();
    if (format != FORMAT_V1) {
      throw new IllegalArgumentException(String.format("unknown item format 0x%02x", format));
    }
    return in;
  }

  private static void expectEnd(ByteSource in) {
    if (in.remaining() != 0) {
      throw new IllegalArgumentException(in.remaining() + " trailing bytes after item");
    }
  }

  private static void writeEntries(Map<String, AttributeValue> entries, ByteSink out) {
    out.writeVarint(entries.size());
    for (Map.Entry<String, AttributeValue> e : entries.entrySet()) {
      writeString(e.getKey(), out);
      writeValue(e.getValue(), out);
    }
  }

  private static Map<String, AttributeValue> readEntries(ByteSource in) {
    int count = in.readCount();
    Map<String, AttributeValue> entries = new LinkedHashMap<>(Math.max(4, count * 4 / 3 + 1));
    for (int i = 0; i < count; i++) {
      String name = in.readUtf8(in.readCount());
      if (entries.put(name, readValue(in)) != null) {
        throw new IllegalArgumentException("duplicate attribute name " + name);
      }
    }
    return entries;
  }

  private static void writeValue(AttributeValue v, ByteSink out) {
    if (v instanceof AttributeValue.S s) {
      out.write(TAG_S);
      writeString(s.value(), out);
    } else if (v instanceof AttributeValue.N n) {
      out.write(TAG_N);
      writeNumber(n.value(), out);
    } else if (v instanceof AttributeValue.B b) {
      out.write(TAG_B);
      writeBytes(b.value(), out);
    } else if (v instanceof AttributeValue.SS ss) {
      out.write(TAG_SS);
      out.writeVarint(ss.values().size());
      for (String x : ss.values()) {
        writeString(x, out);
      }
    } else if (v instanceof AttributeValue.NS ns) {
      out.write(TAG_NS);
      out.writeVarint(ns.values().size());
      for (BigDecimal x : ns.values()) {
        writeNumber(x, out);
      }
    } else if (v instanceof AttributeValue.BS bs) {
      out.write(TAG_BS);
      out.writeVarint(bs.values().size());
      for (Bytes x : bs.values()) {
        writeBytes(x, out);
      }
    } else if (v instanceof AttributeValue.M m) {
      out.write(TAG_M);
      writeEntries(m.values(), out);
    } else if (v instanceof AttributeValue.L l) {
      out.write(TAG_L);
      out.writeVarint(l.values().size());
      for (AttributeValue x : l.values()) {
        writeValue(x, out);
      }
    } else if (v instanceof AttributeValue.Null) {
      out.write(TAG_NULL);
    } else if (v instanceof AttributeValue.Bool b) {
      out.write(b.value() ? TAG_TRUE : TAG_FALSE);
    } else {
      throw new IllegalArgumentException("cannot encode " + v);
    }
  }

  private static AttributeValue readValue(ByteSource in) {
    int tag = in.readUnsignedByte();
    switch (tag) {
      case TAG_S:
        {
          int length = in.readCount();
          return new AttributeValue.S(in.readUtf8(length), length);
        }
      case TAG_N:
        return new AttributeValue.N(readNumber(in));
      case TAG_B:
        return new AttributeValue.B(Bytes.copyOf(in.readBytes(in.readCount())));
      case TAG_SS:
        {
          int count = in.readCount();
          Set<String> values = new LinkedHashSet<>();
          for (int i = 0; i < count; i++) {
            values.add(in.readUtf8(in.readCount()));
          }
          return new AttributeValue.SS(checkedSet(values, count));
        }
      case TAG_NS:
        {
          int count = in.readCount();
          Set<BigDecimal> values = new LinkedHashSet<>();
          for (int i = 0; i < count; i++) {
            values.add(readNumber(in));
          }
          return new AttributeValue.NS(checkedSet(values, count));
        }
      case TAG_BS:
        {
          int count = in.readCount();
          Set<Bytes> values = new LinkedHashSet<>();
          for (int i = 0; i < count; i++) {
            values.add(Bytes.copyOf(in.readBytes(in.readCount())));
          }
          return new AttributeValue.BS(checkedSet(values, count));
        }
      case TAG_M:
        return new AttributeValue.M(readEntries(in));
      case TAG_L:
        {
          int count = in.readCount();
          List<AttributeValue> values = new ArrayList<>(count);
          for (int i = 0; i < count; i++) {
            values.add(readValue(in));
          }
          return new AttributeValue.L(values);
        }
      case TAG_NULL:
        return new AttributeValue.Null();
      case TAG_FALSE:
        return new AttributeValue.Bool(false);
      case TAG_TRUE:
        return new AttributeValue.Bool(true);
      default:
        throw new IllegalArgumentException(String.format("unknown value tag 0x%02x", tag));
    }
  }

  // An empty set is not a DynamoDB value and a duplicate cannot have been written by this codec;
  // either means damage, which the set constructors would otherwise hide or misreport.
  private static <T> Set<T> checkedSet(Set<T> values, int count) {
    if (count == 0 || values.size() != count) {
      throw new IllegalArgumentException("set with " + count + " elements decoded to " + values);
    }
    return values;
  }

  private static void writeString(String s, ByteSink out) {
    byte[] utf8 = Utf8.encode(s);
    out.writeVarint(utf8.length);
    out.write(utf8);
  }

  private static void writeBytes(Bytes b, ByteSink out) {
    byte[] raw = b.unsafeArray();
    out.writeVarint(raw.length);
    out.write(raw);
  }

  /*
   * A number is unscaled x 10^-scale. The first varint holds zigzag(scale) shifted left once, its
   * low bit saying how the unscaled value follows: 0 = zigzag varint (any long, the common case,
   * decoded without BigInteger), 1 = length-prefixed big-endian two's complement.
   */
  private static void writeNumber(BigDecimal v, ByteSink out) {
    BigInteger unscaled = v.unscaledValue();
    long zigzagScale = zigzag(v.scale());
    if (unscaled.bitLength() < Long.SIZE) {
      out.writeVarint(zigzagScale << 1);
      out.writeVarint(zigzag(unscaled.longValue()));
    } else {
      byte[] twos = unscaled.toByteArray();
      out.writeVarint((zigzagScale << 1) | 1);
      out.writeVarint(twos.length);
      out.write(twos);
    }
  }

  private static BigDecimal readNumber(ByteSource in) {
    long header = in.readVarint();
    long scale = unzigzag(header >>> 1);
    if (scale != (int) scale) {
      throw new IllegalArgumentException("number scale out of range: " + scale);
    }
    if ((header & 1) == 0) {
      return BigDecimal.valueOf(unzigzag(in.readVarint()), (int) scale);
    }
    int length = in.readCount();
    if (length == 0) {
      throw new IllegalArgumentException("empty big number");
    }
    return new BigDecimal(new BigInteger(in.readBytes(length)), (int) scale);
  }

  private static long zigzag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  private static long unzigzag(long v) {
    return (v >>> 1) ^ -(v & 1);
  }
}
