package dev.tidemark.auth;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;

/**
 * What each IAM and STS operation needs permission for: {@code iam:<Action>} on the user, group,
 * role or policy it names (the caller's own user when an access-key operation names none, as IAM
 * does). {@code sts:GetCallerIdentity} needs no permission on AWS ("no permissions are required"),
 * so it yields no check; it is still authenticated. {@code sts:AssumeRole} is checked on the role,
 * with the role's trust policy as the resource-based policy that must allow too.
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
          "iam:ListPolicies",
          "iam:DeletePolicy",
          "iam:CreatePolicyVersion",
          "iam:GetPolicyVersion",
          "iam:ListPolicyVersions",
          "iam:DeletePolicyVersion",
          "iam:SetDefaultPolicyVersion",
          "iam:AttachUserPolicy",
          "iam:DetachUserPolicy",
          "iam:ListAttachedUserPolicies",
          "iam:PutUserPolicy",
          "iam:GetUserPolicy",
          "iam:DeleteUserPolicy",
          "iam:ListUserPolicies",
          "iam:CreateGroup",
          "iam:GetGroup",
          "iam:ListGroups",
          "iam:DeleteGroup",
          "iam:AddUserToGroup",
          "iam:RemoveUserFromGroup",
          "iam:ListGroupsForUser",
          "iam:AttachGroupPolicy",
          "iam:DetachGroupPolicy",
          "iam:ListAttachedGroupPolicies",
          "iam:PutGroupPolicy",
          "iam:GetGroupPolicy",
          "iam:DeleteGroupPolicy",
          "iam:ListGroupPolicies",
          "iam:CreateRole",
          "iam:GetRole",
          "iam:ListRoles",
          "iam:DeleteRole",
          "iam:UpdateAssumeRolePolicy",
          "iam:AttachRolePolicy",
          "iam:DetachRolePolicy",
          "iam:ListAttachedRolePolicies",
          "iam:PutRolePolicy",
          "iam:GetRolePolicy",
          "iam:DeleteRolePolicy",
          "iam:ListRolePolicies",
          "sts:GetCallerIdentity",
          "sts:AssumeRole");

  private final IdentityStore identities;

  public IamPermissions(IdentityStore identities) {
    this.identities = identities;
  }

  /** The checks an operation needs, or null when the operation is unknown here (refused). */
  public List<Check> checks(String operation, JsonNode in, Principal caller) {
    if (!OPERATIONS.contains(operation)) {
      return null;
    }
    return switch (operation) {
      case "sts:GetCallerIdentity" -> List.of();
      case "sts:AssumeRole" -> List.of(assumeRole(in));
      case "iam:ListUsers", "iam:ListPolicies", "iam:ListGroups", "iam:ListRoles" ->
          List.of(new Check(operation, "*"));
      case "iam:CreatePolicy" -> List.of(new Check(operation, created("policy", in, "PolicyName")));
      case "iam:CreateUser" -> List.of(new Check(operation, created("user", in, "UserName")));
      case "iam:CreateGroup" -> List.of(new Check(operation, created("group", in, "GroupName")));
      case "iam:CreateRole" -> List.of(new Check(operation, created("role", in, "RoleName")));
      default -> {
        if (operation.contains("PolicyVersion")
            || operation.equals("iam:GetPolicy")
            || operation.equals("iam:DeletePolicy")) {
          yield List.of(new Check(operation, nonNull(text(in, "PolicyArn"))));
        }
        if (text(in, "GroupName") != null) {
          // Membership changes are on the group, as on IAM.
          yield List.of(new Check(operation, existing("group", text(in, "GroupName"))));
        }
        if (text(in, "RoleName") != null) {
          yield List.of(new Check(operation, existing("role", text(in, "RoleName"))));
        }
        String user = text(in, "UserName");
        String arn = user == null ? caller.arn() : existing("user", user);
        yield List.of(new Check(operation, arn));
      }
    };
  }

  /**
   * On the role named by RoleArn, with its trust policy required to allow the caller; a role that
   * does not exist has no trust policy, so it is refused like one that does not trust the caller
   * (AWS does not say which).
   */
  private Check assumeRole(JsonNode in) {
    String arn = nonNull(text(in, "RoleArn"));
    IdentityStore.Role role = identities.roleByArn(arn);
    Facts facts = new Facts();
    facts.put("sts:RoleSessionName", text(in, "RoleSessionName"));
    facts.put("sts:ExternalId", text(in, "ExternalId"));
    PolicyDocument trust = role == null ? null : identities.trustPolicy(role.name());
    return new Check("sts:AssumeRole", arn, facts, trust, true);
  }

  /** The ARN an entity will have once created: its type, its path (default /) and its name. */
  private String created(String type, JsonNode in, String nameField) {
    String path = text(in, "Path");
    return "arn:aws:iam::"
        + identities.account()
        + ":"
        + type
        + (path == null ? "/" : path)
        + nonNull(text(in, nameField));
  }

  /** The ARN of a user, group or role by name, with its path when it exists. */
  private String existing(String type, String name) {
    String path = "/";
    try {
      path =
          switch (type) {
            case "user" -> identities.user(name).path();
            case "group" -> identities.group(name).path();
            default -> identities.role(name).path();
          };
    } catch (dev.tidemark.errors.DynamoException absent) {
      // Not there: the action answers NoSuchEntity to whoever may ask.
    }
    return "arn:aws:iam::" + identities.account() + ":" + type + path + name;
  }

  private static String nonNull(String s) {
    return s == null ? "" : s;
  }

  private static String text(JsonNode in, String field) {
    JsonNode n = in == null ? null : in.get(field);
    return n != null && n.isTextual() ? n.asText() : null;
  }
}
