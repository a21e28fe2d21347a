package dev.tidemark.expressions;

import java.util.Locale;

/** One lexical token with its position in the source text, kept for syntax-error messages. */
record Token(Kind kind, String text, int start, int end) {
  enum Kind {
    IDENT,
    NAME,
    VALUE,
    NUMBER,
    LPAREN,
    RPAREN,
    LBRACKET,
    RBRACKET,
    COMMA,
    DOT,
    EQ,
    NE,
    LT,
    LE,
    GT,
    GE,
    PLUS,
    MINUS,
    OTHER,
    EOF
  }

  boolean is(Kind k) {
    return kind == k;
  }

  boolean isKeyword(String upper) {
    return kind == Kind.IDENT && text.toUpperCase(Locale.ROOT).equals(upper);
  }

  boolean isComparator() {
    return switch (kind) {
      case EQ, NE, LT, LE, GT, GE -> true;
      default -> false;
    };
  }
}
