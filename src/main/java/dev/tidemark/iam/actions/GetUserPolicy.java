package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/** IAM GetUserPolicy: Returns a user's inline policy, its document URL-encoded as IAM sends it. */
public final class GetUserPolicy implements QueryAction {
  private final IdentityStore store;

  public GetUserPolicy(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:GetUserPolicy";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    String user = Params.required(p, "UserName");
    String name = Params.required(p, "PolicyName");
    x.text("UserName", user)
        .text("PolicyName", name)
        .text("PolicyDocument", Params.encodedDocument(store.userPolicy(user, name)));
    return true;
  }
}
