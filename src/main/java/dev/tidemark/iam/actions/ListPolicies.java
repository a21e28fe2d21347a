package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/** IAM ListPolicies: Lists the customer-managed policies (AWS-managed ones do not exist here). */
public final class ListPolicies implements QueryAction {
  private final IdentityStore store;

  public ListPolicies(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:ListPolicies";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    String scope = Params.optional(p, "Scope");
    boolean attachedOnly = "true".equals(Params.optional(p, "OnlyAttached"));
    x.open("Policies");
    if (!"AWS".equals(scope)) {
      for (IdentityStore.ManagedPolicy m : store.policies()) {
        if (!attachedOnly || store.attachmentCount(store.policyArn(m)) > 0) {
          x.open("member");
          Params.policy(x, store, m);
          x.close("member");
        }
      }
    }
    x.close("Policies").text("IsTruncated", "false");
    return true;
  }
}
