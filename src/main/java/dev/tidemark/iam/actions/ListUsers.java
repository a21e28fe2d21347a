package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/** IAM ListUsers: Lists every user, by name (one page: IsTruncated is always false). */
public final class ListUsers implements QueryAction {
  private final IdentityStore store;

  public ListUsers(IdentityStore store) {
    this.store = store;
  }

  @Override
  public String operation() {
    return "iam:ListUsers";
  }

  @Override
  public boolean execute(CallerIdentity caller, JsonNode p, Xml x) {
    String prefix = Params.optional(p, "PathPrefix");
    x.open("Users");
    for (IdentityStore.User u : store.users()) {
      if (prefix == null || u.path().startsWith(prefix)) {
        x.open("member");
        Params.user(x, store, u);
        x.close("member");
      }
    }
    x.close("Users").text("IsTruncated", "false");
    return true;
  }
}
