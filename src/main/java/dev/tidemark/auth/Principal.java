package dev.tidemark.auth;

import java.util.Objects;

/**
 * A verified caller: who signed the request, as IAM names it.
 *
 * @param account the 12-digit account id
 * @param userName the IAM user name, or null for the account root and for role sessions
 * @param userId the IAM user id ({@code AIDA...}), the account id for the root, or {@code
 *     AROA...:session} for a role session
 * @param accessKeyId the access key that signed the request
 * @param session the role session, when the request was signed with temporary credentials that
 *     {@code sts:AssumeRole} issued; null otherwise
 */
public record Principal(
    String account, String userName, String userId, String accessKeyId, RoleSession session) {
  public Principal {
    Objects.requireNonNull(account);
    Objects.requireNonNull(userId);
    Objects.requireNonNull(accessKeyId);
    if (session != null && userName != null) {
      throw new IllegalArgumentException("a role session is not a user");
    }
  }

  public Principal(String account, String userName, String userId, String accessKeyId) {
    this(account, userName, userId, accessKeyId, null);
  }

  /**
   * A session of a role: what the temporary credentials stand for.
   *
   * @param roleName the role assumed
   * @param rolePath the role's path ({@code /} by default), part of its ARN
   * @param roleId the role's unique id ({@code AROA...}): a role deleted and created again under
   *     the same name has another id, so the old sessions no longer match it
   * @param sessionName the RoleSessionName the caller chose
   * @param issuedMillis when the credentials were issued ({@code aws:TokenIssueTime})
   * @param expiresMillis when they stop working
   */
  public record RoleSession(
      String roleName,
      String rolePath,
      String roleId,
      String sessionName,
      long issuedMillis,
      long expiresMillis) {
    public RoleSession {
      Objects.requireNonNull(roleName);
      Objects.requireNonNull(rolePath);
      Objects.requireNonNull(roleId);
      Objects.requireNonNull(sessionName);
      if (expiresMillis <= issuedMillis) {
        throw new IllegalArgumentException("a session must end after it starts");
      }
    }
  }

  private static final String SERVICE = "service:";

  /**
   * An AWS service acting in {@code account}, as a trust policy's {@code Principal.Service} names
   * it ({@code backup.amazonaws.com}): never a caller of this server, only the side that assumes a
   * role the server's own jobs run under. It is neither the root nor a user.
   */
  public static Principal service(String account, String host) {
    return new Principal(account, null, SERVICE + host, SERVICE + host, null);
  }

  /** The account root: not subject to identity policies, as on AWS. */
  public boolean isRoot() {
    return userName == null && session == null && !userId.startsWith(SERVICE);
  }

  /** The ARN requests are evaluated as and refusals name. */
  public String arn() {
    if (userName == null && session == null && userId.startsWith(SERVICE)) {
      // As the policy parser files a Principal.Service entry.
      return userId;
    }
    if (session != null) {
      return "arn:aws:sts::"
          + account
          + ":assumed-role/"
          + session.roleName()
          + "/"
          + session.sessionName();
    }
    return isRoot()
        ? "arn:aws:iam::" + account + ":root"
        : "arn:aws:iam::" + account + ":user/" + userName;
  }

  /**
   * {@code aws:PrincipalArn}: for a role session the role's ARN (what policies name to mean every
   * session of it), otherwise {@link #arn()}.
   */
  public String principalArn() {
    return session == null
        ? arn()
        : "arn:aws:iam::" + account + ":role" + session.rolePath() + session.roleName();
  }

  /** {@code aws:PrincipalType}, as IAM names it. */
  public String principalType() {
    return session != null ? "AssumedRole" : isRoot() ? "Account" : "User";
  }
}
