package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/**
 * IAM GetPolicyVersion: Returns a managed policy's document; only v1 exists, since versions are not
 * kept.
 */
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
    IdentityStore.ManagedPolicy m = store.policy(Params.required(p, "PolicyArn"));
    String version = Params.required(p, "VersionId");
    if (!version.equals("v1")) {
      throw new dev.tidemark.errors.DynamoException(
          dev.tidemark.errors.WireError.NO_SUCH_ENTITY,
          "Policy "
              + store.policyArn(m)
              + " version "
              + version
              + " does not exist or is not"
              + " attachable.");
    }
    x.open("PolicyVersion")
        .text("Document", Params.encodedDocument(m.document()))
        .text("VersionId", "v1")
        .text("IsDefaultVersion", "true")
        .date("CreateDate", m.createdMillis())
        .close("PolicyVersion");
    return true;
  }
}
