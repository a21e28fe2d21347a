package dev.tidemark.awsbackup;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Method and path to operation, from the URI templates of the API model. The raw path is split on
 * {@code /} before each segment is percent-decoded, so a label holding an ARN sent with {@code %2F}
 * (every DynamoDB table ARN) stays one label. A trailing slash is optional, as clients differ.
 */
public final class Routes {
  private record Route(String method, List<String> segments, BackupAction action) {}

  /**
   * A matched operation and its path labels by member name ({@code backupVaultName} becomes {@code
   * BackupVaultName}).
   */
  public record Match(BackupAction action, Map<String, String> labels) {}

  private final List<Route> routes = new ArrayList<>();
  private final Set<String> firstSegments = new TreeSet<>();

  public Routes(Iterable<BackupAction> actions) {
    for (BackupAction a : actions) {
      List<String> segments = split(a.uri());
      for (Route r : routes) {
        if (r.method().equals(a.method()) && sameShape(r.segments(), segments)) {
          throw new IllegalStateException("two routes for " + a.method() + " " + a.uri());
        }
      }
      routes.add(new Route(a.method(), segments, a));
      firstSegments.add(segments.get(0));
    }
  }

  /** Whether the path belongs to this API at all (then it is answered here, routed or not). */
  public boolean claims(String rawPath) {
    List<String> s = split(rawPath);
    return !s.isEmpty() && firstSegments.contains(s.get(0));
  }

  public Optional<Match> match(String method, String rawPath) {
    List<String> path = split(rawPath);
    for (Route r : routes) {
      if (!r.method().equals(method) || r.segments().size() != path.size()) {
        continue;
      }
      Map<String, String> labels = new LinkedHashMap<>();
      boolean ok = true;
      for (int i = 0; i < path.size() && ok; i++) {
        String t = r.segments().get(i);
        if (t.startsWith("{")) {
          String value = decode(path.get(i));
          ok = value != null && !value.isEmpty();
          String name = t.substring(1, t.length() - 1);
          labels.put(name.substring(0, 1).toUpperCase(Locale.ROOT) + name.substring(1), value);
        } else {
          ok = t.equals(path.get(i));
        }
      }
      if (ok) {
        return Optional.of(new Match(r.action(), labels));
      }
    }
    return Optional.empty();
  }

  private static boolean sameShape(List<String> a, List<String> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      boolean la = a.get(i).startsWith("{");
      boolean lb = b.get(i).startsWith("{");
      if (la != lb || (!la && !a.get(i).equals(b.get(i)))) {
        return false;
      }
    }
    return true;
  }

  private static List<String> split(String path) {
    List<String> out = new ArrayList<>();
    for (String s : path.split("/", -1)) {
      out.add(s);
    }
    if (!out.isEmpty() && out.get(0).isEmpty()) {
      out.remove(0);
    }
    if (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
      out.remove(out.size() - 1);
    }
    return out;
  }

  /**
   * Percent-decoding of one path segment ({@code +} is a plus sign in a path), or null when it is
   * malformed.
   */
  static String decode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          return null;
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** The query string's parameters by wire name (first value wins), percent-decoded. */
  static Map<String, String> query(String rawQuery) {
    Map<String, String> out = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return out;
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = decode((eq < 0 ? pair : pair.substring(0, eq)).replace('+', ' '));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1).replace('+', ' '));
      if (name != null && value != null) {
        out.putIfAbsent(name, value);
      }
    }
    return out;
  }
}
