package dev.tidemark.auth;

import java.util.List;

/**
 * IAM's evaluation logic. Identity-based policies: an explicit Deny in any policy wins; else an
 * Allow in any policy allows; else the request is implicitly denied. A resource-based policy (a
 * role's trust policy, a table's or a stream's policy) takes part as AWS describes for the same
 * account: an explicit Deny in it wins too; an Allow that names the caller itself (its ARN, its
 * role's ARN for a role session, or {@code *}) allows on its own; an Allow that names only the
 * caller's account delegates to the account's identity-based policies, which must allow as well.
 * Across accounts (the resource's ARN names another account than the caller's) both must allow: the
 * caller's identity-based policies and the resource's policy, naming the caller or its account.
 */
public final class PolicyEvaluator {
  private PolicyEvaluator() {}

  public enum Decision {
    ALLOW,
    IMPLICIT_DENY,
    EXPLICIT_DENY
  }

  /** The outcome of one check with both kinds of policy, and which kind refused. */
  public enum Verdict {
    ALLOW,
    /** No identity-based policy allows. */
    NO_IDENTITY_ALLOW,
    /** A required resource-based policy (a trust policy) does not allow. */
    NO_RESOURCE_ALLOW,
    IDENTITY_DENY,
    RESOURCE_DENY
  }

  public static Decision evaluate(
      List<PolicyDocument> policies, String action, String resource, Facts facts) {
    boolean allowed = false;
    for (PolicyDocument p : policies) {
      for (PolicyDocument.Statement s : p.statements()) {
        PolicyDocument.Match m = PolicyDocument.matches(s, action, resource, facts);
        if (s.allow()) {
          allowed |= m == PolicyDocument.Match.YES;
        } else if (m != PolicyDocument.Match.NO) {
          // An undecided Deny denies: not knowing a condition's value must not open a door.
          return Decision.EXPLICIT_DENY;
        }
      }
    }
    return allowed ? Decision.ALLOW : Decision.IMPLICIT_DENY;
  }

  /** Identity-based policies and the check's resource-based policy together. */
  public static Verdict decide(
      List<PolicyDocument> identity, Check check, Principal caller, Facts facts) {
    Decision id = evaluate(identity, check.action(), check.resource(), facts);
    if (id == Decision.EXPLICIT_DENY) {
      return Verdict.IDENTITY_DENY;
    }
    PolicyDocument rp = check.resourcePolicy();
    PolicyDocument.PrincipalMatch granted = PolicyDocument.PrincipalMatch.NONE;
    if (rp != null) {
      for (PolicyDocument.Statement s : rp.statements()) {
        PolicyDocument.PrincipalMatch who = PolicyDocument.principalMatch(s, caller);
        if (who == PolicyDocument.PrincipalMatch.NONE) {
          continue;
        }
        PolicyDocument.Match m = PolicyDocument.matches(s, check.action(), check.resource(), facts);
        if (!s.allow()) {
          if (m != PolicyDocument.Match.NO) {
            return Verdict.RESOURCE_DENY;
          }
        } else if (m == PolicyDocument.Match.YES && who.compareTo(granted) > 0) {
          granted = who;
        }
      }
    }
    if (!sameAccount(check.resource(), caller.account())) {
      if (id != Decision.ALLOW) {
        return Verdict.NO_IDENTITY_ALLOW;
      }
      return granted == PolicyDocument.PrincipalMatch.NONE
          ? Verdict.NO_RESOURCE_ALLOW
          : Verdict.ALLOW;
    }
    if (granted == PolicyDocument.PrincipalMatch.PRINCIPAL) {
      return Verdict.ALLOW;
    }
    if (granted == PolicyDocument.PrincipalMatch.NONE && check.resourcePolicyRequired()) {
      return Verdict.NO_RESOURCE_ALLOW;
    }
    return id == Decision.ALLOW ? Verdict.ALLOW : Verdict.NO_IDENTITY_ALLOW;
  }

  /**
   * Whether a resource explicitly denies the caller in its resource-based policy: the only thing
   * that binds the account root, whose identity is not subject to identity-based policies.
   */
  static boolean resourceDenies(PolicyDocument rp, Check check, Principal caller, Facts facts) {
    for (PolicyDocument.Statement s : rp.statements()) {
      if (!s.allow()
          && PolicyDocument.principalMatch(s, caller) != PolicyDocument.PrincipalMatch.NONE
          && PolicyDocument.matches(s, check.action(), check.resource(), facts)
              != PolicyDocument.Match.NO) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether an ARN belongs to {@code account} (its fifth field), without allocating: this runs for
   * every check of every request. {@code *} and ARNs without an account (S3's) count as the same.
   */
  static boolean sameAccount(String resource, String account) {
    int start = 0;
    for (int field = 0; field < 4; field++) {
      start = resource.indexOf(':', start) + 1;
      if (start == 0) {
        return true;
      }
    }
    int end = resource.indexOf(':', start);
    if (end < 0 || end == start) {
      return true;
    }
    return end - start == account.length() && resource.startsWith(account, start);
  }
}
