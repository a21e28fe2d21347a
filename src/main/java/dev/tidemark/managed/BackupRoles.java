package dev.tidemark.managed;

import dev.tidemark.auth.Check;
import dev.tidemark.auth.Facts;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.auth.PolicyEvaluator;
import dev.tidemark.auth.Principal;
import java.util.List;

/**
 * The roles jobs run under in {@code --auth iam} mode, decided as AWS Backup decides them: the role
 * must exist and its trust policy must let {@code backup.amazonaws.com} assume it ({@code
 * sts:AssumeRole}), then the role's identity-based policies must allow each action the job performs
 * on its resource, together with that resource's own resource-based policy (a table's
 * PutResourcePolicy document), as AWS evaluates them: an explicit Deny in either refuses, and
 * within the account an Allow in either suffices. Both go through {@link PolicyEvaluator#decide},
 * the server's one evaluator: the trust policy as the role's required resource-based policy with
 * the Backup service as the caller, the actions with a session of the role as the caller and each
 * resource's policy attached as the request gate attaches it.
 *
 * <p>The refusals are the job's StatusMessage in the forms AWS Backup reports: "The provided role
 * ... cannot be assumed by AWS Backup." and "Your backup job failed as AWS Backup does not have
 * permission to ... Please review your IAM policies to ensure AWS Backup can protect your
 * resources."
 */
public final class BackupRoles implements JobRoles {
  /** The service principal AWS Backup assumes roles as. */
  public static final String SERVICE = "backup.amazonaws.com";

  private static final long SESSION_MILLIS = 3_600_000L;

  private final IdentityStore identities;
  private final java.util.function.LongSupplier clock;
  private final java.util.function.UnaryOperator<Check> withResourcePolicy;

  /**
   * @param withResourcePolicy attaches a check's resource-based policy, when its resource has one:
   *     the request gate's own lookup ({@code AccessControl#withResourcePolicy})
   */
  public BackupRoles(
      IdentityStore identities,
      java.util.function.LongSupplier clock,
      java.util.function.UnaryOperator<Check> withResourcePolicy) {
    this.identities = identities;
    this.clock = clock;
    this.withResourcePolicy = withResourcePolicy;
  }

  @Override
  public String refusal(String roleArn, String job, List<Check> needs) {
    IdentityStore.Role role = roleArn == null ? null : identities.roleByArn(roleArn);
    if (role == null) {
      return cannotAssume(roleArn);
    }
    Check assume =
        new Check(
            "sts:AssumeRole", roleArn, new Facts(), identities.trustPolicy(role.name()), true);
    if (PolicyEvaluator.decide(
            List.of(), assume, Principal.service(identities.account(), SERVICE), new Facts())
        != PolicyEvaluator.Verdict.ALLOW) {
      return cannotAssume(roleArn);
    }
    long now = clock.getAsLong();
    Principal session =
        new Principal(
            identities.account(),
            null,
            role.id() + ":AWSBackup",
            "AWSBackup",
            new Principal.RoleSession(
                role.name(), role.path(), role.id(), "AWSBackup", now, now + SESSION_MILLIS));
    for (Check need : needs) {
      Check c = withResourcePolicy.apply(need);
      if (PolicyEvaluator.decide(identities.policiesOf(session), c, session, c.facts())
          != PolicyEvaluator.Verdict.ALLOW) {
        return "Access denied: Your "
            + job
            + " job failed as AWS Backup does not have permission to perform "
            + c.action()
            + " on resource "
            + c.resource()
            + " with role "
            + roleArn
            + ". Please review your IAM policies to ensure AWS Backup can protect your"
            + " resources.";
      }
    }
    return null;
  }

  private static String cannotAssume(String roleArn) {
    return "The provided role " + roleArn + " cannot be assumed by AWS Backup.";
  }
}
