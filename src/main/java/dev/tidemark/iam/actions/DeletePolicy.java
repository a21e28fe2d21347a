package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/** IAM DeletePolicy: Deletes a managed policy that is attached to nobody. */
public final class DeletePolicy implements QueryAction {
  private final IdentityStore store;

  public DeletePolicy(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:DeletePolicy";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    store.deletePolicy(Params.required(p, "PolicyArn"));
    return false;
  }
}
