package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/** IAM DeleteGroup: deletes a group that has no members and no policies left. */
public final class DeleteGroup implements QueryAction {
  private final IdentityStore store;

  public DeleteGroup(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:DeleteGroup";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    store.deleteGroup(Params.required(p, "GroupName"));
    return false;
  }
}
