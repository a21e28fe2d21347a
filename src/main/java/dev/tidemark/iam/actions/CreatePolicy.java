package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/** IAM CreatePolicy: Creates a customer-managed policy (one version, v1). */
public final class CreatePolicy implements QueryAction {
  private final IdentityStore store;

  public CreatePolicy(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:CreatePolicy";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    IdentityStore.ManagedPolicy m =
        store.createPolicy(
            Params.required(p, "PolicyName"),
            Params.optional(p, "Path"),
            Params.required(p, "PolicyDocument"),
            Params.optional(p, "Description"));
    x.open("Policy");
    Params.policy(x, store, m);
    x.close("Policy");
    return true;
  }
}
