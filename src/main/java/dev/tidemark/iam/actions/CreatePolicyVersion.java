package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/** IAM CreatePolicyVersion: adds a version (at most five are kept), optionally as the default. */
public final class CreatePolicyVersion implements QueryAction {
  private final IdentityStore store;

  public CreatePolicyVersion(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:CreatePolicyVersion";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    IdentityStore.PolicyVersion v =
        store.createPolicyVersion(
            Params.required(p, "PolicyArn"),
            Params.required(p, "PolicyDocument"),
            "true".equalsIgnoreCase(Params.optional(p, "SetAsDefault")));
    IdentityStore.ManagedPolicy m = store.policy(Params.required(p, "PolicyArn"));
    x.open("PolicyVersion")
        .text("VersionId", v.id())
        .text("IsDefaultVersion", Boolean.toString(v.id().equals(m.defaultVersion())))
        .date("CreateDate", v.createdMillis())
        .close("PolicyVersion");
    return true;
  }
}
