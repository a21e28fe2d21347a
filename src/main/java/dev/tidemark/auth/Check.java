package dev.tidemark.auth;

import java.util.Objects;

/**
 * One permission a request needs: an IAM action on a resource, with the condition keys that are
 * particular to it (the leading keys of one table's items, say), and the resource's own policy when
 * it has one.
 *
 * @param action the IAM action, e.g. {@code dynamodb:PutItem}
 * @param resource the resource ARN, or {@code *} for actions that take none (also when the request
 *     lacks the parameter naming it: only a policy on every resource can match, and the action then
 *     refuses the request for the missing parameter)
 * @param facts request-specific condition keys (merged over the caller's global keys)
 * @param resourcePolicy the resource-based policy of the resource (a role's trust policy), or null
 * @param resourcePolicyRequired whether the resource-based policy must allow too, whatever the
 *     caller's identity policies say: true for a role's trust policy (a role is never assumed
 *     without being trusted), false for policies that only add to identity-based ones
 */
public record Check(
    String action,
    String resource,
    Facts facts,
    PolicyDocument resourcePolicy,
    boolean resourcePolicyRequired) {
  public Check {
    Objects.requireNonNull(action);
    resource = resource == null ? "*" : resource;
    Objects.requireNonNull(facts);
  }

  public Check(String action, String resource, Facts facts) {
    this(action, resource, facts, null, false);
  }

  public Check(String action, String resource) {
    this(action, resource, new Facts());
  }
}
