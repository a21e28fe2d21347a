package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/** IAM GetPolicyVersion: one version's document (URL-encoded, as IAM does). */
public final class GetPolicyVersion implements QueryAction {
  private final IdentityStore store;

  public GetPolicyVersion(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:GetPolicyVersion";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    String arn = Params.required(p, "PolicyArn");
    IdentityStore.PolicyVersion v = store.policyVersion(arn, Params.required(p, "VersionId"));
    x.open("PolicyVersion")
        .text("Document", Params.encodedDocument(v.document()))
        .text("VersionId", v.id())
        .text(
            "IsDefaultVersion", Boolean.toString(v.id().equals(store.policy(arn).defaultVersion())))
        .date("CreateDate", v.createdMillis())
        .close("PolicyVersion");
    return true;
  }
}
