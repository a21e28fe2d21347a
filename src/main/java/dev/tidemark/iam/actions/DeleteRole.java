package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/** IAM DeleteRole: deletes a role without policies; its sessions stop working at once. */
public final class DeleteRole implements QueryAction {
  private final IdentityStore store;

  public DeleteRole(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:DeleteRole";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    store.deleteRole(Params.required(p, "RoleName"));
    return false;
  }
}
