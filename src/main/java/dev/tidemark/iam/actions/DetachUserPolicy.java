package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/** IAM DetachUserPolicy: Detaches a managed policy from a user. */
public final class DetachUserPolicy implements QueryAction {
  private final IdentityStore store;

  public DetachUserPolicy(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:DetachUserPolicy";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    store.detachUserPolicy(Params.required(p, "UserName"), Params.required(p, "PolicyArn"));
    return false;
  }
}
