package dev.tidemark.auth;

import java.util.List;

/**
 * IAM's evaluation logic for identity-based policies: an explicit Deny in any policy wins; else an
 * Allow in any policy allows; else the request is implicitly denied.
 */
public final class PolicyEvaluator {
  private PolicyEvaluator() {}

  public enum Decision {
    ALLOW,
    IMPLICIT_DENY,
    EXPLICIT_DENY
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
}
