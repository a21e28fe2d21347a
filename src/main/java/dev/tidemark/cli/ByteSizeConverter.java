package dev.tidemark.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Reads sizes as people write them: {@code 0}, {@code 4096}, {@code 512k}, {@code 64m}, {@code 2g},
 * {@code 1t} (binary units; {@code 64MiB} and {@code 64mb} mean the same).
 */
final class ByteSizeConverter implements CommandLine.ITypeConverter<Long> {
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]?)(i?b)?");

  @Override
  public Long convert(String value) {
    return parse(value);
  }

  static long parse(String value) {
    Matcher m = SIZE.matcher(value.strip().toLowerCase(Locale.ROOT));
    if (!m.matches() || (m.group(2).isEmpty() && m.group(3) != null && m.group(3).equals("ib"))) {
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not a size; write it like 512m, 2g or 1073741824");
    }
    int shift =
        switch (m.group(2)) {
          case "k" -> 10;
          case "m" -> 20;
          case "g" -> 30;
          case "t" -> 40;
          default -> 0;
        };
    long n;
    try {
      n = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      throw new CommandLine.TypeConversionException("'" + value + "' is too large");
    }
    if (n > (Long.MAX_VALUE >> shift)) {
      throw new CommandLine.TypeConversionException("'" + value + "' is too large");
    }
    return n << shift;
  }
}
