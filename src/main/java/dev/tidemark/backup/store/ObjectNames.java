package dev.tidemark.backup.store;

/**
 * The one set of rules for object names, shared by every store so that a layout that works in
 * memory also works on disk and in S3.
 *
 * <p>A name is 1 to 1024 characters of {@code [A-Za-z0-9._=$+-]} and {@code /}, split by {@code /}
 * into segments that are non-empty and do not start with {@code .}. That excludes {@code ..},
 * {@code .}, absolute paths, empty segments and the hidden files the directory store uses for
 * uploads in progress. The alphabet is a subset of S3's safe characters plus {@code $} (SYSTEM
 * backups are named {@code <table>$DeletedTableBackup}).
 */
public final class ObjectNames {
  public static final int MAX_LENGTH = 1024;

  private ObjectNames() {}

  /** Returns the name, or throws {@link IllegalArgumentException} saying what is wrong with it. */
  public static String validate(String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("object name must not be empty");
    }
    if (name.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "object name longer than "
              + MAX_LENGTH
              + " characters: "
              + name.substring(0, 40)
              + "...");
    }
    checkAlphabet(name, name);
    if (name.startsWith("/")) {
      throw new IllegalArgumentException("object name must be relative: " + name);
    }
    for (String segment : name.split("/", -1)) {
      checkSegment(segment, name);
    }
    return name;
  }

  /**
   * Validates a listing prefix: like a name, except that it may be empty and its last segment may
   * be partial (empty, or starting with {@code .}), since it only filters names as a string.
   */
  public static String validatePrefix(String prefix) {
    if (prefix == null) {
      throw new IllegalArgumentException("prefix must not be null");
    }
    if (prefix.isEmpty()) {
      return prefix;
    }
    checkAlphabet(prefix, prefix);
    if (prefix.startsWith("/")) {
      throw new IllegalArgumentException("prefix must be relative: " + prefix);
    }
    String[] segments = prefix.split("/", -1);
    for (int i = 0; i < segments.length - 1; i++) {
      checkSegment(segments[i], prefix);
    }
    return prefix;
  }

  private static void checkAlphabet(String s, String whole) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-'
              || c == '='
              || c == '$'
              || c == '+'
              || c == '/';
      if (!ok) {
        throw new IllegalArgumentException(
            "object name contains a character outside [A-Za-z0-9._=$+-/]: " + whole);
      }
    }
  }

  private static void checkSegment(String segment, String whole) {
    if (segment.isEmpty()) {
      throw new IllegalArgumentException("object name has an empty segment: " + whole);
    }
    if (segment.startsWith(".")) {
      throw new IllegalArgumentException(
          "object name segments must not start with '.' (no '.', '..' or hidden files): " + whole);
    }
  }
}
