package dev.tidemark.protocol;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Request ids shaped like DynamoDB's: 52 characters of upper-case letters and digits. They only
 * need to be unique enough to find a request in the log, not unguessable.
 */
public final class RequestIds {
  private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();
  private static final int LENGTH = 52;

  private RequestIds() {}

  public static String next() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] id = new char[LENGTH];
    long bits = 0;
    int left = 0;
    for (int i = 0; i < LENGTH; i++) {
      // One 64-bit draw yields 12 base-36 digits, so 5 draws cover an id instead of 52.
      if (left == 0) {
        bits = random.nextLong() & Long.MAX_VALUE;
        left = 12;
      }
      id[i] = ALPHABET[(int) (bits % 36)];
      bits /= 36;
      left--;
    }
    return new String(id);
  }
}
