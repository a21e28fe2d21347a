package dev.tidemark.iam.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.iam.Params;
import dev.tidemark.iam.QueryAction;
import dev.tidemark.iam.Xml;

/** IAM ListUsers: Lists the users by name, paged. */
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
    Params.Page<IdentityStore.User> page =
        Params.page(
            p,
            store.users().stream()
                .filter(u -> prefix == null || u.path().startsWith(prefix))
                .toList(),
            IdentityStore.User::name);
    x.open("Users");
    for (IdentityStore.User u : page.items()) {
      x.open("member");
      Params.user(x, store, u);
      x.close("member");
    }
    x.close("Users");
    page.end(x);
    return true;
  }
}
