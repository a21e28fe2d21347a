package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/**
 * IAM Get{User,Group,Role}Policy: returns an inline policy's document (URL-encoded, as IAM does).
 * One class serves users, groups and roles alike (IAM's Put/Get/Delete/List{User,Group,Role}
 * operations differ only in the entity they name).
 */
public final class GetEntityPolicy implements QueryAction {
  private final IdentityStore store;
  private final IdentityStore.Entity kind;

  public GetEntityPolicy(IdentityStore store, IdentityStore.Entity kind) {
    this.store = store;
    this.kind = kind;
  }

  @Override
  public String operation() {
    return "iam:Get" + Params.capitalized(kind) + "Policy";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    String owner = Params.required(p, Params.nameParameter(kind));
    String name = Params.required(p, "PolicyName");
    String document = store.inlinePolicy(kind, owner, name);
    x.text(Params.nameParameter(kind), owner)
        .text("PolicyName", name)
        .text("PolicyDocument", Params.encodedDocument(document));
    return true;
  }
}
