package dev.tidemark.iam;

import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.actions.AttachUserPolicy;
import dev.tidemark.iam.actions.CreateAccessKey;
import dev.tidemark.iam.actions.CreatePolicy;
import dev.tidemark.iam.actions.CreateUser;
import dev.tidemark.iam.actions.DeleteAccessKey;
import dev.tidemark.iam.actions.DeletePolicy;
import dev.tidemark.iam.actions.DeleteUser;
import dev.tidemark.iam.actions.DeleteUserPolicy;
import dev.tidemark.iam.actions.DetachUserPolicy;
import dev.tidemark.iam.actions.GetCallerIdentity;
import dev.tidemark.iam.actions.GetPolicy;
import dev.tidemark.iam.actions.GetPolicyVersion;
import dev.tidemark.iam.actions.GetUser;
import dev.tidemark.iam.actions.GetUserPolicy;
import dev.tidemark.iam.actions.ListAccessKeys;
import dev.tidemark.iam.actions.ListAttachedUserPolicies;
import dev.tidemark.iam.actions.ListPolicies;
import dev.tidemark.iam.actions.ListUserPolicies;
import dev.tidemark.iam.actions.ListUsers;
import dev.tidemark.iam.actions.PutUserPolicy;
import dev.tidemark.iam.actions.UpdateAccessKey;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every IAM and STS operation served, by service-qualified name. */
public final class IamApi {
  private IamApi() {}

  public static Map<String, QueryAction> actions(IdentityStore store) {
    Map<String, QueryAction> byName = new LinkedHashMap<>();
    for (QueryAction a :
        List.of(
            new CreateUser(store),
            new GetUser(store),
            new ListUsers(store),
            new DeleteUser(store),
            new CreateAccessKey(store),
            new ListAccessKeys(store),
            new UpdateAccessKey(store),
            new DeleteAccessKey(store),
            new CreatePolicy(store),
            new GetPolicy(store),
            new GetPolicyVersion(store),
            new ListPolicies(store),
            new DeletePolicy(store),
            new AttachUserPolicy(store),
            new DetachUserPolicy(store),
            new ListAttachedUserPolicies(store),
            new PutUserPolicy(store),
            new GetUserPolicy(store),
            new DeleteUserPolicy(store),
            new ListUserPolicies(store),
            new GetCallerIdentity(store))) {
      if (byName.putIfAbsent(a.operation(), a) != null) {
        throw new IllegalStateException("registered twice: " + a.operation());
      }
    }
    return Map.copyOf(byName);
  }
}
