package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/** IAM DeletePolicyVersion: deletes a version that is not the default. */
public final class DeletePolicyVersion implements QueryAction {
  private final IdentityStore store;

  public DeletePolicyVersion(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:DeletePolicyVersion";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    store.deletePolicyVersion(Params.required(p, "PolicyArn"), Params.required(p, "VersionId"));
    return false;
  }
}
