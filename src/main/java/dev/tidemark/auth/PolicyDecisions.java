package dev.tidemark.auth;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link PolicyEvaluator#decide}, remembered. A decision is a function of the policies (identity
 * and resource-based), the action, the resource, who the caller is and the condition keys the
 * evaluation looked at; the cache key holds all of them but the condition keys, whose values are
 * recorded beside the verdict and compared on every hit. So nothing can be stale:
 *
 * <ul>
 *   <li>an IAM write (a policy detached, a version made default, a membership ended) swaps in new
 *       compiled policy lists ({@link IdentityStore}), and a resource-policy change a new compiled
 *       document ({@link ResourcePolicyLookup}): the old key is never looked up again;
 *   <li>keys (their deactivation, their expiry) are checked before the policies are, on every
 *       request ({@link SigV4Verifier});
 *   <li>a condition on a key that differs between requests ({@code aws:SourceIp}, {@code
 *       aws:CurrentTime}, {@code dynamodb:LeadingKeys}) makes the entry miss whenever the value
 *       differs, and the decision is worked out again.
 * </ul>
 *
 * <p>What it saves is the walk over every statement of every policy (wildcard matches of actions
 * and resources, policy variables) on each request; a hit costs one map lookup and a comparison per
 * consulted key.
 */
final class PolicyDecisions {
  private static final int MAX_ENTRIES = 10_000;

  /**
   * Everything a decision depends on besides condition keys. Policies compare by identity: a
   * compiled document is never changed, and the lists are swapped whole on every IAM write. Hashed
   * by hand from parts whose hashes are cached or cheap (a profile showed the record's element-wise
   * list hashing and comparison).
   */
  private static final class Key {
    private final List<PolicyDocument> identity;
    private final PolicyDocument resourcePolicy;
    private final boolean resourcePolicyRequired;
    private final String action;
    private final String resource;
    private final Principal caller;
    private final int hash;

    Key(Check check, List<PolicyDocument> identity, Principal caller) {
      this.identity = identity;
      this.resourcePolicy = check.resourcePolicy();
      this.resourcePolicyRequired = check.resourcePolicyRequired();
      this.action = check.action();
      this.resource = check.resource();
      this.caller = caller;
      this.hash =
          ((System.identityHashCode(identity) * 31 + action.hashCode()) * 31 + resource.hashCode())
                  * 31
              + Objects.hashCode(caller.accessKeyId());
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k
          && hash == k.hash
          && identity == k.identity
          && resourcePolicy == k.resourcePolicy
          && resourcePolicyRequired == k.resourcePolicyRequired
          && action.equals(k.action)
          && resource.equals(k.resource)
          && (caller == k.caller || caller.equals(k.caller));
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /** A verdict and the condition keys it depended on, with their states then. */
  private record Entry(PolicyEvaluator.Verdict verdict, String[] keys, Object[] states) {
    boolean holds(Facts facts) {
      for (int i = 0; i < keys.length; i++) {
        if (!Objects.equals(states[i], facts.state(keys[i]))) {
          return false;
        }
      }
      return true;
    }
  }

  private final Map<Key, Entry> entries = new ConcurrentHashMap<>();

  /** {@link PolicyEvaluator#decide}'s verdict for this check, from the cache when it holds. */
  PolicyEvaluator.Verdict decide(
      List<PolicyDocument> identity, Check check, Principal caller, Facts facts) {
    Key key = new Key(check, identity, caller);
    Entry cached = entries.get(key);
    if (cached != null && cached.holds(facts)) {
      return cached.verdict();
    }
    PolicyEvaluator.Verdict verdict =
        PolicyEvaluator.decide(identity, check, caller, facts.recordLookups());
    String[] keys = facts.consulted().stream().distinct().toArray(String[]::new);
    Object[] states = new Object[keys.length];
    for (int i = 0; i < keys.length; i++) {
      states[i] = facts.state(keys[i]);
    }
    if (entries.size() >= MAX_ENTRIES) {
      // Bounded by principals x actions x resources in use; dropping all at once is rare.
      entries.clear();
    }
    entries.put(key, new Entry(verdict, keys, states));
    return verdict;
  }
}
