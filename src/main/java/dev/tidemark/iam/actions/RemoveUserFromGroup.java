package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/** IAM RemoveUserFromGroup: the group's policies stop applying to the user at once. */
public final class RemoveUserFromGroup implements QueryAction {
  private final IdentityStore store;

  public RemoveUserFromGroup(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:RemoveUserFromGroup";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    store.removeUserFromGroup(Params.required(p, "GroupName"), Params.required(p, "UserName"));
    return false;
  }
}
