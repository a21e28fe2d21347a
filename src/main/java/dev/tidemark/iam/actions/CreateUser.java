package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/** IAM CreateUser: Creates an IAM user. */
public final class CreateUser implements QueryAction {
  private final IdentityStore store;

  public CreateUser(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:CreateUser";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    IdentityStore.User u =
        store.createUser(Params.required(p, "UserName"), Params.optional(p, "Path"));
    x.open("User");
    Params.user(x, store, u);
    x.close("User");
    return true;
  }
}
