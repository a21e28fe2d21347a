package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/**
 * STS AssumeRole: temporary credentials (an {@code ASIA...} key, its secret, a session token and
 * the expiry) for a session of a role. The gate has already decided that the role's trust policy
 * and the caller's policies let the caller assume it ({@code IamPermissions}); this validates the
 * session's name and length and issues the credentials.
 */
public final class AssumeRole implements QueryAction {
  /** STS's shortest session; the default is an hour. */
  static final int MIN_DURATION = 900;

  static final int DEFAULT_DURATION = 3600;

  /** A role session assuming another role (role chaining) gets at most an hour, as on AWS. */
  static final int CHAINED_MAX = 3600;

  private final IdentityStore store;

  public AssumeRole(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "sts:AssumeRole";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    String arn = Params.required(p, "RoleArn");
    String sessionName = Params.required(p, "RoleSessionName");
    Integer requested = Params.optionalInt(p, "DurationSeconds");
    if (arn.length() < 20 || arn.length() > 2048) {
      throw invalid(
          "Value '"
              + arn
              + "' at 'roleArn' failed to satisfy constraint: Member must have length "
              + (arn.length() < 20 ? "greater than or equal to 20" : "less than or equal to 2048"));
    }
    if (sessionName.length() < 2 || sessionName.length() > 64) {
      throw invalid(
          "Value '"
              + sessionName
              + "' at 'roleSessionName' failed to satisfy constraint: Member must have length "
              + (sessionName.length() < 2
                  ? "greater than or equal to 2"
                  : "less than or equal to 64"));
    }
    if (!sessionName.matches("[\\w+=,.@-]*")) {
      throw invalid(
          "Value '"
              + sessionName
              + "' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular"
              + " expression pattern: [\\w+=,.@-]*");
    }
    int duration = requested == null ? DEFAULT_DURATION : requested;
    if (duration < MIN_DURATION || duration > IdentityStore.MAX_SESSION_SECONDS) {
      throw invalid(
          "Value '"
              + duration
              + "' at 'durationSeconds' failed to satisfy constraint: Member must have value "
              + (duration < MIN_DURATION
                  ? "greater than or equal to " + MIN_DURATION
                  : "less than or equal to " + IdentityStore.MAX_SESSION_SECONDS));
    }
    if (p.has("Policy") || p.has("PolicyArns.member.1")) {
      // Session policies narrow a session; ignoring them would grant more than was asked for.
      throw new DynamoException(
          WireError.IAM_VALIDATION,
          "Session policies (Policy, PolicyArns) are not supported by this server.");
    }
    dev.tidemark.auth.Principal who = caller.principal();
    if (who.isRoot()) {
      throw new DynamoException(
          WireError.ACCESS_DENIED, "Roles may not be assumed by root accounts.");
    }
    IdentityStore.Role role = store.roleByArn(arn);
    if (role == null) {
      // Only reachable if the role went away after the gate let the request through.
      throw new DynamoException(
          WireError.ACCESS_DENIED,
          "User: "
              + who.arn()
              + " is not authorized to perform: sts:AssumeRole on resource: "
              + arn);
    }
    if (who.session() != null && duration > CHAINED_MAX) {
      throw new DynamoException(
          WireError.IAM_VALIDATION,
          "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by"
              + " role chaining.");
    }
    if (duration > role.maxSessionSeconds()) {
      throw new DynamoException(
          WireError.IAM_VALIDATION,
          "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
    }
    IdentityStore.TemporaryCredentials c = store.assumeRole(role, sessionName, duration);
    x.open("Credentials")
        .text("AccessKeyId", c.accessKeyId())
        .text("SecretAccessKey", c.secret())
        .text("SessionToken", c.sessionToken())
        .date("Expiration", c.session().expiresMillis())
        .close("Credentials")
        .open("AssumedRoleUser")
        .text("AssumedRoleId", role.id() + ":" + sessionName)
        .text(
            "Arn",
            "arn:aws:sts::" + store.account() + ":assumed-role/" + role.name() + "/" + sessionName)
        .close("AssumedRoleUser");
    return true;
  }

  private static DynamoException invalid(String constraint) {
    return new DynamoException(
        WireError.IAM_VALIDATION, "1 validation error detected: " + constraint);
  }
}
