package dev.tidemark.expressions;

import dev.tidemark.expressions.Token.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits expression text into tokens. Anything the grammar does not know becomes a one-character
 * {@code OTHER} token, so the parser, not the lexer, reports it: DynamoDB names the offending
 * character as the syntax error's token.
 */
final class Lexer {
  private Lexer() {}

  static List<Token> tokenize(String s) {
    List<Token> out = new ArrayList<>();
    int n = s.length();
    int i = 0;
    while (i < n) {
      char c = s.charAt(i);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        i++;
        continue;
      }
      int start = i;
      Kind kind;
      if (identStart(c)) {
        while (i < n && identPart(s.charAt(i))) {
          i++;
        }
        kind = Kind.IDENT;
      } else if (c >= '0' && c <= '9') {
        while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
          i++;
        }
        kind = Kind.NUMBER;
      } else if ((c == '#' || c == ':') && i + 1 < n && identPart(s.charAt(i + 1))) {
        i++;
        while (i < n && identPart(s.charAt(i))) {
          i++;
        }
        kind = c == '#' ? Kind.NAME : Kind.VALUE;
      } else {
        i++;
        kind =
            switch (c) {
              case '(' -> Kind.LPAREN;
              case ')' -> Kind.RPAREN;
              case '[' -> Kind.LBRACKET;
              case ']' -> Kind.RBRACKET;
              case ',' -> Kind.COMMA;
              case '.' -> Kind.DOT;
              case '+' -> Kind.PLUS;
              case '-' -> Kind.MINUS;
              case '=' -> Kind.EQ;
              case '<' -> {
                if (i < n && s.charAt(i) == '=') {
                  i++;
                  yield Kind.LE;
                } else if (i < n && s.charAt(i) == '>') {
                  i++;
                  yield Kind.NE;
                }
                yield Kind.LT;
              }
              case '>' -> {
                if (i < n && s.charAt(i) == '=') {
                  i++;
                  yield Kind.GE;
                }
                yield Kind.GT;
              }
              default -> {
                if (Character.isHighSurrogate(c) && i < n) {
                  i++;
                }
                yield Kind.OTHER;
              }
            };
      }
      out.add(new Token(kind, s.substring(start, i), start, i));
    }
    out.add(new Token(Kind.EOF, "<EOF>", n, n));
    return out;
  }

  private static boolean identStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }

  private static boolean identPart(char c) {
    return identStart(c) || (c >= '0' && c <= '9');
  }
}
