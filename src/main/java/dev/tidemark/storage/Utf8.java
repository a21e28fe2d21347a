package dev.tidemark.storage;

import java.nio.charset.StandardCharsets;

/** Strict UTF-8 encoding for values that end up on disk. */
final class Utf8 {
  private Utf8() {}

  /**
   * Encodes {@code s}, refusing unpaired surrogates. {@link String#getBytes} would silently turn
   * them into '?', so two distinct strings could share one stored key or come back changed.
   */
  static byte[] encode(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE) {
        if (Character.isHighSurrogate(c)
            && i + 1 < s.length()
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          throw new IllegalArgumentException("string has an unpaired surrogate at index " + i);
        }
      }
    }
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
