package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/**
 * IAM Put{User,Group,Role}Policy: creates or replaces an inline policy; it applies from the next
 * request on. One class serves users, groups and roles alike (IAM's
 * Put/Get/Delete/List{User,Group,Role} operations differ only in the entity they name).
 */
public final class PutEntityPolicy implements QueryAction {
  private final IdentityStore store;
  private final IdentityStore.Entity kind;

  public PutEntityPolicy(IdentityStore store, IdentityStore.Entity kind) {
    this.store = store;
    this.kind = kind;
  }

  @Override
  public String operation() {
    return "iam:Put" + Params.capitalized(kind) + "Policy";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    String owner = Params.required(p, Params.nameParameter(kind));
    store.putPolicy(
        kind, owner, Params.required(p, "PolicyName"), Params.required(p, "PolicyDocument"));
    return false;
  }
}
