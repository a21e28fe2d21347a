package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/** IAM GetRole: describes a role, its trust policy included. */
public final class GetRole implements QueryAction {
  private final IdentityStore store;

  public GetRole(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:GetRole";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    x.open("Role");
    Params.role(x, store, store.role(Params.required(p, "RoleName")));
    x.close("Role");
    return true;
  }
}
