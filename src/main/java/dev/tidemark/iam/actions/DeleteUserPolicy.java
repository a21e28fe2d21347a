package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/** IAM DeleteUserPolicy: Deletes a user's inline policy. */
public final class DeleteUserPolicy implements QueryAction {
  private final IdentityStore store;

  public DeleteUserPolicy(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:DeleteUserPolicy";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    store.deleteUserPolicy(Params.required(p, "UserName"), Params.required(p, "PolicyName"));
    return false;
  }
}
