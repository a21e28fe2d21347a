package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/**
 * IAM ListAttached{User,Group,Role}Policies: the managed policies attached, paged. One class serves
 * users, groups and roles alike (IAM's Put/Get/Delete/List{User,Group,Role} operations differ only
 * in the entity they name).
 */
public final class ListAttachedEntityPolicies implements QueryAction {
  private final IdentityStore store;
  private final IdentityStore.Entity kind;

  public ListAttachedEntityPolicies(IdentityStore store, IdentityStore.Entity kind) {
    this.store = store;
    this.kind = kind;
  }

  @Override
  public String operation() {
    return "iam:ListAttached" + Params.capitalized(kind) + "Policies";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    String owner = Params.required(p, Params.nameParameter(kind));
    String prefix = Params.optional(p, "PathPrefix");
    Params.Page<IdentityStore.ManagedPolicy> page =
        Params.page(
            p,
            store.attachedPolicies(kind, owner).stream()
                .filter(m -> prefix == null || m.path().startsWith(prefix))
                .toList(),
            IdentityStore.ManagedPolicy::name);
    x.open("AttachedPolicies");
    for (IdentityStore.ManagedPolicy m : page.items()) {
      x.open("member")
          .text("PolicyName", m.name())
          .text("PolicyArn", store.policyArn(m))
          .close("member");
    }
    x.close("AttachedPolicies");
    page.end(x);
    return true;
  }
}
