package dev.tidemark.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Well-formed UTF-16 text. JSON lets a request spell a lone surrogate as an escape ({@code
 * "\uD83D"}), which Jackson turns into a Java string that has no UTF-8 form; such a string must be
 * refused before it reaches storage, where encoding it would either fail or silently turn it into
 * '?' (so that two different keys could share one stored key).
 */
public final class Unicode {
  private Unicode() {}

  /**
   * Whether JSON text in {@code body} could decode to a string holding a surrogate: only through an
   * escape (a backslash), a multi-byte UTF-8 sequence (a byte of 0x80 or more), or a UTF-16 or
   * UTF-32 encoding (which Jackson detects, and whose '{' carries a zero byte). A body of other
   * ASCII bytes cannot, and most requests are such: for them the walk of the parsed tree in {@link
   * #firstIllFormed} is skipped. That walk read every character of every string and cost a 1 KB
   * PutItem several microseconds.
   */
  public static boolean maySpellSurrogates(byte[] body) {
    for (byte b : body) {
      // Signed: 0x80..0xFF are negative.
      if (b <= 0 || b == '\\') {
        return true;
      }
    }
    return false;
  }

  /** The index of the first unpaired surrogate in {@code s}, or -1 when it is well formed. */
  public static int unpairedSurrogateAt(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && i + 1 < s.length()
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return i;
        }
      }
    }
    return -1;
  }

  /**
   * The first string (a field name or a text value) anywhere in {@code node} that holds an unpaired
   * surrogate, or null when there is none.
   */
  public static String firstIllFormed(JsonNode node) {
    if (node.isTextual()) {
      return unpairedSurrogateAt(node.textValue()) >= 0 ? node.textValue() : null;
    }
    if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        if (unpairedSurrogateAt(f.getKey()) >= 0) {
          return f.getKey();
        }
        String inside = firstIllFormed(f.getValue());
        if (inside != null) {
          return inside;
        }
      }
    } else if (node.isArray()) {
      for (JsonNode element : node) {
        String inside = firstIllFormed(element);
        if (inside != null) {
          return inside;
        }
      }
    }
    return null;
  }
}
