package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/** IAM ListAttachedUserPolicies: Lists the managed policies attached to a user. */
public final class ListAttachedUserPolicies implements QueryAction {
  private final IdentityStore store;

  public ListAttachedUserPolicies(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:ListAttachedUserPolicies";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    x.open("AttachedPolicies");
    for (IdentityStore.ManagedPolicy m : store.attachedPolicies(Params.required(p, "UserName"))) {
      x.open("member")
          .text("PolicyName", m.name())
          .text("PolicyArn", store.policyArn(m))
          .close("member");
    }
    x.close("AttachedPolicies").text("IsTruncated", "false");
    return true;
  }
}
