package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/** IAM DeleteUser: Deletes a user that has no access keys and no policies left, as IAM requires. */
public final class DeleteUser implements QueryAction {
  private final IdentityStore store;

  public DeleteUser(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:DeleteUser";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    store.deleteUser(Params.required(p, "UserName"));
    return false;
  }
}
