package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/** IAM AddUserToGroup: the group's policies apply to the user from the next request on. */
public final class AddUserToGroup implements QueryAction {
  private final IdentityStore store;

  public AddUserToGroup(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:AddUserToGroup";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    store.addUserToGroup(Params.required(p, "GroupName"), Params.required(p, "UserName"));
    return false;
  }
}
