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
    int at = dev.tidemark.model.Unicode.unpairedSurrogateAt(s);
    if (at >= 0) {
      throw new IllegalArgumentException("string has an unpaired surrogate at index " + at);
    }
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
