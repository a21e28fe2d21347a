package dev.tidemark.auth;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The condition keys of one authorization check, by lower-case name. A key is either present with
 * its values (one for single-valued keys, any number for multi-valued ones such as {@code
 * dynamodb:LeadingKeys}), absent, or <em>unknown</em>: the server could not work out its value for
 * this request. Conditions on an unknown key, and on keys this server does not know at all, are
 * evaluated in the safe direction (see {@link PolicyDocument}).
 */
public final class Facts {
  /** Condition keys this server can fill in; a policy naming any other key never allows. */
  public static final java.util.Set<String> SUPPORTED =
      java.util.Set.of(
          "aws:sourceip",
          "aws:currenttime",
          "aws:epochtime",
          "aws:securetransport",
          "aws:principalarn",
          "aws:principalaccount",
          "aws:principaltype",
          "aws:username",
          "aws:userid",
          "aws:requestedregion",
          "aws:tokenissuetime",
          "sts:rolesessionname",
          "sts:externalid",
          "dynamodb:leadingkeys",
          "dynamodb:attributes",
          "dynamodb:select",
          "dynamodb:returnvalues",
          "dynamodb:returnconsumedcapacity");

  // A list of its own, compared by identity: List.of() is shared with every other empty list.
  private static final List<String> UNKNOWN =
      java.util.Collections.unmodifiableList(new java.util.ArrayList<>());

  private final Map<String, List<String>> values;
  // Keys this set lacks are looked up here: the request-wide keys under one check's own.
  private final Facts defaults;
  // Fills in the keys on the first look-up of one it provides (see later()); then null.
  private java.util.function.Consumer<Facts> fill;
  private java.util.Set<String> provides;
  // For a view (over()): the set whose keys it shows, filled before the view is read.
  private Facts origin;
  // While a decision is worked out for the cache (PolicyDecisions): every key it looked at.
  private List<String> consulted;

  public Facts() {
    this(new HashMap<>(), null);
  }

  private Facts(Map<String, List<String>> values, Facts defaults) {
    this.values = values;
    this.defaults = defaults;
  }

  /**
   * A read-only view of this set's keys over {@code defaults}'s, without copying either map for
   * every check of every request.
   */
  Facts over(Facts defaults) {
    Facts view = new Facts(values, defaults);
    view.origin = this;
    return view;
  }

  /**
   * Keys worked out only when an evaluation first looks up one of them. Most decisions come from
   * {@link PolicyDecisions} without reading these keys (no statement that applies has a condition
   * on them; a policy variable such as {@code ${aws:username}} reads the caller's keys, which are
   * built once per principal), and building every key of every request (leading keys, attributes,
   * the time) was the largest share of what the gate allocated. The keys are the same whenever they
   * are built: the fill reads only the request.
   *
   * @param provides the lower-case keys the fill may set; a look-up of any other key does not run
   *     it, so the fill must set no other (checked when it runs)
   */
  static Facts later(
      Facts defaults, java.util.Set<String> provides, java.util.function.Consumer<Facts> fill) {
    Facts f = new Facts(new HashMap<>(), defaults);
    f.provides = java.util.Objects.requireNonNull(provides);
    f.fill = java.util.Objects.requireNonNull(fill);
    return f;
  }

  private void filled(String lowerKey) {
    if (origin != null) {
      origin.filled(lowerKey);
    }
    java.util.function.Consumer<Facts> f = fill;
    if (f != null && (lowerKey == null || provides.contains(lowerKey))) {
      fill = null;
      f.accept(this);
      if (!provides.containsAll(values.keySet())) {
        throw new IllegalStateException("a fill set keys it does not provide: " + values.keySet());
      }
    }
  }

  /** {@link #put} for a key already in lower case (the request-wide keys, set on every request). */
  Facts putLower(String lowerKey, String value) {
    if (value != null) {
      values.put(lowerKey, List.of(value));
    }
    return this;
  }

  public Facts put(String key, String value) {
    if (value != null) {
      values.put(key.toLowerCase(Locale.ROOT), List.of(value));
    }
    return this;
  }

  public Facts putAll(String key, List<String> list) {
    values.put(key.toLowerCase(Locale.ROOT), List.copyOf(list));
    return this;
  }

  /** Marks a key whose value this request has but the server cannot determine. */
  public Facts unknown(String key) {
    values.put(key.toLowerCase(Locale.ROOT), UNKNOWN);
    return this;
  }

  /** True when the key's value cannot be relied on: unknown here, or a key we do not support. */
  boolean isUnknown(String lowerKey) {
    return !SUPPORTED.contains(lowerKey) || consult(lowerKey) == UNKNOWN;
  }

  /** The key's values, or null when absent. Call only when {@link #isUnknown} is false. */
  List<String> get(String lowerKey) {
    return consult(lowerKey);
  }

  /** From now on, remembers every key an evaluation looks at ({@link #consulted()}). */
  Facts recordLookups() {
    consulted = new java.util.ArrayList<>(4);
    return this;
  }

  /** The keys looked at since {@link #recordLookups()}, in order, possibly repeated. */
  List<String> consulted() {
    return consulted;
  }

  /**
   * What a key says, as an evaluation sees it: {@link #UNKNOWN_STATE} when it cannot be relied on,
   * else its values or null. Two requests with equal states for every key an evaluation consulted
   * get the same decision from it.
   */
  Object state(String lowerKey) {
    if (!SUPPORTED.contains(lowerKey)) {
      return UNKNOWN_STATE;
    }
    List<String> v = lookup(lowerKey);
    return v == UNKNOWN ? UNKNOWN_STATE : v;
  }

  static final Object UNKNOWN_STATE = new Object();

  private List<String> consult(String lowerKey) {
    if (consulted != null) {
      consulted.add(lowerKey);
    }
    return lookup(lowerKey);
  }

  private List<String> lookup(String lowerKey) {
    filled(lowerKey);
    List<String> v = values.get(lowerKey);
    return v == null && defaults != null ? defaults.lookup(lowerKey) : v;
  }

  @Override
  public String toString() {
    filled(null);
    return Objects.toString(values);
  }
}
