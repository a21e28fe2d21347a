package dev.tidemark.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An identity-based IAM policy, parsed and compiled once (patterns become regular expressions) so
 * that evaluating it per request is cheap.
 *
 * <p>Matching is three-valued. A statement matches, does not match, or is <em>undecided</em>: its
 * condition names a key this server does not fill in, uses an operator it does not implement
 * (BinaryEquals), or names a policy variable it cannot resolve. An undecided Allow does not allow;
 * an undecided Deny denies. So an unsupported feature can only ever refuse more, never allow more.
 */
public final class PolicyDocument {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Whether a statement applies to a request. */
  enum Match {
    YES,
    NO,
    UNDECIDED
  }

  /** A policy that cannot be accepted; the message is IAM's MalformedPolicyDocument text. */
  public static final class MalformedPolicyException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedPolicyException(String message) {
      super(message);
    }
  }

  /**
   * Where a policy is used, which decides the elements it must and must not have: identity-based
   * policies name no principal; a role's trust policy names principals and no resource (the role is
   * the resource); a resource-based policy names both.
   */
  public enum Kind {
    IDENTITY,
    TRUST,
    RESOURCE
  }

  /**
   * @param principals for trust and resource policies: {@code *}, ARNs and account ids from {@code
   *     Principal.AWS}, and {@code service:} / {@code federated:} entries (which no caller of this
   *     server is); empty for identity policies
   */
  record Statement(
      boolean allow,
      List<String> actions,
      boolean notAction,
      List<String> resources,
      boolean notResource,
      List<ConditionClause> conditions,
      List<String> principals,
      boolean notPrincipal) {}

  record ConditionClause(String operator, String key, List<String> values) {}

  private final String text;
  private final List<Statement> statements;

  private PolicyDocument(String text, List<Statement> statements) {
    this.text = text;
    this.statements = List.copyOf(statements);
  }

  /** The document as given, for GetUserPolicy and GetPolicyVersion. */
  public String text() {
    return text;
  }

  List<Statement> statements() {
    return statements;
  }

  /** An identity-based policy. */
  public static PolicyDocument parse(String text) throws MalformedPolicyException {
    return parse(text, Kind.IDENTITY);
  }

  public static PolicyDocument parse(String text, Kind kind) throws MalformedPolicyException {
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (IOException e) {
      throw new MalformedPolicyException("Syntax errors in policy.");
    }
    if (root == null || !root.isObject()) {
      throw new MalformedPolicyException("Syntax errors in policy.");
    }
    JsonNode version = root.get("Version");
    if (version != null
        && !(version.isTextual()
            && (version.asText().equals("2012-10-17") || version.asText().equals("2008-10-17")))) {
      throw new MalformedPolicyException("The policy must contain a valid version string");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("Version") && !f.equals("Statement") && !f.equals("Id")) {
        throw new MalformedPolicyException("Syntax errors in policy.");
      }
    }
    JsonNode st = root.get("Statement");
    if (st == null) {
      throw new MalformedPolicyException("Syntax errors in policy.");
    }
    List<Statement> list = new ArrayList<>();
    if (st.isArray()) {
      for (JsonNode s : st) {
        list.add(statement(s, kind));
      }
    } else {
      list.add(statement(st, kind));
    }
    if (list.isEmpty()) {
      throw new MalformedPolicyException("Syntax errors in policy.");
    }
    return new PolicyDocument(text, list);
  }

  private static Statement statement(JsonNode s, Kind kind) throws MalformedPolicyException {
    if (!s.isObject()) {
      throw new MalformedPolicyException("Syntax errors in policy.");
    }
    boolean hasPrincipal = s.has("Principal") || s.has("NotPrincipal");
    if (kind == Kind.IDENTITY && hasPrincipal) {
      throw new MalformedPolicyException("Policy document should not specify a principal.");
    }
    if (kind != Kind.IDENTITY && !hasPrincipal) {
      throw new MalformedPolicyException("Missing required field Principal");
    }
    if (kind == Kind.TRUST && (s.has("Resource") || s.has("NotResource"))) {
      throw new MalformedPolicyException("Has prohibited field Resource");
    }
    for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!List.of(
              "Sid",
              "Effect",
              "Action",
              "NotAction",
              "Resource",
              "NotResource",
              "Condition",
              "Principal",
              "NotPrincipal")
          .contains(f)) {
        throw new MalformedPolicyException("Syntax errors in policy.");
      }
    }
    boolean notPrincipal = s.has("NotPrincipal");
    List<String> principals =
        hasPrincipal ? principals(s.get(notPrincipal ? "NotPrincipal" : "Principal")) : List.of();
    JsonNode effect = s.get("Effect");
    if (effect == null || !(effect.asText().equals("Allow") || effect.asText().equals("Deny"))) {
      throw new MalformedPolicyException("Syntax errors in policy.");
    }
    if (s.has("Action") == s.has("NotAction")) {
      throw new MalformedPolicyException("Policy statement must contain actions.");
    }
    if (kind != Kind.TRUST && s.has("Resource") == s.has("NotResource")) {
      throw new MalformedPolicyException("Policy statement must contain resources.");
    }
    boolean notAction = s.has("NotAction");
    List<String> actions = strings(s.get(notAction ? "NotAction" : "Action"));
    for (String a : actions) {
      if (!a.equals("*") && !a.matches("[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+")) {
        throw new MalformedPolicyException(
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
      }
    }
    boolean notResource = s.has("NotResource");
    // A trust policy's resource is the role it belongs to.
    List<String> resources =
        kind == Kind.TRUST
            ? List.of("*")
            : strings(s.get(notResource ? "NotResource" : "Resource"));
    for (String r : resources) {
      if (!r.equals("*") && !r.startsWith("arn:")) {
        throw new MalformedPolicyException("Resource " + r + " must be in ARN format or \"*\".");
      }
    }
    List<ConditionClause> conditions = new ArrayList<>();
    JsonNode cond = s.get("Condition");
    if (cond != null) {
      if (!cond.isObject()) {
        throw new MalformedPolicyException("Syntax errors in policy.");
      }
      for (Map.Entry<String, JsonNode> op : cond.properties()) {
        if (!op.getValue().isObject()) {
          throw new MalformedPolicyException("Syntax errors in policy.");
        }
        for (Map.Entry<String, JsonNode> key : op.getValue().properties()) {
          conditions.add(
              new ConditionClause(
                  op.getKey(), key.getKey().toLowerCase(Locale.ROOT), strings(key.getValue())));
        }
      }
    }
    return new Statement(
        effect.asText().equals("Allow"),
        actions,
        notAction,
        resources,
        notResource,
        conditions,
        principals,
        notPrincipal);
  }

  /** {@code "*"}, or {@code {"AWS": ..., "Service": ..., "Federated": ...}}. */
  private static List<String> principals(JsonNode p) throws MalformedPolicyException {
    if (p.isTextual()) {
      if (!p.asText().equals("*")) {
        throw new MalformedPolicyException("Invalid principal in policy: \"" + p.asText() + "\"");
      }
      return List.of("*");
    }
    if (!p.isObject()) {
      throw new MalformedPolicyException("Syntax errors in policy.");
    }
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : p.properties()) {
      for (String v : strings(e.getValue())) {
        switch (e.getKey()) {
          case "AWS" -> {
            if (!v.equals("*") && !v.matches("\\d{12}") && !v.startsWith("arn:")) {
              throw new MalformedPolicyException(
                  "Invalid principal in policy: \"AWS\":\"" + v + "\"");
            }
            out.add(v);
          }
          case "Service" -> out.add("service:" + v);
          case "Federated" -> out.add("federated:" + v);
          case "CanonicalUser" -> out.add("canonical:" + v);
          default -> throw new MalformedPolicyException("Syntax errors in policy.");
        }
      }
    }
    if (out.isEmpty()) {
      throw new MalformedPolicyException("Syntax errors in policy.");
    }
    return List.copyOf(out);
  }

  /** How a trust or resource policy statement's principals name a caller. */
  enum PrincipalMatch {
    /** Not named. */
    NONE,
    /** Named through its account ({@code arn:aws:iam::ACCOUNT:root} or the bare id). */
    ACCOUNT,
    /** Named itself (its ARN, its role's ARN for a role session, or {@code *}). */
    PRINCIPAL
  }

  static PrincipalMatch principalMatch(Statement s, Principal caller) {
    PrincipalMatch best = PrincipalMatch.NONE;
    for (String p : s.principals()) {
      PrincipalMatch m;
      if (p.equals("*")
          || p.equals(caller.arn())
          || (caller.session() != null && p.equals(caller.principalArn()))) {
        m = PrincipalMatch.PRINCIPAL;
      } else if (p.equals(caller.account())
          || p.equals("arn:aws:iam::" + caller.account() + ":root")) {
        m = caller.isRoot() ? PrincipalMatch.PRINCIPAL : PrincipalMatch.ACCOUNT;
      } else {
        m = PrincipalMatch.NONE;
      }
      if (m.compareTo(best) > 0) {
        best = m;
      }
    }
    if (s.notPrincipal()) {
      // NotPrincipal applies to everyone not listed; it never names anyone itself.
      return best == PrincipalMatch.NONE ? PrincipalMatch.ACCOUNT : PrincipalMatch.NONE;
    }
    return best;
  }

  private static List<String> strings(JsonNode n) throws MalformedPolicyException {
    List<String> out = new ArrayList<>();
    if (n.isArray()) {
      for (JsonNode e : n) {
        if (!e.isValueNode() || e.isNull()) {
          throw new MalformedPolicyException("Syntax errors in policy.");
        }
        out.add(e.asText());
      }
    } else if (n.isValueNode() && !n.isNull()) {
      out.add(n.asText());
    } else {
      throw new MalformedPolicyException("Syntax errors in policy.");
    }
    return out;
  }

  // ---- evaluation ----

  /** Whether {@code s} applies to {@code action} on {@code resource} with these facts. */
  static Match matches(Statement s, String action, String resource, Facts facts) {
    boolean actionHit = anyWildcard(s.actions(), action, true);
    if (actionHit == s.notAction()) {
      return Match.NO;
    }
    boolean undecided = false;
    boolean resourceHit = false;
    for (String pattern : s.resources()) {
      String resolved = substitute(pattern, facts);
      if (resolved == null) {
        undecided = true;
        continue;
      }
      if (wildcard(resolved, resource, false)) {
        resourceHit = true;
      }
    }
    if (s.notResource()) {
      if (resourceHit) {
        return Match.NO;
      }
    } else if (!resourceHit) {
      if (!undecided) {
        return Match.NO;
      }
    } else {
      undecided = false;
    }
    for (ConditionClause c : s.conditions()) {
      Match m = condition(c, facts);
      if (m == Match.NO) {
        return Match.NO;
      }
      if (m == Match.UNDECIDED) {
        undecided = true;
      }
    }
    return undecided ? Match.UNDECIDED : Match.YES;
  }

  private static Match condition(ConditionClause c, Facts facts) {
    String op = c.operator();
    String setQualifier = null;
    int colon = op.indexOf(':');
    if (colon >= 0) {
      setQualifier = op.substring(0, colon);
      op = op.substring(colon + 1);
      if (!setQualifier.equals("ForAllValues") && !setQualifier.equals("ForAnyValue")) {
        return Match.UNDECIDED;
      }
    }
    boolean ifExists = op.endsWith("IfExists");
    if (ifExists) {
      op = op.substring(0, op.length() - "IfExists".length());
    }
    if (facts.isUnknown(c.key())) {
      return Match.UNDECIDED;
    }
    List<String> policyValues = new ArrayList<>();
    for (String v : c.values()) {
      String resolved = substitute(v, facts);
      if (resolved == null) {
        return Match.UNDECIDED;
      }
      policyValues.add(resolved);
    }
    List<String> requestValues = facts.get(c.key());
    if (op.equals("Null")) {
      boolean absent = requestValues == null || requestValues.isEmpty();
      boolean wanted = policyValues.stream().anyMatch(v -> v.equalsIgnoreCase("true"));
      return absent == wanted ? Match.YES : Match.NO;
    }
    Boolean negated = negated(op);
    if (negated == null) {
      return Match.UNDECIDED;
    }
    if (setQualifier != null) {
      if (requestValues == null || requestValues.isEmpty()) {
        // As on AWS: every one of no values matches, none of them does.
        return setQualifier.equals("ForAllValues") ? Match.YES : Match.NO;
      }
      boolean all = true;
      boolean any = false;
      for (String rv : requestValues) {
        Match one = single(op, negated, rv, policyValues);
        if (one == Match.UNDECIDED) {
          return Match.UNDECIDED;
        }
        all &= one == Match.YES;
        any |= one == Match.YES;
      }
      return (setQualifier.equals("ForAllValues") ? all : any) ? Match.YES : Match.NO;
    }
    if (requestValues == null || requestValues.isEmpty()) {
      // A missing key satisfies IfExists and the negated operators, nothing else (IAM's rule).
      return ifExists || negated ? Match.YES : Match.NO;
    }
    // A multi-valued key without a set qualifier matches when any of its values does.
    boolean hit = false;
    for (String rv : requestValues) {
      Match one = single(op, negated, rv, policyValues);
      if (one == Match.UNDECIDED) {
        return Match.UNDECIDED;
      }
      hit |= one == Match.YES;
    }
    return hit ? Match.YES : Match.NO;
  }

  /** Whether an operator is a negated one; null for operators this server does not implement. */
  private static Boolean negated(String op) {
    switch (op) {
      case "StringEquals",
          "StringEqualsIgnoreCase",
          "StringLike",
          "NumericEquals",
          "NumericLessThan",
          "NumericLessThanEquals",
          "NumericGreaterThan",
          "NumericGreaterThanEquals",
          "DateEquals",
          "DateLessThan",
          "DateLessThanEquals",
          "DateGreaterThan",
          "DateGreaterThanEquals",
          "Bool",
          "IpAddress",
          "ArnEquals",
          "ArnLike" -> {
        return false;
      }
      case "StringNotEquals",
          "StringNotEqualsIgnoreCase",
          "StringNotLike",
          "NumericNotEquals",
          "DateNotEquals",
          "NotIpAddress",
          "ArnNotEquals",
          "ArnNotLike" -> {
        return true;
      }
      default -> {
        return null;
      }
    }
  }

  /** One request value against the policy's values: any (or, negated, none) must match. */
  private static Match single(String op, boolean negated, String rv, List<String> policyValues) {
    boolean any = false;
    for (String pv : policyValues) {
      Boolean m = compare(op, rv, pv);
      if (m == null) {
        return Match.UNDECIDED;
      }
      any |= m;
    }
    return (negated ? !any : any) ? Match.YES : Match.NO;
  }

  private static Boolean compare(String op, String rv, String pv) {
    switch (op) {
      case "StringEquals", "StringNotEquals", "ArnEquals", "ArnNotEquals" -> {
        return op.startsWith("Arn") ? wildcard(pv, rv, false) : rv.equals(pv);
      }
      case "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase" -> {
        return rv.equalsIgnoreCase(pv);
      }
      case "StringLike", "StringNotLike", "ArnLike", "ArnNotLike" -> {
        return wildcard(pv, rv, false);
      }
      case "Bool" -> {
        return rv.equalsIgnoreCase(pv);
      }
      case "NumericEquals",
          "NumericNotEquals",
          "NumericLessThan",
          "NumericLessThanEquals",
          "NumericGreaterThan",
          "NumericGreaterThanEquals" -> {
        try {
          int c = new BigDecimal(rv).compareTo(new BigDecimal(pv));
          return ordered(op.substring("Numeric".length()), c);
        } catch (NumberFormatException e) {
          return false;
        }
      }
      case "DateEquals",
          "DateNotEquals",
          "DateLessThan",
          "DateLessThanEquals",
          "DateGreaterThan",
          "DateGreaterThanEquals" -> {
        Instant r = instant(rv);
        Instant p = instant(pv);
        if (r == null || p == null) {
          return false;
        }
        return ordered(op.substring("Date".length()), r.compareTo(p));
      }
      case "IpAddress", "NotIpAddress" -> {
        return inCidr(rv, pv);
      }
      default -> {
        return null;
      }
    }
  }

  private static boolean ordered(String rel, int c) {
    return switch (rel) {
      case "Equals" -> c == 0;
      case "NotEquals" -> c == 0; // negation is applied by the caller
      case "LessThan" -> c < 0;
      case "LessThanEquals" -> c <= 0;
      case "GreaterThan" -> c > 0;
      default -> c >= 0;
    };
  }

  private static Instant instant(String v) {
    try {
      if (v.matches("\\d+")) {
        return Instant.ofEpochSecond(Long.parseLong(v));
      }
      if (v.matches("\\d{4}-\\d{2}-\\d{2}")) {
        return Instant.parse(v + "T00:00:00Z");
      }
      return OffsetDateTime.parse(v).toInstant();
    } catch (DateTimeParseException | NumberFormatException e) {
      return null;
    }
  }

  private static boolean inCidr(String address, String cidr) {
    try {
      int slash = cidr.indexOf('/');
      String net = slash < 0 ? cidr : cidr.substring(0, slash);
      if (!net.matches("[0-9a-fA-F:.]+") || !address.matches("[0-9a-fA-F:.]+")) {
        return false;
      }
      byte[] a = InetAddress.getByName(address).getAddress();
      byte[] n = InetAddress.getByName(net).getAddress();
      if (a.length != n.length) {
        return false;
      }
      int bits = slash < 0 ? a.length * 8 : Integer.parseInt(cidr.substring(slash + 1));
      if (bits < 0 || bits > a.length * 8) {
        return false;
      }
      for (int i = 0; i < bits; i++) {
        int mask = 0x80 >>> (i % 8);
        if ((a[i / 8] & mask) != (n[i / 8] & mask)) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException | NumberFormatException e) {
      return false;
    }
  }

  private static boolean anyWildcard(List<String> patterns, String value, boolean ignoreCase) {
    for (String p : patterns) {
      if (wildcard(p, value, ignoreCase)) {
        return true;
      }
    }
    return false;
  }

  /**
   * IAM's wildcards: {@code *} any run of characters, {@code ?} any one character. Matched by
   * walking both strings (a star remembers where to resume) instead of a regular expression: this
   * runs for every statement of every policy on every request.
   */
  static boolean wildcard(String pattern, String value, boolean ignoreCase) {
    if (pattern.equals("*")) {
      return true;
    }
    int p = 0;
    int v = 0;
    int star = -1;
    int resume = 0;
    int pn = pattern.length();
    int vn = value.length();
    while (v < vn) {
      if (p < pn) {
        char pc = pattern.charAt(p);
        if (pc == '*') {
          star = p++;
          resume = v;
          continue;
        }
        if (pc == '?' || same(pc, value.charAt(v), ignoreCase)) {
          p++;
          v++;
          continue;
        }
      }
      if (star < 0) {
        return false;
      }
      p = star + 1;
      v = ++resume;
    }
    while (p < pn && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pn;
  }

  private static boolean same(char a, char b, boolean ignoreCase) {
    if (a == b) {
      return true;
    }
    if (!ignoreCase) {
      return false;
    }
    // String.equalsIgnoreCase's rule, one character at a time.
    char ua = Character.toUpperCase(a);
    char ub = Character.toUpperCase(b);
    return ua == ub || Character.toLowerCase(ua) == Character.toLowerCase(ub);
  }

  /**
   * Resolves policy variables ({@code ${aws:username}}, and the escapes {@code ${*}}, {@code ${?}},
   * {@code ${$}}); null when a variable names a key the request lacks or this server does not know.
   */
  static String substitute(String s, Facts facts) {
    int start = s.indexOf("${");
    if (start < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (start >= 0) {
      int end = s.indexOf('}', start);
      if (end < 0) {
        break;
      }
      out.append(s, i, start);
      String var = s.substring(start + 2, end);
      switch (var) {
        case "*" -> out.append('*');
        case "?" -> out.append('?');
        case "$" -> out.append('$');
        default -> {
          String key = var.toLowerCase(Locale.ROOT);
          if (facts.isUnknown(key)) {
            return null;
          }
          List<String> v = facts.get(key);
          if (v == null || v.size() != 1) {
            return null;
          }
          out.append(v.get(0));
        }
      }
      i = end + 1;
      start = s.indexOf("${", i);
    }
    out.append(s.substring(i));
    return out.toString();
  }
}
