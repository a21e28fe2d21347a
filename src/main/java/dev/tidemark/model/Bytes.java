package dev.tidemark.model;

import java.util.Arrays;
import java.util.Base64;

/**
 * An immutable byte string. Binary attribute values need value equality and DynamoDB's ordering
 * (unsigned, byte by byte), which a raw {@code byte[]} does not give.
 */
public final class Bytes implements Comparable<Bytes> {
  private final byte[] data;

  private Bytes(byte[] data) {
    this.data = data;
  }

  public static Bytes copyOf(byte[] data) {
    return new Bytes(data.clone());
  }

  public static Bytes fromBase64(String base64) {
    return new Bytes(Base64.getDecoder().decode(base64));
  }

  public int length() {
    return data.length;
  }

  public byte[] toArray() {
    return data.clone();
  }

  /** The backing array, for encoders that only read it. Callers must not modify it. */
  public byte[] unsafeArray() {
    return data;
  }

  public String toBase64() {
    return Base64.getEncoder().encodeToString(data);
  }

  public boolean startsWith(Bytes prefix) {
    return data.length >= prefix.data.length
        && Arrays.equals(data, 0, prefix.data.length, prefix.data, 0, prefix.data.length);
  }

  public boolean contains(Bytes needle) {
    outer:
    for (int i = 0; i + needle.data.length <= data.length; i++) {
      for (int j = 0; j < needle.data.length; j++) {
        if (data[i + j] != needle.data[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  @Override
  public int compareTo(Bytes other) {
    return Arrays.compareUnsigned(data, other.data);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Bytes b && Arrays.equals(data, b.data);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return toBase64();
  }
}
