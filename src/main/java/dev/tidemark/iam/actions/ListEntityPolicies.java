package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/**
 * IAM List{User,Group,Role}Policies: the names of the inline policies, paged. One class serves
 * users, groups and roles alike (IAM's Put/Get/Delete/List{User,Group,Role} operations differ only
 * in the entity they name).
 */
public final class ListEntityPolicies implements QueryAction {
  private final IdentityStore store;
  private final IdentityStore.Entity kind;

  public ListEntityPolicies(IdentityStore store, IdentityStore.Entity kind) {
    this.store = store;
    this.kind = kind;
  }

  @Override
  public String operation() {
    return "iam:List" + Params.capitalized(kind) + "Policies";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    String owner = Params.required(p, Params.nameParameter(kind));
    Params.Page<String> page = Params.page(p, store.inlinePolicyNames(kind, owner), n -> n);
    x.open("PolicyNames");
    for (String n : page.items()) {
      x.text("member", n);
    }
    x.close("PolicyNames");
    page.end(x);
    return true;
  }
}
