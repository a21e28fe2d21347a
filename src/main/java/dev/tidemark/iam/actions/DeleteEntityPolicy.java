package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/**
 * IAM Delete{User,Group,Role}Policy: deletes an inline policy. One class serves users, groups and
 * roles alike (IAM's Put/Get/Delete/List{User,Group,Role} operations differ only in the entity they
 * name).
 */
public final class DeleteEntityPolicy implements QueryAction {
  private final IdentityStore store;
  private final IdentityStore.Entity kind;

  public DeleteEntityPolicy(IdentityStore store, IdentityStore.Entity kind) {
    this.store = store;
    this.kind = kind;
  }

  @Override
  public String operation() {
    return "iam:Delete" + Params.capitalized(kind) + "Policy";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    String owner = Params.required(p, Params.nameParameter(kind));
    store.deleteInlinePolicy(kind, owner, Params.required(p, "PolicyName"));
    return false;
  }
}
