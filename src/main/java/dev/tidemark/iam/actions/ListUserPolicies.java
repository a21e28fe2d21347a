package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/** IAM ListUserPolicies: Lists the names of a user's inline policies. */
public final class ListUserPolicies implements QueryAction {
  private final IdentityStore store;

  public ListUserPolicies(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:ListUserPolicies";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    x.open("PolicyNames");
    for (String n : store.userPolicyNames(Params.required(p, "UserName"))) {
      x.text("member", n);
    }
    x.close("PolicyNames").text("IsTruncated", "false");
    return true;
  }
}
