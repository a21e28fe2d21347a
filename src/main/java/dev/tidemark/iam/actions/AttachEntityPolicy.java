package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/**
 * IAM Attach{User,Group,Role}Policy: attaches a managed policy; it applies from the next request
 * on. One class serves users, groups and roles alike (IAM's Put/Get/Delete/List{User,Group,Role}
 * operations differ only in the entity they name).
 */
public final class AttachEntityPolicy implements QueryAction {
  private final IdentityStore store;
  private final IdentityStore.Entity kind;

  public AttachEntityPolicy(IdentityStore store, IdentityStore.Entity kind) {
    this.store = store;
    this.kind = kind;
  }

  @Override
  public String operation() {
    return "iam:Attach" + Params.capitalized(kind) + "Policy";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    String owner = Params.required(p, Params.nameParameter(kind));
    store.attach(kind, owner, Params.required(p, "PolicyArn"));
    return false;
  }
}
