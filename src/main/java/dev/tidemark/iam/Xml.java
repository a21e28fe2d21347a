package dev.tidemark.iam;

import java.time.Instant;

/** A small writer for the query protocol's XML answers; text is always escaped. */
public final class Xml {
  private final StringBuilder out = new StringBuilder(512);

  public Xml open(String element) {
    out.append('<').append(element).append('>');
    return this;
  }

  public Xml close(String element) {
    out.append("</").append(element).append('>');
    return this;
  }

  /** An element with text; nothing when {@code text} is null. */
  public Xml text(String element, String text) {
    if (text != null) {
      open(element);
      escape(text);
      close(element);
    }
    return this;
  }

  public Xml date(String element, long epochMillis) {
    return text(element, Instant.ofEpochMilli(epochMillis).toString());
  }

  Xml raw(String s) {
    out.append(s);
    return this;
  }

  private void escape(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&apos;");
        default -> {
          if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') {
            out.append("&#").append((int) c).append(';');
          } else {
            out.append(c);
          }
        }
      }
    }
  }

  @Override
  public String toString() {
    return out.toString();
  }
}
