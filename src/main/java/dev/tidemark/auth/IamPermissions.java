package dev.tidemark.auth;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;

/**
 * What each IAM and STS operation needs permission for: {@code iam:<Action>} on the user or policy
 * it names (the caller's own user when an access-key operation names none, as IAM does). {@code
 * sts:GetCallerIdentity} needs no permission on AWS ("no permissions are required"), so it yields
 * no check; it is still authenticated.
 */
public final class IamPermissions {
  public static final Set<String> OPERATIONS =
      Set.of(
          "iam:CreateUser",
          "iam:GetUser",
          "iam:ListUsers",
          "iam:DeleteUser",
          "iam:CreateAccessKey",
          "iam:ListAccessKeys",
          "iam:UpdateAccessKey",
          "iam:DeleteAccessKey",
          "iam:CreatePolicy",
          "iam:GetPolicy",
          "iam:GetPolicyVersion",
          "iam:ListPolicies",
          "iam:DeletePolicy",
          "iam:AttachUserPolicy",
          "iam:DetachUserPolicy",
          "iam:ListAttachedUserPolicies",
          "iam:PutUserPolicy",
          "iam:GetUserPolicy",
          "iam:DeleteUserPolicy",
          "iam:ListUserPolicies",
          "sts:GetCallerIdentity");

  private final IdentityStore identities;

  public IamPermissions(IdentityStore identities) {
    this.identities = identities;
  }

  /** The checks an operation needs, or null when the operation is unknown here (refused). */
  public List<Check> checks(String operation, JsonNode in, Principal caller) {
    if (!OPERATIONS.contains(operation)) {
      return null;
    }
    String account = identities.account();
    return switch (operation) {
      case "sts:GetCallerIdentity" -> List.of();
      case "iam:ListUsers", "iam:ListPolicies" -> List.of(new Check(operation, "*"));
      case "iam:CreatePolicy" ->
          List.of(new Check(operation, created(account, "policy", in, "PolicyName")));
      case "iam:GetPolicy", "iam:GetPolicyVersion", "iam:DeletePolicy" ->
          List.of(new Check(operation, nonNull(text(in, "PolicyArn"))));
      case "iam:CreateUser" ->
          List.of(new Check(operation, created(account, "user", in, "UserName")));
      default -> {
        String user = text(in, "UserName");
        String arn = user == null ? caller.arn() : userArn(user);
        yield List.of(new Check(operation, arn));
      }
    };
  }

  /** The ARN an entity will have once created: its type, its path (default /) and its name. */
  private static String created(String account, String type, JsonNode in, String nameField) {
    String path = text(in, "Path");
    return "arn:aws:iam::"
        + account
        + ":"
        + type
        + (path == null ? "/" : path)
        + nonNull(text(in, nameField));
  }

  private String userArn(String name) {
    String path = "/";
    for (IdentityStore.User u : identities.users()) {
      if (u.name().equals(name)) {
        path = u.path();
      }
    }
    return "arn:aws:iam::" + identities.account() + ":user" + path + name;
  }

  private static String nonNull(String s) {
    return s == null ? "" : s;
  }

  private static String text(JsonNode in, String field) {
    JsonNode n = in == null ? null : in.get(field);
    return n != null && n.isTextual() ? n.asText() : null;
  }
}
