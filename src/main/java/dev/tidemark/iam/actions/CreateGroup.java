package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/** IAM CreateGroup: creates a group of users. */
public final class CreateGroup implements QueryAction {
  private final IdentityStore store;

  public CreateGroup(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:CreateGroup";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    IdentityStore.Group g =
        store.createGroup(Params.required(p, "GroupName"), Params.optional(p, "Path"));
    x.open("Group");
    Params.group(x, store, g);
    x.close("Group");
    return true;
  }
}
