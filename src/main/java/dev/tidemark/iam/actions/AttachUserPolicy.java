package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/**
 * IAM AttachUserPolicy: Attaches a managed policy to a user; it applies from the next request on.
 */
public final class AttachUserPolicy implements QueryAction {
  private final IdentityStore store;

  public AttachUserPolicy(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:AttachUserPolicy";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    store.attachUserPolicy(Params.required(p, "UserName"), Params.required(p, "PolicyArn"));
    return false;
  }
}
