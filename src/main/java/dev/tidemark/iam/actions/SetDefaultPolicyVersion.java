package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/** IAM SetDefaultPolicyVersion: the version every attachment applies from the next request on. */
public final class SetDefaultPolicyVersion implements QueryAction {
  private final IdentityStore store;

  public SetDefaultPolicyVersion(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:SetDefaultPolicyVersion";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    store.setDefaultPolicyVersion(Params.required(p, "PolicyArn"), Params.required(p, "VersionId"));
    return false;
  }
}
