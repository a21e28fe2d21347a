package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/** IAM PutUserPolicy: Creates or replaces a user's inline policy. */
public final class PutUserPolicy implements QueryAction {
  private final IdentityStore store;

  public PutUserPolicy(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:PutUserPolicy";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    store.putUserPolicy(
        Params.required(p, "UserName"),
        Params.required(p, "PolicyName"),
        Params.required(p, "PolicyDocument"));
    return false;
  }
}
