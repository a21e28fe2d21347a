package dev.tidemark.storage;

import java.util.Arrays;

/** Byte-string bounds for range scans. */
public final class KeyBounds {
  private KeyBounds() {}

  /**
   * The smallest byte string greater than every string that starts with {@code prefix}, or null
   * when there is none (the prefix is all 0xFF).
   */
  public static byte[] successor(byte[] prefix) {
    byte[] out = Arrays.copyOf(prefix, prefix.length);
    for (int i = out.length - 1; i >= 0; i--) {
      if (out[i] != (byte) 0xFF) {
        out[i]++;
        return Arrays.copyOf(out, i + 1);
      }
    }
    return null;
  }

  public static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
