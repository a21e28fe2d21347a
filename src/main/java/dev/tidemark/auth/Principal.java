package dev.tidemark.auth;

import java.util.Objects;

/**
 * A verified caller: who signed the request, as IAM names it.
 *
 * @param account the 12-digit account id
 * @param userName the IAM user name, or null for the account root (the administrator)
 * @param userId the IAM user id ({@code AIDA...}), or the account id for the root
 * @param accessKeyId the access key that signed the request
 */
public record Principal(String account, String userName, String userId, String accessKeyId) {
  public Principal {
    Objects.requireNonNull(account);
    Objects.requireNonNull(userId);
    Objects.requireNonNull(accessKeyId);
  }

  /** The account root: not subject to identity policies, as on AWS. */
  public boolean isRoot() {
    return userName == null;
  }

  public String arn() {
    return isRoot()
        ? "arn:aws:iam::" + account + ":root"
        : "arn:aws:iam::" + account + ":user/" + userName;
  }
}
