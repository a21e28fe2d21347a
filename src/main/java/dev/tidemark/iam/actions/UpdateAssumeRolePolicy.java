package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/**
 * IAM UpdateAssumeRolePolicy: replaces a role's trust policy; later AssumeRole calls are decided by
 * it.
 */
public final class UpdateAssumeRolePolicy implements QueryAction {
  private final IdentityStore store;

  public UpdateAssumeRolePolicy(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:UpdateAssumeRolePolicy";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    store.updateAssumeRolePolicy(
        Params.required(p, "RoleName"), Params.required(p, "PolicyDocument"));
    return false;
  }
}
