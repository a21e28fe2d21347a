package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/** IAM CreateRole: creates a role with the trust policy that says who may assume it. */
public final class CreateRole implements QueryAction {
  private final IdentityStore store;

  public CreateRole(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:CreateRole";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    IdentityStore.Role r =
        store.createRole(
            Params.required(p, "RoleName"),
            Params.optional(p, "Path"),
            Params.required(p, "AssumeRolePolicyDocument"),
            Params.optional(p, "Description"),
            Params.optionalInt(p, "MaxSessionDuration"));
    x.open("Role");
    Params.role(x, store, r);
    x.close("Role");
    return true;
  }
}
