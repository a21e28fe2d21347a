package dev.tidemark.iam;

import dev.tidemark.auth.IdentityStore;
import dev.tidemark.auth.IdentityStore.Entity;
import dev.tidemark.iam.actions.AddUserToGroup;
import dev.tidemark.iam.actions.AssumeRole;
import dev.tidemark.iam.actions.AttachEntityPolicy;
import dev.tidemark.iam.actions.CreateAccessKey;
import dev.tidemark.iam.actions.CreateGroup;
import dev.tidemark.iam.actions.CreatePolicy;
import dev.tidemark.iam.actions.CreatePolicyVersion;
import dev.tidemark.iam.actions.CreateRole;
import dev.tidemark.iam.actions.CreateUser;
import dev.tidemark.iam.actions.DeleteAccessKey;
import dev.tidemark.iam.actions.DeleteEntityPolicy;
import dev.tidemark.iam.actions.DeleteGroup;
import dev.tidemark.iam.actions.DeletePolicy;
import dev.tidemark.iam.actions.DeletePolicyVersion;
import dev.tidemark.iam.actions.DeleteRole;
import dev.tidemark.iam.actions.DeleteUser;
import dev.tidemark.iam.actions.DetachEntityPolicy;
import dev.tidemark.iam.actions.GetCallerIdentity;
import dev.tidemark.iam.actions.GetEntityPolicy;
import dev.tidemark.iam.actions.GetGroup;
import dev.tidemark.iam.actions.GetPolicy;
import dev.tidemark.iam.actions.GetPolicyVersion;
import dev.tidemark.iam.actions.GetRole;
import dev.tidemark.iam.actions.GetUser;
import dev.tidemark.iam.actions.ListAccessKeys;
import dev.tidemark.iam.actions.ListAttachedEntityPolicies;
import dev.tidemark.iam.actions.ListEntityPolicies;
import dev.tidemark.iam.actions.ListGroups;
import dev.tidemark.iam.actions.ListGroupsForUser;
import dev.tidemark.iam.actions.ListPolicies;
import dev.tidemark.iam.actions.ListPolicyVersions;
import dev.tidemark.iam.actions.ListRoles;
import dev.tidemark.iam.actions.ListUsers;
import dev.tidemark.iam.actions.PutEntityPolicy;
import dev.tidemark.iam.actions.RemoveUserFromGroup;
import dev.tidemark.iam.actions.SetDefaultPolicyVersion;
import dev.tidemark.iam.actions.UpdateAccessKey;
import dev.tidemark.iam.actions.UpdateAssumeRolePolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every IAM and STS operation served, by service-qualified name. */
public final class IamApi {
  private IamApi() {}

  public static Map<String, QueryAction> actions(IdentityStore store) {
    Map<String, QueryAction> byName = new LinkedHashMap<>();
    List<QueryAction> all =
        new ArrayList<>(
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
                new ListPolicies(store),
                new DeletePolicy(store),
                new CreatePolicyVersion(store),
                new GetPolicyVersion(store),
                new ListPolicyVersions(store),
                new DeletePolicyVersion(store),
                new SetDefaultPolicyVersion(store),
                new CreateGroup(store),
                new GetGroup(store),
                new ListGroups(store),
                new DeleteGroup(store),
                new AddUserToGroup(store),
                new RemoveUserFromGroup(store),
                new ListGroupsForUser(store),
                new CreateRole(store),
                new GetRole(store),
                new ListRoles(store),
                new DeleteRole(store),
                new UpdateAssumeRolePolicy(store),
                new GetCallerIdentity(store),
                new AssumeRole(store)));
    // Inline and attached policies work alike for users, groups and roles.
    for (Entity kind : Entity.values()) {
      all.add(new PutEntityPolicy(store, kind));
      all.add(new GetEntityPolicy(store, kind));
      all.add(new DeleteEntityPolicy(store, kind));
      all.add(new ListEntityPolicies(store, kind));
      all.add(new AttachEntityPolicy(store, kind));
      all.add(new DetachEntityPolicy(store, kind));
      all.add(new ListAttachedEntityPolicies(store, kind));
    }
    for (QueryAction a : all) {
      if (byName.putIfAbsent(a.operation(), a) != null) {
        throw new IllegalStateException("registered twice: " + a.operation());
      }
    }
    return Map.copyOf(byName);
  }
}
