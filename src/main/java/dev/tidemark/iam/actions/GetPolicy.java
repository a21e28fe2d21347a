package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/** IAM GetPolicy: Describes a managed policy. */
public final class GetPolicy implements QueryAction {
  private final IdentityStore store;

  public GetPolicy(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:GetPolicy";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    x.open("Policy");
    Params.policy(x, store, store.policy(Params.required(p, "PolicyArn")));
    x.close("Policy");
    return true;
  }
}
